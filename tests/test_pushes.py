"""Scheduled pushes with a frozen clock: the digest, deadline reminders, the supervisors' progress, each once."""

from __future__ import annotations

import json
import threading
import time as clock
from datetime import date, time

import pytest
from sqlalchemy import func, insert, select, update

from bot.delivery.send import retry_pending
from bot.pushes.run import run_due
from bot.pushes.schedule import Kind
from bot.state import app_state
from storage.models import AuditEntry, LineUser, OutboxMessage, Person, PushRecord
from storage.statuses import HouseholdStatus
from tests.support.line_chat import dump
from tests.support.pushes import at, got, push_world
from tests.support.survey import flex_actions, flex_texts

TODAY = date(2026, 12, 1)
NO_WAIT = (0.0, 0.0, 0.0)


def run(app, moment, **kwargs):  # type: ignore[no-untyped-def]
    """One run of the scheduled pushes at a frozen moment."""
    state = app_state(app)
    return run_due(state.session_factory, state.gateway, state.config, lambda: moment, pauses=kwargs.pop("pauses", NO_WAIT), **kwargs)


def count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def test_digest_goes_at_the_configured_time_only_to_volunteers_with_pending_work(app, line_api, db_engine):
    w = push_world(db_engine, TODAY)
    assert run(app, at(TODAY, 7, 29)).queued == 0  # before 07:30 nothing is due
    assert line_api.calls("push") == [] and line_api.calls("multicast") == []
    report = run(app, at(TODAY, 7, 30))
    pushed = got(line_api, w.chats["busy"])
    # 14 days before the deadline is also a reminder day: the digest, then the reminder.
    assert [m["type"] for m in pushed.messages] == ["flex", "text"], dump(pushed)
    assert pushed.texts[0].startswith("แจ้งเตือน: อีก 14 วัน ถึง 15 ธ.ค. 2569")
    digest = got(line_api, w.chats["busy"])
    digest.messages = digest.messages[:1]
    texts = flex_texts(digest)
    assert "งานของท่านวันนี้" in texts and "2 ครัวเรือน" in texts and "แบบสำรวจที่ยังทำไม่เสร็จ" in texts
    assert "อีก 14 วัน ถึง 15 ธ.ค. 2569 (กำหนดสำรวจให้แล้วเสร็จ)" in texts
    assert "5/1 นางบ้าน เก่า0" in texts
    actions = flex_actions(digest)
    starts = [a for a in actions if a["label"] == "เริ่ม"]
    assert len(starts) == 2 and all(a["type"] == "postback" and a["data"].startswith("do=rx&a=visit&h=") for a in starts)
    assert {"type": "message", "label": "ทำต่อ", "text": "ทำต่อ"} in actions
    assert digest.messages[0]["altText"].startswith("งานของท่านวันนี้: เยี่ยมซ้ำ 2 ครัวเรือน แบบสำรวจค้างไว้ 1")
    # Nothing pending, blocked the bot, deactivated: nothing.
    for nobody in ("idle", "unfollowed", "gone"):
        assert got(line_api, w.chats[nobody]).messages == []
    # The supervisor gets the reminder; their progress is not due before 17:00.
    assert [m["type"] for m in got(line_api, w.chats["supervisor"]).messages] == ["text"]
    assert report.by_kind == {Kind.DIGEST: 1, Kind.DEADLINE: 2}  # the reminder: the busy volunteer and the supervisor
    # Later runs that day send them no more.
    run(app, at(TODAY, 9, 0))
    assert len(got(line_api, w.chats["busy"]).messages) == 2
    keys = [call.headers.get("X-Line-Retry-Key") for call in line_api.calls("push")]
    assert all(keys) and len(set(keys)) == 3  # a push retried after a slow answer carries its key again


def test_nothing_is_pushed_in_quiet_hours_and_due_pushes_wait_for_the_morning(app, line_api, db_engine):
    w = push_world(db_engine, TODAY)
    early = app_state(app).config.with_overrides(digest_time=time(5, 0))
    state = app_state(app)
    for hour in (5, 6):  # due at 05:00, but quiet until 07:00
        assert run_due(state.session_factory, state.gateway, early, lambda h=hour: at(TODAY, h, 30), pauses=NO_WAIT).queued == 0
    assert got(line_api, w.chats["busy"]).messages == []
    assert run_due(state.session_factory, state.gateway, early, lambda: at(TODAY, 7, 0), kinds=None, pauses=NO_WAIT).by_kind[Kind.DIGEST] == 1
    # 20:00 and after: even a forgotten progress is not pushed.
    assert run(app, at(TODAY, 20, 5)).queued == 0 and run(app, at(TODAY, 23, 0)).queued == 0
    assert [m["type"] for m in got(line_api, w.chats["supervisor"]).messages] == ["text"]  # the 07:00 reminder only


@pytest.mark.parametrize("days_before", [30, 14, 7, 3, 1, 10])
def test_deadline_reminders_at_each_offset(app, line_api, db_engine, days_before):
    w = push_world(db_engine, TODAY, survey_in=days_before, volunteers_with_work=3)
    w.person("supervisor2", "supervisor", "ประยุทธ ดูแลดี")
    run(app, at(TODAY, 8, 0), kinds=[Kind.DEADLINE])
    reminder = f"อีก {days_before} วัน ถึง"
    if days_before == 10:
        assert line_api.calls("push") == [] and line_api.calls("multicast") == []
        return
    for key in ("busy", "busy1", "busy2", "supervisor", "supervisor2"):
        texts = got(line_api, w.chats[key]).texts
        assert len(texts) == 1 and texts[0].startswith("แจ้งเตือน: " + reminder), (key, texts)
    assert "ค้างอยู่" in got(line_api, w.chats["busy"]).text and "ความคืบหน้า" in got(line_api, w.chats["supervisor"]).text
    for nobody in ("idle", "unfollowed", "gone"):
        assert got(line_api, w.chats[nobody]).messages == []
    # The same words to many: one multicast to the volunteers, one to the supervisors.
    multicasts = line_api.calls("multicast")
    assert sorted(len(call.body["to"]) for call in multicasts) == [2, 3] and line_api.calls("push") == []
    assert all(call.headers.get("X-Line-Retry-Key") for call in multicasts)


def test_supervisor_daily_progress_for_sixty_communities_within_lines_limits(app, line_user, line_api, db_engine, monkeypatch):
    from tests.support.progress_seed import seed

    supervisor = "U" + "7" * 32
    seeded = seed(db_engine, communities=60, households=3000, supervisor_line_user=supervisor)
    assert run(app, at(TODAY, 16, 59), kinds=None).by_kind.get(Kind.PROGRESS) is None
    run(app, at(TODAY, 17, 0), kinds=[Kind.PROGRESS])
    pushed = got(line_api, supervisor)
    flex = [m for m in pushed.messages if m["type"] == "flex"]
    assert len(pushed.messages) == 1 and flex, dump(pushed)  # the stand-in checked LINE's schema
    bubbles = flex[0]["contents"]["contents"]
    assert len(bubbles) <= 12 and all(len(json.dumps(b, ensure_ascii=False).encode()) <= 30 * 1024 for b in bubbles)
    texts = flex_texts(pushed)
    assert flex[0]["altText"].startswith("สรุปความคืบหน้าประจำวัน: ความคืบหน้ารอบ 2566")
    assert "ผลการดำเนินงานวันนี้" in texts and "มีงานค้างไว้ และไม่มีความเคลื่อนไหว 3 วัน" in texts
    assert any("แสดง 20 ชุมชนที่ดำเนินการได้น้อยที่สุด จากทั้งหมด 60 ชุมชน" in t for t in texts)
    assert not any(str(v) in texts for v in seeded.volunteer_ids)
    actions = flex_actions(pushed)
    assert {"type": "message", "label": "ดูความคืบหน้าทั้งหมด", "text": "ความคืบหน้า"} in actions
    nudge = next(a for a in actions if a["label"] == "ส่งข้อความเตือน")
    # The nudge button reminds the idle volunteer once a day.
    idle_chat = "U" + "9" * 32
    with db_engine.begin() as connection:
        line_pk = connection.execute(insert(LineUser).values(line_user_id=idle_chat, active=True, events_handled=0).returning(LineUser.id)).scalar_one()
        connection.execute(update(Person).where(Person.id == seeded.volunteer_ids[0]).values(line_user_id=line_pk))
    chat = line_user(supervisor)
    # Tapped at 21:00 (quiet hours): queued for the morning, not sent now.
    monkeypatch.setattr(app_state(app).processor, "clock", lambda: at(TODAY, 21, 0))
    assert "ขณะนี้อยู่ในช่วงงดส่งข้อความ อาสา ชุมชน01 คนที่1 จะได้รับข้อความเตือนเวลา 07:00 น." in chat.tap(nudge["data"]).text
    app_state(app).sender.flush()
    assert got(line_api, idle_chat).messages == []
    with db_engine.begin() as connection:  # start the day afresh for the daytime tap
        connection.execute(PushRecord.__table__.delete().where(PushRecord.kind == "nudge"))
        connection.execute(OutboxMessage.__table__.delete().where(OutboxMessage.chat_id == idle_chat))
    monkeypatch.setattr(app_state(app).processor, "clock", lambda: at(TODAY, 17, 5))
    assert "ส่งข้อความเตือนถึง อาสา ชุมชน01 คนที่1 แล้ว" in chat.tap(nudge["data"]).text
    assert "วันนี้ได้ส่งข้อความเตือนถึง" in chat.tap(nudge["data"]).text
    with db_engine.connect() as connection:
        kinds = connection.execute(select(PushRecord.kind, func.count()).group_by(PushRecord.kind)).all()
    assert dict(kinds) == {"progress": 1, "nudge": 1}
    app_state(app).sender.flush()
    assert "ผู้ควบคุมการสำรวจ ขอแจ้งเตือน" in got(line_api, idle_chat).text


def test_a_job_run_twice_or_on_two_workers_at_once_sends_each_push_once(app, line_api, db_engine):
    w = push_world(db_engine, TODAY, survey_in=20, volunteers_with_work=6)
    threads = [threading.Thread(target=run, args=(app, at(TODAY, 17, 30))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run(app, at(TODAY, 18, 0))
    for key in [k for k in w.chats if k.startswith("busy")]:
        assert len(got(line_api, w.chats[key]).messages) == 1, key
    assert len(got(line_api, w.chats["supervisor"]).messages) == 1
    assert count(db_engine, PushRecord) == 7


def test_a_push_claimed_before_a_crash_is_sent_once_by_the_retry_job(app, line_api, db_engine, monkeypatch):
    w = push_world(db_engine, TODAY)
    import bot.pushes.run as running

    monkeypatch.setattr(running, "deliver", lambda *args, **kwargs: True)  # the worker dies after committing
    run(app, at(TODAY, 7, 30), kinds=[Kind.DIGEST])
    monkeypatch.undo()
    assert got(line_api, w.chats["busy"]).messages == []
    assert run(app, at(TODAY, 7, 35), kinds=[Kind.DIGEST]).queued == 0  # already claimed: not planned again
    state = app_state(app)
    assert retry_pending(state.gateway, state.session_factory, lambda: at(TODAY, 7, 40), -1) == 1
    assert retry_pending(state.gateway, state.session_factory, lambda: at(TODAY, 7, 41), -1) == 0
    assert len(got(line_api, w.chats["busy"]).messages) == 1


def test_injected_500s_and_dropped_connections_end_with_every_push_delivered_once(app, line_api, db_engine):
    w = push_world(db_engine, TODAY, volunteers_with_work=5)
    line_api.fail_next("push", 500, times=2)
    line_api.stall_next("push", 2.5, deliver=True)  # LINE delivered, its answer was lost
    line_api.stall_next("push", 2.5, deliver=False)  # the request never arrived
    line_api.fail_next("push", 503)
    report = run(app, at(TODAY, 7, 30), kinds=[Kind.DIGEST])
    state = app_state(app)
    retry_pending(state.gateway, state.session_factory, lambda: at(TODAY, 7, 45), -1)
    for key in [k for k in w.chats if k.startswith("busy")]:
        assert len(got(line_api, w.chats[key]).messages) == 1, key
    assert report.queued == 5
    with db_engine.connect() as connection:
        statuses = connection.execute(select(OutboxMessage.status, OutboxMessage.attempts)).all()
    assert {status for status, _ in statuses} == {"sent"} and max(attempts for _, attempts in statuses) > 1
    assert any(call.status == 409 for call in line_api.calls("push"))  # the lost answer's repeat: already delivered
    clock.sleep(1.5)  # the stand-in's thread holding the lost request ends before the next test


def test_a_429_backs_off_and_the_rest_goes_later_once(app, line_api, db_engine, monkeypatch):
    monkeypatch.setattr("bot.pushes.dispatch.LANES", 1)  # one after another: a slow answer on a busy machine is not taken for a lost one
    w = push_world(db_engine, TODAY, volunteers_with_work=4)
    line_api.fail_next("push", 429)
    report = run(app, at(TODAY, 7, 30), kinds=[Kind.DIGEST])
    # Stopped at the 429: no push starts after it (one already on its way on another lane may land).
    assert report.waiting >= 1 and report.sent + report.waiting < 4 and report.queued == 4
    state = app_state(app)
    assert retry_pending(state.gateway, state.session_factory, lambda: at(TODAY, 7, 45), -1) == 4 - report.sent
    for key in [k for k in w.chats if k.startswith("busy")]:
        assert len(got(line_api, w.chats[key]).messages) == 1, key


def test_the_monthly_limit_stops_the_batch_and_is_reported(app, line_api, db_engine, monkeypatch):
    monkeypatch.setattr("bot.pushes.dispatch.LANES", 1)
    w = push_world(db_engine, TODAY, volunteers_with_work=3)
    line_api.fail_next("push", 429, "You have reached your monthly limit.")
    report = run(app, at(TODAY, 7, 30), kinds=[Kind.DIGEST])
    assert report.limit_reached and report.sent + report.waiting < 3
    assert sum(len(got(line_api, w.chats[k]).messages) for k in w.chats) == report.sent
    with db_engine.connect() as connection:
        assert connection.execute(select(AuditEntry.action)).scalars().all() == ["push.limit"]
        assert "limit_reached" in connection.execute(select(OutboxMessage.last_error)).scalars().all()


def test_a_volunteer_who_unfollowed_later_gets_nothing(app, line_user, line_api, db_engine):
    w = push_world(db_engine, TODAY)
    line_user(w.chats["busy"]).unfollow()
    run(app, at(TODAY, 7, 30))
    assert got(line_api, w.chats["busy"]).messages == []


def test_a_scheduled_push_left_pending_waits_out_the_quiet_hours_and_is_given_up_the_next_day(app, line_api, db_engine):
    w = push_world(db_engine, TODAY, survey_in=20)
    line_api.fail_next("push", 500, times=4)  # LINE is down all through the evening's run
    run(app, at(TODAY, 19, 55), kinds=[Kind.DIGEST])
    state = app_state(app)
    from bot.quiet_hours import quiet_for

    quiet = quiet_for(state.config)
    assert retry_pending(state.gateway, state.session_factory, lambda: at(TODAY, 21, 0), -1, quiet=quiet) == 0
    assert got(line_api, w.chats["busy"]).messages == []
    # By the morning yesterday's digest is stale ("days left" is wrong): it is given up, and the
    # day's own digest goes at its hour.
    morning = at(TODAY, 7, 0).replace(day=TODAY.day + 1)
    assert retry_pending(state.gateway, state.session_factory, lambda: morning, -1, quiet=quiet) == 0
    assert got(line_api, w.chats["busy"]).messages == []
    with db_engine.connect() as connection:
        assert connection.execute(select(OutboxMessage.status, OutboxMessage.last_error)).all() == [("failed", "expired")]
    run(app, at(TODAY, 7, 30).replace(day=TODAY.day + 1), kinds=[Kind.DIGEST])
    assert len(got(line_api, w.chats["busy"]).messages) == 1


def test_supervisor_progress_lists_an_idle_rexray_volunteer_whose_only_work_is_households_to_revisit(app, line_user, line_api, db_engine, monkeypatch):
    from datetime import timedelta

    from storage.models import Household
    from storage.statuses import HouseholdOrigin, HouseholdStatus, RexrayStatus

    w = push_world(db_engine, TODAY)
    walker = w.person("walker", "volunteer", "บุญเรือน เดินเยี่ยม")
    fresh = w.person("fresh", "volunteer", "ใหม่ เพิ่งได้รับ")
    for pid, code, days in ((walker, "40000000001", 5), (fresh, "40000000002", 1)):
        hid = w.world.household(w.municipality, w.community, pid, code, status=HouseholdStatus.IMPORTED, house_no="8/8")
        with db_engine.begin() as connection:  # assigned (imported) that many days ago, untouched since
            connection.execute(update(Household).where(Household.id == hid).values(
                origin=HouseholdOrigin.IMPORTED, rexray_status=RexrayStatus.PENDING, round_name="2565", updated_at=at(TODAY, 9, 0) - timedelta(days=days)))
    run(app, at(TODAY, 17, 0), kinds=[Kind.PROGRESS])
    texts = flex_texts(got(line_api, w.chats["supervisor"]))
    title = texts.index("มีงานค้างไว้ และไม่มีความเคลื่อนไหว 3 วัน")
    idle = texts[title + 1:]
    assert "บุญเรือน เดินเยี่ยม (ชุมชนหนองบัว)" in idle
    assert any(t.startswith("เยี่ยมซ้ำ 1 ครัวเรือน ดำเนินการล่าสุด") for t in idle)
    assert "ใหม่ เพิ่งได้รับ (ชุมชนหนองบัว)" not in texts  # assigned yesterday: not idle yet
    # The nudge points them at their households to revisit, not at a draft they do not have.
    nudge = next(a for a in flex_actions(got(line_api, w.chats["supervisor"])) if a.get("displayText", "").endswith("บุญเรือน เดินเยี่ยม"))
    monkeypatch.setattr(app_state(app).processor, "clock", lambda: at(TODAY, 17, 5))  # tapped in the day, not in quiet hours
    assert "ส่งข้อความเตือนถึง บุญเรือน เดินเยี่ยม แล้ว" in line_user(w.chats["supervisor"]).tap(nudge["data"]).text
    [reminder] = got(line_api, w.chats["walker"]).messages
    assert "ท่านยังมีครัวเรือนที่รอการเยี่ยม Re-X-ray 1 ครัวเรือน" in reminder["text"]
    assert [item["action"]["label"] for item in reminder["quickReply"]["items"]] == ["Re-X-ray ครัวเรือน", "ทำต่อ", "เมนู"]


def test_an_admin_gets_the_supervisors_reminder_and_the_whole_municipalitys_progress(app, line_api, db_engine):
    w = push_world(db_engine, TODAY)
    w.person("admin", "admin", "อำนวย ดูแลทั้งตำบล")  # registered in one community: an admin still supervises them all
    riverside = w.world.community(w.municipality, "ชุมชนริมน้ำ")
    river_volunteer = w.world.person("volunteer", w.municipality, riverside, name="ริมน้ำ อาสา", line_user_id="U" + "5" * 32)
    w.world.household(w.municipality, riverside, river_volunteer, "40000000001", status=HouseholdStatus.DRAFT, house_no="9/9")
    run(app, at(TODAY, 7, 30), kinds=[Kind.DEADLINE])
    (reminder,) = got(line_api, w.chats["admin"]).texts
    assert reminder.startswith("แจ้งเตือน: อีก 14 วัน ถึง 15 ธ.ค. 2569") and reminder == got(line_api, w.chats["supervisor"]).texts[0]
    run(app, at(TODAY, 17, 0), kinds=[Kind.PROGRESS])
    admin, supervisor = got(line_api, w.chats["admin"]), got(line_api, w.chats["supervisor"])
    assert [m["type"] for m in admin.messages] == ["text", "flex"], dump(admin)
    assert admin.messages[1]["altText"].startswith("สรุปความคืบหน้าประจำวัน")
    assert "ชุมชนริมน้ำ" in flex_texts(admin) and "ชุมชนริมน้ำ" not in flex_texts(supervisor)  # the municipality, not one community

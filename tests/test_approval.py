"""Supervisors approve submitted records or send them back with a note, through signed webhooks; the volunteer is told by a push."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.chat.postback import decode, encode
from bot.delivery.send import retry_pending
from bot.state import app_state
from storage.approval import approved_by_community
from storage.models import AuditEntry, Household, LineUser, OutboxMessage
from storage.statuses import ApprovalStatus, RexrayStatus
from tests.support.export_seed import OTHER_SUPERVISOR_CHAT, REXRAY_VOLUNTEER_CHAT, SUPERVISOR_CHAT, VOLUNTEER_CHAT, seed_small
from tests.support.survey import flex_actions, flex_texts, make_volunteer
from tests.test_survey_chat import begin, finish_one_member


@pytest.fixture
def config(config):  # type: ignore[no-untyped-def]
    """No quiet hours (each test that wants them sets its own)."""
    return config.with_overrides(quiet_hours=(time(0, 0), time(0, 0)))


def household(engine, household_id: int) -> Household:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        return session.get(Household, household_id)


def deliver_pushes(app, at: datetime) -> int:  # type: ignore[no-untyped-def]
    """Run the outbox's retry as the sweeper would at a given moment."""
    state = app_state(app)
    return retry_pending(state.gateway, state.session_factory, lambda: at, 0)


def test_survey_sent_back_with_a_note_is_corrected_resubmitted_and_approved_with_all_of_its_volunteer(app, line_user, line_api, db_engine):
    chat, boss = line_user(), line_user()
    people = make_volunteer(db_engine, chat.user_id)
    make_volunteer(db_engine, boss.user_id, name="หัวหน้า ทดสอบ", municipality_id=people["municipality_id"], role="supervisor")
    begin(chat)
    chat.tap_button(finish_one_member(chat), "ยืนยันส่ง")
    with Session(db_engine) as session:
        [record] = session.scalars(select(Household)).all()
        hid, receipt = record.id, record.receipt_no
    assert household(db_engine, hid).approval == ApprovalStatus.AWAITING

    listed = boss.say("อนุมัติ")
    assert "อาสา ทดสอบ: รออนุมัติ 1 รายการ" in flex_texts(listed)
    assert "มีแบบสำรวจในพื้นที่ของท่านรออนุมัติ 1 รายการ" in listed.messages[0]["altText"]
    view = next(a for a in flex_actions(listed) if a.get("displayText") == "ดูบ้านเลขที่ 12/3")
    card = boss.tap(view["data"])
    assert "เบอร์โทรศัพท์ติดต่อ" in flex_texts(card) and "นายสมชาย ใจดี" in flex_texts(card)  # the volunteer's review, as submitted
    assert not any(a.get("displayText", "").startswith("แก้ไข") for a in flex_actions(card))  # nothing to edit from here
    assert card.buttons == ["อนุมัติ", "ส่งกลับให้แก้ไข", "รายการรออนุมัติ"]
    ask = boss.tap_button(card, "ส่งกลับให้แก้ไข")
    assert "อาสาสมัครต้องแก้ไขอะไรในรายการบ้านเลขที่ 12/3" in ask.text
    before = line_api.last_seq()
    sent = boss.say("เบอร์โทรไม่ครบ กรุณาตรวจสอบ")
    assert "ส่งรายการบ้านเลขที่ 12/3 กลับพร้อมบันทึกของท่านแล้ว" in sent.text and "แจ้งอาสาสมัครแล้ว" in sent.text
    back = household(db_engine, hid)
    assert (back.approval, back.sent_back_note, back.status) == (ApprovalStatus.SENT_BACK, "เบอร์โทรไม่ครบ กรุณาตรวจสอบ", "submitted")

    assert deliver_pushes(app, datetime.now(timezone.utc) + timedelta(minutes=1)) == 0  # pushed at once, and only once
    [push] = [m.message for m in line_api.messages_for(chat.user_id, since=before)]
    assert f"ผู้ควบคุมการสำรวจส่งแบบสำรวจเลขที่แบบสำรวจ {receipt} (บ้านเลขที่ 12/3) กลับให้แก้ไข" in push["text"] and "“เบอร์โทรไม่ครบ กรุณาตรวจสอบ”" in push["text"]
    [button] = push["quickReply"]["items"]
    assert button["action"]["label"] == "แก้ไขข้อมูลที่ส่ง"
    reopened = chat.tap(button["action"]["data"])
    assert "ยังคงมีสถานะส่งแล้ว" in " ".join(reopened.texts)
    again = chat.tap_button(reopened, "ยืนยันส่ง")
    assert f"ไม่มีการแก้ไขข้อมูลเลขที่แบบสำรวจ {receipt} ระบบส่งข้อมูลเดิมให้ผู้ควบคุมการสำรวจพิจารณาอีกครั้ง" in again.text
    assert household(db_engine, hid).approval == ApprovalStatus.AWAITING  # resubmitted: awaiting again, the note gone
    assert household(db_engine, hid).sent_back_note is None

    listed = boss.say("อนุมัติ")
    everything = next(a for a in flex_actions(listed) if a.get("displayText") == "อนุมัติทั้งหมด 1")
    confirm = boss.tap(everything["data"])
    assert "อนุมัติแบบสำรวจที่รออนุมัติของ อาสา ทดสอบ ทั้งหมด 1 รายการใช่หรือไม่" in confirm.text
    approved = boss.tap_button(confirm, "อนุมัติทั้งหมด")
    assert "อนุมัติแบบสำรวจของ อาสา ทดสอบ แล้ว 1 รายการ" in approved.text
    final = household(db_engine, hid)
    assert final.approval == ApprovalStatus.APPROVED and final.approved_at is not None
    with Session(db_engine) as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions == ["household.send_back", "household.approve"]
        assert approved_by_community(session, people["municipality_id"], final.round_name) == {final.community_id: 1}
    assert "ไม่มีแบบสำรวจในพื้นที่ของท่านที่รออนุมัติ" in boss.say("อนุมัติ").text
    assert "อนุมัติแล้ว 1 รออนุมัติ 0" in flex_texts(boss.say("ความคืบหน้า"))  # the progress counts approved records


def test_rexray_sent_back_goes_back_on_the_worklist_and_its_push_reopens_the_visit(app, line_user, line_api, db_engine):
    ids = seed_small(db_engine).ids
    with Session(db_engine) as session, session.begin():
        session.get(Household, ids["old"]).approval = ApprovalStatus.AWAITING
    boss = line_user(SUPERVISOR_CHAT)
    card = boss.tap(encode("apr.view", h=ids["old"]))
    assert "Re-X-ray บ้านเลขที่ 99" in flex_texts(card)
    assert "ช่วยเหลือแล้ว (แก้ไขแล้ว)" in flex_texts(card) and "ยังไม่ได้รับการแก้ไข – ยังหางานไม่ได้" in flex_texts(card)
    boss.tap_button(card, "ส่งกลับให้แก้ไข")
    before = line_api.last_seq()
    boss.say("ขอวันที่ช่วยเหลือของปัญหาที่สอง")
    old = household(db_engine, ids["old"])
    assert (old.approval, old.rexray_status) == (ApprovalStatus.SENT_BACK, RexrayStatus.STARTED)
    [push] = [m.message for m in line_api.messages_for(REXRAY_VOLUNTEER_CHAT, since=before)]
    assert "ผู้ควบคุมการสำรวจส่งผล Re-X-ray บ้านเลขที่ 99 (นางสี่ เดิมมา) กลับให้แก้ไข" in push["text"]
    [button] = push["quickReply"]["items"]
    assert button["action"]["label"] == "เยี่ยมซ้ำเพื่อแก้ไข" and decode(button["action"]["data"]) == ("rx", {"a": "visit", "h": str(ids["old"])})


def test_a_volunteer_who_blocked_the_bot_cannot_be_told_and_the_supervisor_hears_so(line_user, db_engine):
    ids = seed_small(db_engine).ids
    with Session(db_engine) as session, session.begin():
        session.scalars(select(LineUser).where(LineUser.line_user_id == VOLUNTEER_CHAT)).one().active = False
    boss = line_user(SUPERVISOR_CHAT)
    boss.tap(encode("apr.back", h=ids["h3"]))
    answer = boss.say("กรุณาแก้บ้านเลขที่")
    assert "แจ้งอาสาสมัครทาง LINE ไม่ได้" in answer.text
    with Session(db_engine) as session:
        assert session.scalars(select(OutboxMessage).where(OutboxMessage.reply_token.is_(None))).all() == []


def test_a_supervisor_of_another_area_can_neither_see_nor_approve(line_user, db_engine):
    ids = seed_small(db_engine).ids
    other = line_user(OTHER_SUPERVISOR_CHAT)
    for data in (encode("apr.view", h=ids["h3"]), encode("apr.ok", h=ids["h3"]), encode("apr.back", h=ids["h3"])):
        answer = other.tap(data)
        assert "นายสาม" not in answer.text and "นายสาม" not in " ".join(flex_texts(answer))
    assert "ไม่มีแบบสำรวจในพื้นที่ของท่านที่รออนุมัติ" in other.say("อนุมัติ").text
    assert household(db_engine, ids["h3"]).approval == ApprovalStatus.AWAITING
    ok = line_user(SUPERVISOR_CHAT).tap(encode("apr.ok", h=ids["h3"]))
    assert "อนุมัติรายการบ้านเลขที่ 20/1 แล้ว" in ok.text
    assert household(db_engine, ids["h3"]).approval == ApprovalStatus.APPROVED


def test_a_volunteer_cannot_approve(line_user, db_engine):
    ids = seed_small(db_engine).ids
    answer = line_user(VOLUNTEER_CHAT).tap(encode("apr.ok", h=ids["h3"]))
    assert answer.texts == ["ขออภัย ท่านไม่มีสิทธิ์ใช้เมนูนี้"]
    assert household(db_engine, ids["h3"]).approval == ApprovalStatus.AWAITING


def test_in_quiet_hours_the_volunteers_push_waits_for_the_morning(app, line_user, line_api, db_engine):
    from zoneinfo import ZoneInfo
    ids = seed_small(db_engine).ids
    zone = ZoneInfo("Asia/Bangkok")
    local = datetime.now(zone)
    start, end = (local - timedelta(hours=1)).time().replace(second=0, microsecond=0), (local + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    state = app_state(app)
    state.processor.config = state.config.with_overrides(quiet_hours=(start, end))  # what the chat's events see
    boss = line_user(SUPERVISOR_CHAT)
    boss.tap(encode("apr.back", h=ids["h3"]))
    answer = boss.say("กรุณาแก้บ้านเลขที่")
    assert f"อาสาสมัครจะได้รับแจ้งเวลา {end:%H:%M} น." in answer.text
    before = line_api.last_seq()
    assert deliver_pushes(app, datetime.now(timezone.utc) + timedelta(minutes=5)) == 0
    assert deliver_pushes(app, datetime.now(timezone.utc) + timedelta(hours=1, minutes=2)) == 1
    [push] = [m.message for m in line_api.messages_for(VOLUNTEER_CHAT, since=before)]
    assert "“กรุณาแก้บ้านเลขที่”" in push["text"]
    route, params = decode(push["quickReply"]["items"][0]["action"]["data"])
    assert (route, params["h"], params["a"]) == ("sv", str(ids["h3"]), "reopen")


def test_a_menu_word_while_writing_the_note_sends_nothing_back(line_user, db_engine):
    ids = seed_small(db_engine).ids
    boss = line_user(SUPERVISOR_CHAT)
    boss.tap(encode("apr.back", h=ids["h3"]))
    answer = boss.say("ความคืบหน้า")
    assert answer.messages[0]["type"] == "flex"  # the progress view, not a note
    assert household(db_engine, ids["h3"]).approval == ApprovalStatus.AWAITING
    boss.tap(encode("apr.back", h=ids["h3"]))
    cancelled = boss.say("ยกเลิก")
    assert "ยังไม่ได้ส่งกลับ รายการนี้ยังรออนุมัติ" in cancelled.text
    assert household(db_engine, ids["h3"]).approval == ApprovalStatus.AWAITING


def test_a_note_step_left_open_never_takes_later_words_for_its_note(line_user, db_engine):
    ids = seed_small(db_engine).ids
    boss = line_user(SUPERVISOR_CHAT)
    boss.tap(encode("apr.back", h=ids["h3"]))
    # A command with words after it is a command, not the note.
    boss.say("ความคืบหน้า ชุมชนเหนือ")
    assert household(db_engine, ids["h3"]).approval == ApprovalStatus.AWAITING
    # Another approval button closes the note step: what is typed later sends nothing back.
    boss.tap(encode("apr.back", h=ids["h3"]))
    boss.tap(encode("apr.view", h=ids["h3"]))
    boss.say("ขอบคุณครับ")
    assert household(db_engine, ids["h3"]).approval == ApprovalStatus.AWAITING


def test_approving_is_the_first_tile_of_the_supervisors_menu_and_invite_codes_stay_a_typed_command(line_user, db_engine):
    seed_small(db_engine)
    boss = line_user(SUPERVISOR_CHAT)
    menu = boss.say("เมนู")
    assert menu.buttons == ["อนุมัติ", "ความคืบหน้า", "อาสาสมัคร", "เปลี่ยนผู้สำรวจ", "สำรวจ", "วิธีใช้"]
    listed = boss.tap_button(menu, "อนุมัติ")
    assert "มีแบบสำรวจในพื้นที่ของท่านรออนุมัติ" in listed.messages[0]["altText"]
    assert "• “สร้างรหัสเชิญ” – " in boss.say("วิธีใช้").text  # off the menu, still named in the help
    assert "รหัสเชิญสำหรับอาสาสมัครในพื้นที่ของท่าน" in boss.say("สร้างรหัสเชิญ").text


def test_an_approved_record_submitted_again_unchanged_stays_approved_and_a_change_makes_it_await(line_user, db_engine):
    chat, boss = line_user(), line_user()
    people = make_volunteer(db_engine, chat.user_id)
    make_volunteer(db_engine, boss.user_id, name="หัวหน้า ทดสอบ", municipality_id=people["municipality_id"], role="supervisor")
    begin(chat)
    done = chat.tap_button(finish_one_member(chat), "ยืนยันส่ง")
    [record] = _households(db_engine)
    boss.tap(encode("apr.ok", h=record.id))
    approved = household(db_engine, record.id)
    assert approved.approval == ApprovalStatus.APPROVED
    # Opened for correction and submitted as it was: still approved, by the same supervisor, and said so.
    reopened = chat.tap_button(done, "แก้ไขข้อมูลที่ส่ง")
    again = chat.tap_button(reopened, "ยืนยันส่ง")
    assert f"ไม่มีการแก้ไขข้อมูล ข้อมูลเลขที่แบบสำรวจ {record.receipt_no} จึงยังคงมีสถานะอนุมัติแล้ว" in again.text
    after = household(db_engine, record.id)
    assert (after.approval, after.approved_by, after.approved_at) == (ApprovalStatus.APPROVED, approved.approved_by, approved.approved_at)
    assert "ไม่มีแบบสำรวจในพื้นที่ของท่านที่รออนุมัติ" in boss.say("อนุมัติ").text
    # A real change still sends it back to the supervisor.
    reopened = chat.tap_button(again, "แก้ไขข้อมูลที่ส่ง")
    chat.tap(next(a for a in flex_actions(reopened) if a.get("displayText") == "แก้ไข: เบอร์โทรศัพท์ติดต่อ")["data"])
    chat.tap_button(chat.say("0812345678"), "ยืนยันส่ง")
    assert household(db_engine, record.id).approval == ApprovalStatus.AWAITING


def _households(engine) -> list[Household]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.scalars(select(Household)))

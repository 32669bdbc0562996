"""A supervisor asks for an export in the chat: a job builds the file and pushes a link, served by the app for 15 minutes,
for their area only, recorded in the audit log."""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.exports.links import Grant, make_token
from bot.state import app_state
from storage.db import DatabaseTimeout
from storage.export_files import ExportFile
from storage.models import AuditEntry, Household, Person
from tests.conftest import ACCESS_TOKEN, CHANNEL_SECRET, DATA_KEY
from tests.support.export_seed import HEAD_IDS, OTHER_SUPERVISOR_CHAT, SUPERVISOR_CHAT, VOLUNTEER_CHAT, seed_small
from tests.test_export import rows_of
from tests.test_jobs import redis_reachable

LINK = re.compile(r"https?://bot\.test(/exports/\S+)")
PREPARING = "กำลังจัดทำไฟล์ Excel ของแบบสำรวจที่อนุมัติแล้วในพื้นที่ของท่าน (3 ครัวเรือน) เมื่อไฟล์พร้อม ลิงก์ดาวน์โหลดจะส่งมาในแชตนี้"
APOLOGY = "ขออภัย ระบบไม่สามารถจัดทำไฟล์ Excel ของท่านได้ในขณะนี้ กรุณาพิมพ์ “ส่งออกข้อมูล” เพื่อลองใหม่อีกครั้งในอีกสักครู่"


@pytest.fixture
def config(config, tmp_path):  # type: ignore[no-untyped-def]
    # The job queue is the instance's SQLite file (Redis in production): the tests run its jobs as a worker would.
    return config.with_overrides(public_base_url="http://bot.test", instance_path=str(tmp_path))


@pytest.fixture
def ids(db_engine):  # type: ignore[no-untyped-def]
    return seed_small(db_engine).ids


def run_jobs(app) -> int:  # type: ignore[no-untyped-def]
    """Run every job the webhooks queued, as `thaiqm-bot worker` would, and wait until what they pushed is out."""
    huey = app_state(app).jobs().huey
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    app_state(app).sender.flush()
    return ran


def pushed(line_api, chat: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The texts pushed to a chat (not replies)."""
    return [m.message["text"] for m in line_api.messages_for(chat) if m.via == "push"]


def link_in(text: str) -> str:
    found = LINK.search(text)
    assert found, text
    return found[1]


def requests(db_engine) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    """Each stored request's status and whether it holds a file."""
    with Session(db_engine) as session:
        return [(row.status, row.content is not None) for row in session.scalars(select(ExportFile).order_by(ExportFile.id))]


def export_ids(db_engine) -> list[int]:  # type: ignore[no-untyped-def]
    with Session(db_engine) as session:
        return list(session.scalars(select(ExportFile.id).order_by(ExportFile.id)))


def audit_trail(db_engine) -> list[tuple[str, int | None, int]]:  # type: ignore[no-untyped-def]
    with Session(db_engine) as session:
        return [(e.action, e.actor_person_id, e.details["households"]) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_supervisor_is_answered_at_once_and_gets_the_link_when_the_job_has_built_the_file(app, client, line_user, line_api, ids, db_engine, monkeypatch):
    answer = line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    assert answer.text.startswith(PREPARING) and "http" not in answer.text
    assert pushed(line_api, SUPERVISOR_CHAT) == [] and requests(db_engine) == [("waiting", False)]

    assert run_jobs(app) == 1
    [message] = pushed(line_api, SUPERVISOR_CHAT)
    assert "แบบสำรวจที่อนุมัติแล้วในพื้นที่ของท่าน (3 ครัวเรือน) เป็นไฟล์ Excel" in message and "ใช้ได้ 15 นาที" in message
    assert "จึงไม่ควรส่งต่อ" in message and "ถูกซ่อนบางส่วน" in message  # do not forward; IDs and phones partly hidden
    assert requests(db_engine) == [("ready", True)]

    # The web serves the stored file: nothing is built in a request any more.
    monkeypatch.setattr("bot.exports.chat_file.prepare", lambda *a, **k: pytest.fail("the download rebuilt the file"))
    # Opening the link (or LINE fetching it for a preview) shows a button and sends nothing.
    page = client.get(link_in(message))
    assert page.status_code == 200 and "ดาวน์โหลดไฟล์ Excel" in page.get_data(as_text=True) and "ไม่ส่งต่อให้ผู้อื่น" in page.get_data(as_text=True)
    response = client.post(link_in(message))
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    households = {row["house_no"]: row for row in rows_of(book["ครัวเรือน"])}
    assert set(households) == {"12/3", "15", "99"}  # approved ones of this municipality only
    assert households["12/3"]["head_national_id"] == HEAD_IDS[0][0] + "x" * 8 + HEAD_IDS[0][-4:]
    assert households["12/3"]["phone"] == "08xxxxx601"
    assert client.post(link_in(message)).data == response.data
    assert audit_trail(db_engine) == [("export.link", ids["sup"], 3), ("export.download", ids["sup"], 3), ("export.download", ids["sup"], 3)]


def test_the_link_comes_at_once_even_in_the_quiet_hours(app, line_user, line_api, ids, monkeypatch):
    # The supervisor is waiting for it, and a link held until the morning would have ended.
    night = datetime(2026, 11, 28, 16, 30, tzinfo=timezone.utc)  # 23:30 in Bangkok
    monkeypatch.setattr(app_state(app).processor, "clock", lambda: night)  # when asked
    monkeypatch.setattr("bot.runtime.utc_now", lambda: night)  # when the job runs
    line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    run_jobs(app)
    [message] = pushed(line_api, SUPERVISOR_CHAT)
    assert "เป็นไฟล์ Excel" in message


def test_a_second_request_while_the_file_is_prepared_starts_no_other(app, line_user, line_api, ids, db_engine):
    chat = line_user(SUPERVISOR_CHAT)
    chat.say("ส่งออกข้อมูล")
    again = chat.say("ส่งออกข้อมูล")
    assert again.text == "ไฟล์ Excel ของท่านกำลังจัดทำอยู่ เมื่อไฟล์พร้อม ลิงก์ดาวน์โหลดจะส่งมาในแชตนี้ทันที ไม่ต้องขอใหม่"
    assert run_jobs(app) == 1 and len(pushed(line_api, SUPERVISOR_CHAT)) == 1
    # Once it has come, asking again makes a fresh file.
    assert chat.say("ส่งออกข้อมูล").text.startswith(PREPARING)
    assert run_jobs(app) == 1 and len(pushed(line_api, SUPERVISOR_CHAT)) == 2
    assert requests(db_engine) == [("ready", True), ("ready", True)]


def test_the_job_run_twice_or_by_two_workers_at_once_pushes_once(app, line_user, line_api, ids, db_engine):
    line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    jobs = app_state(app).jobs()
    [export_id] = export_ids(db_engine)
    workers = [threading.Thread(target=jobs.prepare_export.call_local, args=(export_id,)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    jobs.prepare_export.call_local(export_id)  # a retry after it was done
    assert run_jobs(app) == 1  # and the queued run
    assert len(pushed(line_api, SUPERVISOR_CHAT)) == 1 and requests(db_engine) == [("ready", True)]
    assert [entry[0] for entry in audit_trail(db_engine)] == ["export.link"]


def test_a_request_the_queue_did_not_take_is_queued_by_the_tidy_up(app, line_user, line_api, ids, db_engine, monkeypatch):
    def queue_away():  # type: ignore[no-untyped-def]
        raise ConnectionError("Redis is away")

    monkeypatch.setattr(app_state(app).processor, "jobs", queue_away)
    assert line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล").text.startswith(PREPARING)  # asked and stored all the same
    jobs = app_state(app).jobs()
    assert jobs.tidy_exports.call_local() == 0 and run_jobs(app) == 0  # it may still be on its way
    monkeypatch.setattr("bot.runtime.utc_now", lambda: datetime.now(timezone.utc) + timedelta(minutes=2))
    assert jobs.tidy_exports.call_local() == 1 and run_jobs(app) == 1
    assert len(pushed(line_api, SUPERVISOR_CHAT)) == 1 and requests(db_engine) == [("ready", True)]


def test_a_request_whose_job_was_lost_is_run_by_the_tidy_up(app, line_user, line_api, ids, db_engine):
    # Its worker was killed while building: the claim lapses and the worker's minute job queues it again.
    line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    app_state(app).jobs().huey.flush()  # the queued job is lost
    stale = datetime.now(timezone.utc) - timedelta(minutes=21)
    with Session(db_engine) as session, session.begin():
        session.execute(update(ExportFile).values(status="building", claim_key="dead-worker", claimed_at=stale))
    assert app_state(app).jobs().tidy_exports.call_local() == 1
    assert run_jobs(app) == 1
    assert len(pushed(line_api, SUPERVISOR_CHAT)) == 1 and requests(db_engine) == [("ready", True)]


def test_a_failing_job_apologises_keeps_no_half_file_and_logs_no_personal_data(app, line_user, line_api, ids, db_engine, monkeypatch, caplog):
    def half_written(_prepared, _kind, target, *args):  # type: ignore[no-untyped-def]
        target.write_bytes(b"PK\x03\x04 half a workbook")
        raise DatabaseTimeout(f"statement timeout reading {HEAD_IDS[0]}")

    monkeypatch.setattr("bot.exports.chat_file.write", half_written)
    chat = line_user(SUPERVISOR_CHAT)
    chat.say("ส่งออกข้อมูล")
    with caplog.at_level(logging.INFO):
        run_jobs(app)
    assert pushed(line_api, SUPERVISOR_CHAT) == [APOLOGY]
    assert requests(db_engine) == [("failed", False)]
    assert "DatabaseTimeout" in caplog.text and HEAD_IDS[0] not in caplog.text
    # Asking again is not "on its way": a new file is made.
    monkeypatch.undo()
    assert chat.say("ส่งออกข้อมูล").text.startswith(PREPARING)
    run_jobs(app)
    assert "เป็นไฟล์ Excel" in pushed(line_api, SUPERVISOR_CHAT)[-1]


def test_the_link_is_refused_after_fifteen_minutes_and_the_file_deleted(app, client, line_user, line_api, ids, db_engine, monkeypatch):
    line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    run_jobs(app)
    path = link_in(pushed(line_api, SUPERVISOR_CHAT)[0])
    later = int(time.time()) + 15 * 60 + 5
    with monkeypatch.context() as patched:
        patched.setattr("itsdangerous.timed.TimestampSigner.get_timestamp", lambda _signer: later)
        response = client.get(path)
    assert response.status_code == 410 and "ลิงก์ดาวน์โหลดนี้หมดอายุแล้ว" in response.get_data(as_text=True)
    # The stored file ends with its link: refused (and deleted) on access, even were the signature still good.
    monkeypatch.setattr("bot.exports.web.utc_now", lambda: datetime.now(timezone.utc) + timedelta(minutes=16))
    assert client.post(path).status_code == 410
    assert requests(db_engine) == []
    assert [entry[0] for entry in audit_trail(db_engine)] == ["export.link"]


def test_the_worker_deletes_files_whose_links_have_ended(app, line_user, ids, db_engine, monkeypatch):
    line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    run_jobs(app)
    jobs = app_state(app).jobs()
    jobs.tidy_exports.call_local()
    assert requests(db_engine) == [("ready", True)]
    monkeypatch.setattr("bot.runtime.utc_now", lambda: datetime.now(timezone.utc) + timedelta(minutes=16))
    jobs.tidy_exports.call_local()
    assert requests(db_engine) == []


def test_the_link_is_refused_to_a_supervisor_of_another_area(app, client, line_user, line_api, ids, db_engine):
    line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    run_jobs(app)
    [export_id] = export_ids(db_engine)
    # A link naming this municipality but made out to the other municipality's supervisor (as if forwarded and edited: it would not
    # even be signed); the real one's file asked for by the other supervisor's own area; a link whose supervisor has since moved
    # to one community: all refused, nothing served.
    forged = make_token(Grant(ids["other_sup"], ids["town"], None), export_id)
    response = client.get(f"/exports/{forged}")
    assert response.status_code == 403 and "ท่านไม่มีสิทธิ์ใช้ลิงก์ดาวน์โหลดนี้" in response.get_data(as_text=True)
    assert client.post(f"/exports/{make_token(Grant(ids['other_sup'], ids['other'], None), export_id)}").status_code == 410
    token = link_in(pushed(line_api, SUPERVISOR_CHAT)[0]).rsplit("/", 1)[1]
    assert client.get(f"/exports/{token[:-2]}xx").status_code == 404
    with Session(db_engine) as session, session.begin():
        session.get(Person, ids["sup"]).community_id = ids["north"]
    assert client.post(f"/exports/{token}").status_code == 403
    assert [entry[0] for entry in audit_trail(db_engine)] == ["export.link"]


def test_the_other_supervisor_gets_only_their_own_area(app, client, line_user, line_api, ids):
    line_user(OTHER_SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    run_jobs(app)
    book = load_workbook(io.BytesIO(client.post(link_in(pushed(line_api, OTHER_SUPERVISOR_CHAT)[0])).data))
    assert {row["house_no"] for row in rows_of(book["ครัวเรือน"])} == {"1"}


def test_nothing_approved_means_no_file_and_volunteers_get_none(app, line_user, ids, db_engine):
    with Session(db_engine) as session, session.begin():
        session.execute(Person.__table__.update().where(Person.id == ids["sup"]).values(community_id=ids["south"]))
        session.get(Household, ids["old"]).approval = "awaiting"
    answer = line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    assert "ยังไม่มีแบบสำรวจที่อนุมัติแล้วในพื้นที่ของท่านให้ส่งออก" in answer.text and "http" not in answer.text
    assert line_user(VOLUNTEER_CHAT).say("ส่งออกข้อมูล").texts == ["ขออภัย ท่านไม่มีสิทธิ์ใช้เมนูนี้"]
    assert run_jobs(app) == 0 and requests(db_engine) == []


def test_erasing_a_household_deletes_the_stored_files_that_hold_it(app, client, line_user, line_api, ids, db_engine):
    from bot.dialogs.form import current_form
    from storage.forget import forget_household

    line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    run_jobs(app)
    with Session(db_engine) as session, session.begin():
        forget_household(session, session.get(Household, ids["h1"]), current_form().personal_codes(), datetime.now(timezone.utc))
    assert requests(db_engine) == []
    assert client.post(link_in(pushed(line_api, SUPERVISOR_CHAT)[0])).status_code == 410


@pytest.mark.skipif(not os.environ.get("THAIQM_TEST_DATABASE_URL"), reason="the worker processes need a database they share with the app: the PostgreSQL leg")
def test_workers_on_redis_build_the_file_once_and_the_app_serves_it(config, database_url, line_api_url, line_api, ids, db_engine, tmp_path):
    # As in production: the web app queues on Redis, two `thaiqm-bot worker` processes consume, the file goes through the database.
    if not redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    from bot.app import create_app
    from bot.state import close_app
    from tests.support.line_chat import LineChat, flask_poster

    name = f"thaiqm-test-{uuid.uuid4().hex[:8]}"
    worker_env = {
        **os.environ, "DATABASE_URL": database_url, "LINE_CHANNEL_SECRET": CHANNEL_SECRET, "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN, "LINE_API_BASE_URL": line_api_url,
        "DATA_KEY": DATA_KEY, "REDIS_URL": "redis://127.0.0.1:6379/15", "THAIQM_JOBS_NAME": name, "THAIQM_INSTANCE_PATH": str(tmp_path), "PUBLIC_BASE_URL": "https://bot.test",
    }
    app = create_app(config.with_overrides(redis_url="redis://127.0.0.1:6379/15", jobs_name=name))
    workers = [subprocess.Popen([sys.executable, "-m", "bot.cli", "worker", "--workers", "1"], env=worker_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
    try:
        client = app.test_client()
        chat = LineChat(flask_poster(client), CHANNEL_SECRET, line_api, SUPERVISOR_CHAT)
        assert chat.say("ส่งออกข้อมูล").text.startswith(PREPARING)
        app_state(app).jobs().prepare_export(export_ids(db_engine)[0])  # queued twice: one worker each
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not pushed(line_api, SUPERVISOR_CHAT):
            time.sleep(0.2)
        time.sleep(2)  # a second push, had the other run made one, would have come by now
        messages = pushed(line_api, SUPERVISOR_CHAT)
        assert len(messages) == 1, messages
        response = client.post(link_in(messages[0]))
        assert response.status_code == 200
        households = {row["house_no"]: row for row in rows_of(load_workbook(io.BytesIO(response.data))["ครัวเรือน"])}
        assert households["12/3"]["head_national_id"] == HEAD_IDS[0][0] + "x" * 8 + HEAD_IDS[0][-4:]
    finally:
        for worker in workers:
            worker.terminate()
        errors = [worker.communicate(timeout=10)[1].decode(errors="replace") for worker in workers]
        close_app(app)
    assert not any("Traceback" in text for text in errors), errors



def test_a_household_erased_while_its_area_is_being_built_is_not_in_the_file_announced(app, line_user, line_api, ids, db_engine, monkeypatch):
    # The build read the household before its erasure: that file is never announced; the request is built again without it.
    from bot.dialogs.form import current_form
    from bot.exports import chat_file
    from storage.forget import forget_household

    real_prepare = chat_file.prepare

    def read_then_erased(session, filters, options):  # type: ignore[no-untyped-def]
        prepared = real_prepare(session, filters, options)
        with Session(db_engine) as other, other.begin():
            forget_household(other, other.get(Household, ids["h1"]), current_form().personal_codes(), datetime.now(timezone.utc))
        monkeypatch.setattr(chat_file, "prepare", real_prepare)
        return prepared

    monkeypatch.setattr(chat_file, "prepare", read_then_erased)
    line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    assert run_jobs(app) == 1
    assert pushed(line_api, SUPERVISOR_CHAT) == [] and requests(db_engine) == [("waiting", False)]
    monkeypatch.setattr("bot.runtime.utc_now", lambda: datetime.now(timezone.utc) + timedelta(minutes=2))
    jobs = app_state(app).jobs()
    assert jobs.tidy_exports.call_local() == 1 and run_jobs(app) == 1
    assert len(pushed(line_api, SUPERVISOR_CHAT)) == 1 and requests(db_engine) == [("ready", True)]


def test_a_long_build_renews_its_claim_and_stops_when_it_is_taken_over(app, line_user, line_api, ids, db_engine, monkeypatch):
    from bot.exports import chat_file

    monkeypatch.setattr(chat_file, "RENEW_EVERY", timedelta(0))  # every progress step renews
    real_write = chat_file.write
    claims: list[datetime] = []

    def slow_write(prepared, kind, target, progress):  # type: ignore[no-untyped-def]
        progress(1000)
        with Session(db_engine) as session:
            claims.append(session.scalar(select(ExportFile.expires_at)))
        real_write(prepared, kind, target, progress)

    monkeypatch.setattr(chat_file, "write", slow_write)
    line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    assert run_jobs(app) == 1 and len(pushed(line_api, SUPERVISOR_CHAT)) == 1 and claims  # renewed, then done

    def taken_over(prepared, kind, target, progress):  # type: ignore[no-untyped-def]
        with Session(db_engine) as session, session.begin():  # another run took the request meanwhile
            session.execute(update(ExportFile).where(ExportFile.status == "building").values(claim_key="another-run"))
        progress(1000)
        raise AssertionError("the build went on without its claim")

    monkeypatch.setattr(chat_file, "write", taken_over)
    monkeypatch.setattr("bot.runtime.utc_now", lambda: datetime.now(timezone.utc) + timedelta(minutes=16))  # the first link has ended
    line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    assert run_jobs(app) == 1
    assert len(pushed(line_api, SUPERVISOR_CHAT)) == 1  # no apology, no second link: the other run announces

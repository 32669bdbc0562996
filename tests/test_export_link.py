"""A supervisor asks for an export in the chat: a link served by the app, for 15 minutes, for their area only, recorded in the audit log."""

from __future__ import annotations

import io
import re
import time

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.exports.links import Grant, make_token
from storage.models import AuditEntry, Person
from tests.support.export_seed import HEAD_IDS, OTHER_SUPERVISOR_CHAT, SUPERVISOR_CHAT, VOLUNTEER_CHAT, seed_small
from tests.test_export import rows_of

LINK = re.compile(r"http://bot\.test(/exports/\S+)")


@pytest.fixture
def config(config):  # type: ignore[no-untyped-def]
    return config.with_overrides(public_base_url="http://bot.test")


@pytest.fixture
def ids(db_engine):  # type: ignore[no-untyped-def]
    return seed_small(db_engine).ids


def link_of(answer) -> str:  # type: ignore[no-untyped-def]
    found = LINK.search(answer.text)
    assert found, answer.text
    return found[1]


def test_supervisor_gets_a_link_to_the_approved_records_of_their_area_with_ids_masked(client, line_user, ids, db_engine):
    answer = line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    assert "แบบสำรวจที่อนุมัติแล้วในพื้นที่ของท่าน (3 ครัวเรือน) เป็นไฟล์ Excel" in answer.text and "ใช้ได้ 15 นาที" in answer.text
    # Opening the link (or LINE fetching it for a preview) shows a button and builds nothing.
    page = client.get(link_of(answer))
    assert page.status_code == 200 and "ดาวน์โหลดไฟล์ Excel" in page.get_data(as_text=True)
    response = client.post(link_of(answer))
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    households = {row["house_no"]: row for row in rows_of(book["ครัวเรือน"])}
    assert set(households) == {"12/3", "15", "99"}  # approved ones of this municipality only
    assert households["12/3"]["head_national_id"] == HEAD_IDS[0][0] + "x" * 8 + HEAD_IDS[0][-4:]
    assert households["12/3"]["phone"] == "08xxxxx601"
    with Session(db_engine) as session:
        entries = [(e.action, e.actor_person_id, e.details["households"]) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert entries == [("export.link", ids["sup"], 3), ("export.download", ids["sup"], 3)]


def test_the_link_is_refused_after_fifteen_minutes(client, line_user, ids, monkeypatch):
    path = link_of(line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล"))
    later = int(time.time()) + 15 * 60 + 5
    monkeypatch.setattr("itsdangerous.timed.TimestampSigner.get_timestamp", lambda _signer: later)
    response = client.get(path)
    assert response.status_code == 410 and "ลิงก์ดาวน์โหลดนี้หมดอายุแล้ว" in response.get_data(as_text=True)


def test_the_link_is_refused_to_a_supervisor_of_another_area(client, ids, db_engine):
    # A link naming this municipality but made out to the other municipality's supervisor (as if forwarded and edited: it would not
    # even be signed), and a link of a supervisor who has since moved to one community: both refused.
    forged = make_token(Grant(ids["other_sup"], ids["town"], None))
    response = client.get(f"/exports/{forged}")
    assert response.status_code == 403 and "ท่านไม่มีสิทธิ์ใช้ลิงก์ดาวน์โหลดนี้" in response.get_data(as_text=True)
    token = make_token(Grant(ids["sup"], ids["town"], None))
    with Session(db_engine) as session, session.begin():
        session.get(Person, ids["sup"]).community_id = ids["north"]
    assert client.get(f"/exports/{token}").status_code == 403
    assert client.get(f"/exports/{token[:-2]}xx").status_code == 404
    with Session(db_engine) as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "export.download")).all() == []


def test_the_other_supervisor_gets_only_their_own_area(client, line_user, ids):
    answer = line_user(OTHER_SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    book = load_workbook(io.BytesIO(client.post(link_of(answer)).data))
    assert {row["house_no"] for row in rows_of(book["ครัวเรือน"])} == {"1"}


def test_nothing_approved_means_no_link_and_volunteers_get_none(line_user, ids, db_engine):
    with Session(db_engine) as session, session.begin():
        session.execute(Person.__table__.update().where(Person.id == ids["sup"]).values(community_id=ids["south"]))
    from storage.models import Household

    with Session(db_engine) as session, session.begin():
        session.get(Household, ids["old"]).approval = "awaiting"
    answer = line_user(SUPERVISOR_CHAT).say("ส่งออกข้อมูล")
    assert "ยังไม่มีแบบสำรวจที่อนุมัติแล้วในพื้นที่ของท่านให้ส่งออก" in answer.text and "http" not in answer.text
    assert line_user(VOLUNTEER_CHAT).say("ส่งออกข้อมูล").texts == ["ขออภัย ท่านไม่มีสิทธิ์ใช้เมนูนี้"]

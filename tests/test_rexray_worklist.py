"""The Re-X-ray worklist in the chat: only sub-district volunteers have it; paged, searched, and a missed household added."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Household
from storage.round_import import HouseholdRecord, ProblemRecord, store_round
from tests.support.world import World

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)
SUBDISTRICT_VOLUNTEER = "U" + "7" * 32
CITY_VOLUNTEER = "U" + "8" * 32


@pytest.fixture
def world(db_engine) -> World:  # type: ignore[no-untyped-def]
    """A sub-district municipality whose volunteer has 25 households of 2565 to revisit, and a city volunteer."""
    w = World(db_engine)
    town, city = w.municipality("เทศบาลตำบลเมืองเพีย", "401005", "subdistrict"), w.municipality("เทศบาลนครขอนแก่น", "400101", "city")
    north, south = w.community(town, "ชุมชนเหนือ"), w.community(town, "ชุมชนใต้")
    volunteer = w.person("volunteer", town, north, name="สมศรี เดินดี", line_user_id=SUBDISTRICT_VOLUNTEER)
    w.person("volunteer", city, w.community(city, "ชุมชนกลาง"), name="สมชาย ในเมือง", line_user_id=CITY_VOLUNTEER)
    records = [
        HouseholdRecord(order=n, community_id=south if n % 2 else north, house_no=f"{n}/1", head_name=f"นาย{'สมบัติ' if n == 7 else 'ทดสอบ'} คนที่{n}",
                        problems=[ProblemRecord("H1", "health"), ProblemRecord("A3", "accessibility"), ProblemRecord("I4", "income")][: 1 + n % 3])
        for n in range(1, 26)
    ]
    with Session(db_engine) as session, session.begin():
        store_round(session, town, "2565", records, {None: [volunteer]}, NOW)
    return w


def texts_in(node: Any) -> list[str]:
    """Every text of a Flex message, in order."""
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "text" and "text" in node else []
        return own + [t for value in node.values() for t in texts_in(value)]
    if isinstance(node, list):
        return [t for value in node for t in texts_in(value)]
    return []


def bubbles(replies) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The texts of each bubble of the reply's carousels."""
    return [texts_in(b) for m in replies.messages if m["type"] == "flex" for b in m["contents"]["contents"]]


def test_menus_differ_between_sub_district_and_city_volunteers(line_user, world):
    assert "Re-X-ray ครัวเรือน" in line_user(SUBDISTRICT_VOLUNTEER).say("เมนู").buttons
    city = line_user(CITY_VOLUNTEER)
    assert "Re-X-ray ครัวเรือน" not in city.say("เมนู").buttons
    assert "เทศบาลตำบล" in city.say("รีเอกซเรย์").text


def test_the_worklist_pages_through_households_in_walking_order(line_user, world):
    chat = line_user(SUBDISTRICT_VOLUNTEER)
    first = chat.say("รีเอกซเรย์")
    assert "เรียงตามเส้นทางเดิน: ลำดับที่ 1-10 จาก 25 ครัวเรือน" in first.text
    cards = bubbles(first)
    assert len(cards) == 10
    # ชุมชนเหนือ first (the even house numbers), in the file's order.
    assert cards[0][:2] == ["บ้านเลขที่ 2/1", "หัวหน้าครัวเรือน"] and "ชุมชนเหนือ" in cards[0]
    assert "3" in cards[0] and "0 จาก 3 ข้อ" in cards[0]  # 2/1 has three problems, none checked
    assert "0 จาก 2 ข้อ" in cards[1]
    assert first.buttons == ["หน้าถัดไป", "เพิ่มครัวเรือนตกหล่น", "เพิ่มครัวเรือนใหม่"]
    second = chat.tap_button(first, "หน้าถัดไป")
    assert "ลำดับที่ 11-20 จาก 25" in second.text and second.buttons == ["หน้าก่อนหน้า", "หน้าถัดไป", "เพิ่มครัวเรือนตกหล่น", "เพิ่มครัวเรือนใหม่"]
    last = chat.tap_button(second, "หน้าถัดไป")
    assert len(bubbles(last)) == 5 and "บ้านเลขที่ 25/1" in bubbles(last)[-1] and last.buttons == ["หน้าก่อนหน้า", "เพิ่มครัวเรือนตกหล่น", "เพิ่มครัวเรือนใหม่"]
    assert "ลำดับที่ 1-10" in chat.tap_button(second, "หน้าก่อนหน้า").text


def test_the_worklist_is_searched_by_house_number_or_head_name(line_user, world):
    chat = line_user(SUBDISTRICT_VOLUNTEER)
    by_name = chat.say("รีเอกซเรย์ สมบัติ")
    assert "ตรงกับ “สมบัติ”: ลำดับที่ 1-1 จาก 1" in by_name.text and bubbles(by_name)[0][0] == "บ้านเลขที่ 7/1"
    by_number = chat.say("re-x-ray 12")
    assert [card[0] for card in bubbles(by_number)] == ["บ้านเลขที่ 12/1"]
    assert "ไม่พบครัวเรือนที่ตรงกับ “99”" in chat.say("รีเอกซเรย์ 99").text


def test_a_missed_household_starts_the_full_survey_marked_missed(line_user, world, db_engine):
    chat = line_user(SUBDISTRICT_VOLUNTEER)
    started = chat.tap_button(chat.say("รีเอกซเรย์"), "เพิ่มครัวเรือนตกหล่น")
    assert "ครัวเรือนตกหล่น" in started.text and "ยินยอม" in started.text
    with Session(db_engine) as session:
        [draft] = session.scalars(select(Household).where(Household.status == "draft")).all()
        assert (draft.origin, draft.round_name, draft.rexray_status) == ("missed", "2566", None)

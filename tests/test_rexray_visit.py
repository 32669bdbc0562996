"""The Re-X-ray visit in the chat: a household of 2565 revisited problem by problem, on the Re-X-ray form."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.chat import postback
from storage.models import Household, HouseholdProblem
from storage.problem_history import ProblemHistory
from storage.round_import import HouseholdRecord, ProblemRecord, store_round
from tests.support.world import World

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)
VOLUNTEER = "U" + "5" * 32
OTHER_VOLUNTEER = "U" + "6" * 32
CITY_VOLUNTEER = "U" + "4" * 32


@pytest.fixture
def world(db_engine) -> World:  # type: ignore[no-untyped-def]
    """A sub-district municipality: its volunteer revisits 12 households of 2565, another volunteer 1; a city volunteer."""
    w = World(db_engine)
    town, city = w.municipality("เทศบาลตำบลเมืองเพีย", "401005", "subdistrict"), w.municipality("เทศบาลนครขอนแก่น", "400101", "city")
    north = w.community(town, "ชุมชนเหนือ")
    volunteer = w.person("volunteer", town, north, name="สมศรี เดินดี", line_user_id=VOLUNTEER)
    other = w.person("volunteer", town, north, name="สมปอง อีกคน", line_user_id=OTHER_VOLUNTEER)
    w.person("volunteer", city, w.community(city, "ชุมชนกลาง"), name="สมชาย ในเมือง", line_user_id=CITY_VOLUNTEER)
    three = [
        ProblemRecord("H1", "health", member_no=2, detail="แม่ติดเตียงหลังหกล้ม"),
        ProblemRecord("A3", "accessibility", member_no=1),
        ProblemRecord("I4", "income", detail="หนี้นอกระบบ 50,000 บาท"),
    ]
    records = [HouseholdRecord(order=1, community_id=north, house_no="5/1", head_name="นายมานะ ขยันดี", member_count=4, problems=three)]
    records += [HouseholdRecord(order=n, community_id=north, house_no=f"{n}/2", head_name=f"นายทดสอบ คนที่{n}", problems=[ProblemRecord("L2", "living")]) for n in range(2, 13)]
    with Session(db_engine) as session, session.begin():
        store_round(session, town, "2565", records, {None: [volunteer]}, NOW)
        store_round(session, town, "2565", [HouseholdRecord(order=20, community_id=north, house_no="99/9", head_name="นางอื่น ของคนอื่น", problems=[ProblemRecord("H1", "health")])], {None: [other]}, NOW)
    w.ids.update(town=town, volunteer=volunteer, other=other)
    return w


def household_id(db_engine, house_no: str) -> int:  # type: ignore[no-untyped-def]
    """The earlier round's household with this house number."""
    with Session(db_engine) as session:
        return session.scalars(select(Household.id).where(Household.round_name == "2565", Household.house_no == house_no)).one()


def flex_buttons(node: Any) -> list[dict[str, Any]]:
    """Every button of a Flex message (label and action), in order."""
    if isinstance(node, dict):
        own = [node["action"]] if node.get("type") == "button" else []
        return own + [b for value in node.values() for b in flex_buttons(value)]
    if isinstance(node, list):
        return [b for value in node for b in flex_buttons(value)]
    return []


def texts_in(node: Any) -> list[str]:
    """Every text of a Flex message, in order."""
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "text" and "text" in node else []
        return own + [t for value in node.values() for t in texts_in(value)]
    if isinstance(node, list):
        return [t for value in node for t in texts_in(value)]
    return []


def card_of(replies, house_no: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The worklist card (a Flex bubble) of one house."""
    bubbles = [b for m in replies.messages if m["type"] == "flex" for b in m["contents"]["contents"]]
    return next(b for b in bubbles if f"บ้านเลขที่ {house_no}" in texts_in(b))


def start(chat, house_no: str):  # type: ignore[no-untyped-def]
    """Find the house in the worklist and tap its card's button."""
    listing = chat.say(f"รีเอกซเรย์ {house_no}")
    [button] = flex_buttons(card_of(listing, house_no))
    return chat.tap(button["data"])


def test_a_full_visit_records_each_problems_outcome_a_new_problem_and_the_receipt(line_user, world, db_engine):
    chat = line_user(VOLUNTEER)
    listing = chat.say("รีเอกซเรย์ 5/1")
    [button] = flex_buttons(card_of(listing, "5/1"))
    assert button["label"] == "เริ่มเยี่ยมครัวเรือน" and button["data"] == postback.encode("rx", a="visit", h=household_id(db_engine, "5/1"))
    first = chat.tap(button["data"])
    assert "เยี่ยม Re-X-ray บ้านเลขที่ 5/1 (หัวหน้าครัวเรือน นายมานะ ขยันดี): มีปัญหาที่บันทึกไว้ในปี 2565 จำนวน 3 ข้อ" in first.text
    assert "ครัวเรือนนี้ยังอาศัยอยู่ที่บ้านหลังนี้หรือไม่" in first.text
    assert first.buttons[:4] == ["1. อยู่", "2. ย้ายออก", "3. ไม่พบครัวเรือน", "4. ไม่มีผู้อาศัยแล้ว"]
    same = chat.tap_button(chat.tap_button(first, "1. อยู่"), "1. เหมือนเดิม")
    # Problem 1: what 2565 recorded, in Thai, never its code.
    assert "บันทึกไว้ในปี 2565: “มีผู้ป่วยติดเตียง” (ปัญหาด้านสุขภาพ) ของ สมาชิกคนที่ 2 รายละเอียด: แม่ติดเตียงหลังหกล้ม" in same.text
    assert "H1" not in same.text and "รายการที่ 1/3" in same.text
    assert same.buttons[:5] == ["1. ช่วยเหลือแล้ว", "2. แก้ไขได้ด้วยตนเอง", "3. ระหว่างดำเนินการ", "4. ยังไม่ได้แก้ไข", "5. ไม่พบปัญหานี้แล้ว"]
    partners = chat.tap_button(same, "1. ช่วยเหลือแล้ว")
    assert "ภาคีเครือข่ายใดช่วยเหลือเรื่อง “มีผู้ป่วยติดเตียง”" in partners.text and "1. ภาครัฐ" in partners.text and "7. ภาคสื่อมวลชน" in partners.text
    ticked = chat.tap_button(chat.tap_button(partners, "1. ภาครัฐ"), "5. ภาคประชาชน")
    kinds = chat.tap_button(ticked, "เสร็จสิ้น")
    assert "ได้รับความช่วยเหลือรูปแบบใดสำหรับ “มีผู้ป่วยติดเตียง”" in kinds.text and "6. ส่งต่อการรักษา" in kinds.text
    agency = chat.tap_button(chat.tap_button(kinds, "6. ส่งต่อการรักษา"), "เสร็จสิ้น")
    assert "หน่วยงานหรือองค์กรใดให้ความช่วยเหลือ" in agency.text and "ข้าม" in agency.buttons
    when = chat.say("โรงพยาบาลส่งเสริมสุขภาพตำบลเมืองเพีย")
    assert "ได้รับความช่วยเหลือเมื่อใด" in when.text
    note = chat.say("วันนี้")
    assert "บันทึกเรื่อง “มีผู้ป่วยติดเตียง”" in note.text and "ข้าม" in note.buttons  # optional once helped
    # Problem 2: not solved yet, so its note is required; an empty one is refused and asked again.
    second = chat.tap_button(note, "ข้าม")
    assert "บันทึกไว้ในปี 2565: “ผู้สูงอายุไม่ได้รับเบี้ยยังชีพ” (ปัญหาด้านการเข้าถึงบริการรัฐ) ของ นายมานะ ขยันดี รายละเอียด: -" in second.text
    required = chat.tap_button(second, "4. ยังไม่ได้แก้ไข")
    assert "ภาคีเครือข่าย" not in required.text  # no help was given: networks and help are not asked
    assert "บันทึกเรื่อง “ผู้สูงอายุไม่ได้รับเบี้ยยังชีพ”" in required.text and "ข้าม" not in required.buttons
    refused = chat.say("ข้าม")
    assert "ปัญหานี้ยังไม่ได้รับการแก้ไข จึงต้องมีบันทึก กรุณาเขียนว่าติดขัดอะไร และขั้นตอนต่อไปคืออะไร" in refused.text
    assert "บันทึกเรื่อง “ผู้สูงอายุไม่ได้รับเบี้ยยังชีพ”" in refused.text
    third = chat.say("รอเอกสารรับรองสิทธิจากอำเภอ นัดยื่นเรื่องสัปดาห์หน้า")
    assert "“มีหนี้นอกระบบ” (ปัญหาด้านรายได้) ของ ทั้งครัวเรือน รายละเอียด: หนี้นอกระบบ 50,000 บาท" in third.text
    gone = chat.tap_button(third, "5. ไม่พบปัญหานี้แล้ว")
    health = chat.tap_button(gone, "ข้าม")
    assert "ด้านสุขภาพ: ตอนนี้ครัวเรือนมีปัญหาใดต่อไปนี้ที่ยังไม่เคยบันทึกไว้หรือไม่" in health.text and "6. ไม่มีปัญหาใหม่" in health.buttons
    living = chat.tap_button(health, "6. ไม่มีปัญหาใหม่")
    detail = chat.tap_button(chat.tap_button(living, "2. บ้านชำรุด"), "เสร็จสิ้น")
    assert "ทั้งครัวเรือน" not in detail.buttons  # a new problem is the whole household's: whom is not asked
    education = chat.say("หลังคารั่วทั้งหลัง")
    assert "ด้านการศึกษา" in education.text
    review = education
    for _dimension in ("education", "income", "accessibility"):
        review = chat.tap_button(review, next(b for b in review.buttons if b.endswith("ไม่มีปัญหาใหม่")))
    cards = [texts_in(m) for m in review.messages if m["type"] == "flex"]
    assert cards and "ยังไม่ได้รับการแก้ไข" in cards[0] and "รอเอกสารรับรองสิทธิจากอำเภอ นัดยื่นเรื่องสัปดาห์หน้า" in cards[0]
    assert [m["altText"] for m in review.messages if m["type"] == "flex"] == ["สรุปผลการเยี่ยม Re-X-ray"]  # not the survey's review
    assert "ยืนยันส่ง" in review.buttons
    done = chat.tap_button(review, "ยืนยันส่ง")
    assert "การ Re-X-ray ของ บ้านเลขที่ 5/1 · นายมานะ ขยันดี ตรวจสอบแล้ว" in done.text and "เลขที่แบบสำรวจ: QM-2566-" in done.text

    with Session(db_engine) as session:
        earlier = session.get(Household, household_id(db_engine, "5/1"))
        assert (earlier.rexray_status, earlier.presence) == ("done", "present")
        problems = {p.code: p for p in session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == earlier.id))}
        assert {code: p.status for code, p in problems.items()} == {"H1": "helped", "A3": "not_resolved", "I4": "not_applicable", "L2": "found"}
        helped = problems["H1"]
        assert (helped.partners, helped.help_kinds, helped.agency, helped.note) == ("government citizens", "treatment", "โรงพยาบาลส่งเสริมสุขภาพตำบลเมืองเพีย", None)
        assert helped.help_date is not None and helped.status_changed_by == world.ids["volunteer"]
        assert (problems["A3"].partners, problems["A3"].note) == (None, "รอเอกสารรับรองสิทธิจากอำเภอ นัดยื่นเรื่องสัปดาห์หน้า")
        assert (problems["L2"].found_round, problems["L2"].detail, problems["L2"].member_no) == ("2566", "หลังคารั่วทั้งหลัง", None)
        history = session.scalars(select(ProblemHistory).where(ProblemHistory.household_id == earlier.id).order_by(ProblemHistory.id)).all()
        changes = {(h.problem_id, h.old_status, h.new_status, h.via, h.round_name) for h in history if h.via != "import"}
        assert changes == {
            (problems["H1"].id, "found", "helped", "rexray", "2566"), (problems["A3"].id, "found", "not_resolved", "rexray", "2566"),
            (problems["I4"].id, "found", "not_applicable", "rexray", "2566"), (problems["L2"].id, None, "found", "survey", "2566"),
        }
        [visit] = session.scalars(select(Household).where(Household.revisit_of == earlier.id)).all()
        assert (visit.status, visit.round_name, visit.receipt_no) == ("verified", "2566", f"QM-2566-{visit.id:06d}")
        assert visit.receipt_no in done.text
    assert "5/1" not in chat.say("รีเอกซเรย์").text  # verified: off the worklist
    # One problem is marked solved: the receipt leads straight to the household's confirmation.
    assert "มีปัญหาที่บันทึกว่าแก้ไขแล้ว 1 ข้อ รอครัวเรือนยืนยัน" in done.text
    assert done.buttons[:2] == ["ขอรหัสยืนยัน", "ยืนยันโดยไม่ใช้ LINE"]
    code = chat.tap_button(done, "ขอรหัสยืนยัน")
    assert re.search(r"\b\d{6}\b", code.text), code.text


def test_a_household_that_moved_ends_the_visit_with_its_presence(line_user, world, db_engine):
    chat = line_user(VOLUNTEER)
    moved = chat.tap_button(start(chat, "5/1"), "2. ย้ายออก")
    cards = [texts_in(m) for m in moved.messages if m["type"] == "flex"]
    assert cards and "ย้ายออก" in cards[0] and "ตอนนี้ปัญหานี้อยู่ในสถานะใด" not in str(cards)  # the review: nothing more asked
    done = chat.tap_button(moved, "ยืนยันส่ง")
    assert "บันทึกครัวเรือน บ้านเลขที่ 5/1 · นายมานะ ขยันดี ว่า “ย้ายออก” และการ Re-X-ray ตรวจสอบแล้ว" in done.text and "เลขที่แบบสำรวจ: QM-2566-" in done.text
    with Session(db_engine) as session:
        earlier = session.get(Household, household_id(db_engine, "5/1"))
        assert (earlier.rexray_status, earlier.presence) == ("done", "moved")
        assert set(session.scalars(select(HouseholdProblem.status).where(HouseholdProblem.household_id == earlier.id))) == {"found"}


def test_a_paused_visit_resumes_from_continue_or_its_card_where_it_stopped(line_user, world, db_engine):
    chat = line_user(VOLUNTEER)
    status = chat.tap_button(chat.tap_button(start(chat, "5/1"), "1. อยู่"), "1. เหมือนเดิม")
    partners = chat.tap_button(status, "1. ช่วยเหลือแล้ว")
    paused = chat.tap_button(partners, "พัก")
    assert "พักการเยี่ยม Re-X-ray แล้ว ทุกคำตอบบันทึกไว้เรียบร้อย" in paused.text and paused.buttons == ["ทำต่อ", "Re-X-ray ครัวเรือน"]
    listing = chat.say("รีเอกซเรย์ 5/1")
    [button] = flex_buttons(card_of(listing, "5/1"))
    assert button["label"] == "เยี่ยมต่อจากที่ค้างไว้"
    resumed = chat.say("ทำต่อ")
    assert "ทำการเยี่ยม Re-X-ray ของ บ้านเลขที่ 5/1 · นายมานะ ขยันดี ต่อ" in resumed.text and "ภาคีเครือข่ายใดช่วยเหลือเรื่อง “มีผู้ป่วยติดเตียง”" in resumed.text
    chat.tap_button(resumed, "พัก")
    again = chat.tap(button["data"])
    assert "ภาคีเครือข่ายใดช่วยเหลือเรื่อง “มีผู้ป่วยติดเตียง”" in again.text
    back = chat.tap_button(again, "ย้อนกลับ")
    assert "ตอนนี้ปัญหานี้อยู่ในสถานะใด" in back.text and "คำตอบเดิม: ช่วยเหลือแล้ว (แก้ไขแล้ว)" in back.text
    stale = chat.tap(partners.action("1. ภาครัฐ")["data"])  # a button of a question no longer in hand
    assert "ปุ่มนั้นเป็นของคำถามที่ตอบไปแล้ว" in stale.text
    with Session(db_engine) as session:
        [visit] = session.scalars(select(Household).where(Household.revisit_of == household_id(db_engine, "5/1"))).all()
        assert visit.status == "draft" and session.get(Household, visit.revisit_of).rexray_status == "started"


def test_cancel_keeps_the_answers_and_puts_the_household_back_on_the_list(line_user, world, db_engine):
    chat = line_user(VOLUNTEER)
    asked = chat.tap_button(start(chat, "5/1"), "1. อยู่")
    confirm = chat.say("ยกเลิก")
    assert "ต้องการยกเลิกการเยี่ยม Re-X-ray ครั้งนี้หรือไม่" in confirm.text
    cancelled = chat.tap_button(confirm, "ยืนยันยกเลิก")
    assert "ยกเลิกการเยี่ยม Re-X-ray แล้ว" in cancelled.text
    assert "ครัวเรือนนี้ยังอาศัยอยู่ที่บ้านหลังนี้หรือไม่" in start(chat, "5/1").text  # a new visit
    with Session(db_engine) as session:
        visits = session.scalars(select(Household.status).where(Household.revisit_of == household_id(db_engine, "5/1")).order_by(Household.id)).all()
        assert visits == ["cancelled", "draft"]
    assert asked.buttons


def test_a_forged_visit_of_another_volunteers_household_is_refused_and_shows_nothing(line_user, world, db_engine):
    chat = line_user(VOLUNTEER)
    others = household_id(db_engine, "99/9")
    refused = chat.tap(postback.encode("rx", a="visit", h=others))
    assert "ปุ่มนี้ไม่สามารถใช้งานได้แล้ว" in refused.text and "99/9" not in refused.text and "นางอื่น" not in refused.text
    assert "ปุ่มนี้ไม่สามารถใช้งานได้แล้ว" in chat.tap(postback.encode("rx", a="visit", h="abc")).text
    city = line_user(CITY_VOLUNTEER).tap(postback.encode("rx", a="visit", h=others))
    assert "เทศบาลตำบล" in city.text and "99/9" not in city.text
    with Session(db_engine) as session:
        assert session.scalars(select(Household).where(Household.revisit_of.is_not(None))).all() == []
        assert session.get(Household, others).rexray_status == "pending"


def test_the_worklist_pages_and_searches_with_each_cards_start_button(line_user, world, db_engine):
    chat = line_user(VOLUNTEER)
    first = chat.say("รีเอกซเรย์")
    bubbles = [b for m in first.messages if m["type"] == "flex" for b in m["contents"]["contents"]]
    assert len(bubbles) == 10 and all(flex_buttons(b)[0]["label"] == "เริ่มเยี่ยมครัวเรือน" for b in bubbles)
    assert first.buttons == ["หน้าถัดไป", "เพิ่มครัวเรือนตกหล่น", "เพิ่มครัวเรือนใหม่"]
    second = chat.tap_button(first, "หน้าถัดไป")
    last = [b for m in second.messages if m["type"] == "flex" for b in m["contents"]["contents"]]
    assert len(last) == 2 and flex_buttons(last[-1])[0]["data"] == postback.encode("rx", a="visit", h=household_id(db_engine, "12/2"))
    found = chat.say("รีเอกซเรย์ มานะ")
    assert [flex_buttons(card_of(found, "5/1"))[0]["data"]] == [postback.encode("rx", a="visit", h=household_id(db_engine, "5/1"))]


def test_a_missed_or_newly_distressed_household_starts_the_survey_marked_so(line_user, world, db_engine):
    chat = line_user(VOLUNTEER)
    missed = chat.tap_button(chat.say("รีเอกซเรย์"), "เพิ่มครัวเรือนตกหล่น")
    assert "ครัวเรือนที่ตกหล่นจากการสำรวจรอบก่อน" in missed.text and "ยินยอม" in missed.text
    respondent = chat.tap_button(missed, "1. ยินยอม")
    chat.say("1")
    chat.say("วันนี้")  # household data: a draft with only consent and respondent is dropped as empty
    chat.say("พัก")
    assert respondent.buttons
    new = chat.tap_button(chat.say("รีเอกซเรย์"), "เพิ่มครัวเรือนใหม่")
    assert "ครัวเรือนที่เดือดร้อนรายใหม่: การสำรวจนี้จะบันทึกเป็นครัวเรือนเดือดร้อนรายใหม่" in new.text and "ยินยอม" in new.text
    with Session(db_engine) as session:
        origins = session.scalars(select(Household.origin).where(Household.round_name == "2566").order_by(Household.id)).all()
    assert origins == ["missed", "new"]


def test_menus_of_a_sub_district_and_a_city_volunteer(line_user, world):
    assert "Re-X-ray ครัวเรือน" in line_user(VOLUNTEER).say("เมนู").buttons
    city = line_user(CITY_VOLUNTEER)
    assert "Re-X-ray ครัวเรือน" not in city.say("เมนู").buttons
    assert "เทศบาลตำบล" in city.say("รีเอกซเรย์").text


def review_edit(replies, slot: str) -> str:  # type: ignore[no-untyped-def]
    """The postback data of the review's "Edit" button of one answer."""
    return next(
        b["data"] for m in replies.messages if m["type"] == "flex" for b in flex_buttons(m)
        if postback.decode(b["data"])[1].get("a") == "edit" and postback.decode(b["data"])[1].get("v") == slot
    )


def test_a_status_changed_on_the_review_to_not_solved_asks_the_note_it_now_requires(line_user, world, db_engine):
    chat = line_user(VOLUNTEER)
    status = chat.tap_button(chat.tap_button(start(chat, "2/2"), "1. อยู่"), "1. เหมือนเดิม")
    help_kinds = chat.tap_button(chat.tap_button(status, "1. ช่วยเหลือแล้ว"), "8. ไม่ทราบ")
    review = chat.tap_button(help_kinds, "9. ไม่ทราบ")
    for _question in ("agency", "date", "note"):
        review = chat.tap_button(review, "ข้าม")
    for _dimension in ("health", "living", "education", "income", "accessibility"):
        review = chat.tap_button(review, next(b for b in review.buttons if b.endswith("ไม่มีปัญหาใหม่")))
    assert "ยืนยันส่ง" in review.buttons
    edited = chat.tap(review_edit(review, "rx_status|1|"))
    note = chat.tap_button(edited, "4. ยังไม่ได้แก้ไข")
    assert "บันทึกเรื่อง “บ้านชำรุดทรุดโทรม ไม่ปลอดภัย”" in note.text and "ข้าม" not in note.buttons
    again = chat.say("รอช่างของเทศบาลประเมินค่าซ่อม")
    assert "ยืนยันส่ง" in again.buttons and "ภาคีเครือข่าย" not in str([texts_in(m) for m in again.messages])
    chat.tap_button(again, "ยืนยันส่ง")
    with Session(db_engine) as session:
        [problem] = session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == household_id(db_engine, "2/2"))).all()
        assert (problem.status, problem.partners, problem.help_kinds, problem.note) == ("not_resolved", None, None, "รอช่างของเทศบาลประเมินค่าซ่อม")


def test_erasing_a_household_erases_its_visits_notes(line_user, world, db_engine):
    from bot.people.erasure import erase_household
    from storage.models import SurveyAnswer

    chat = line_user(VOLUNTEER)
    changed = chat.tap_button(chat.tap_button(start(chat, "2/2"), "1. อยู่"), "2. เปลี่ยนแปลง")
    chat.say("หัวหน้าครัวเรือนย้ายไปทำงานต่างจังหวัด")
    chat.say("พัก")
    assert changed.texts
    with Session(db_engine) as session, session.begin():
        erase_household(session, session.get(Household, household_id(db_engine, "2/2")), NOW)
    with Session(db_engine) as session:
        [visit] = session.scalars(select(Household).where(Household.revisit_of.is_not(None))).all()
        codes = set(session.scalars(select(SurveyAnswer.code).where(SurveyAnswer.household_id == visit.id)))
        assert visit.forgotten_at is not None and (visit.house_no, visit.head_name) == (None, None)
        assert "rx_changes" not in codes and "rx_presence" in codes


def test_a_menu_tile_mid_visit_is_answered_by_its_dialog_and_the_visit_waits(line_user, world, db_engine):
    chat = line_user(VOLUNTEER)
    changes = chat.tap_button(chat.tap_button(start(chat, "5/1"), "1. อยู่"), "2. เปลี่ยนแปลง")
    assert "ครัวเรือนมีอะไรเปลี่ยนแปลงบ้าง" in changes.text
    listing = chat.say("รีเอกซเรย์")  # the menu's tile, at a question that takes any text
    assert "ลำดับที่ 1-10 จาก 12" in listing.text
    resumed = chat.say("ทำต่อ")
    assert "ครัวเรือนมีอะไรเปลี่ยนแปลงบ้าง" in resumed.text
    with Session(db_engine) as session:
        [visit] = session.scalars(select(Household).where(Household.revisit_of.is_not(None))).all()
        assert visit.dialog_state == "rx_changes"


def test_a_visit_of_a_household_reassigned_meanwhile_is_no_longer_answered(line_user, world, db_engine):
    chat = line_user(VOLUNTEER)
    asked = chat.tap_button(start(chat, "5/1"), "1. อยู่")
    with Session(db_engine) as session, session.begin():
        session.get(Household, household_id(db_engine, "5/1")).volunteer_id = world.ids["other"]
    taken = chat.tap_button(asked, "1. เหมือนเดิม")
    assert "การเยี่ยม Re-X-ray ที่คุณทำอยู่ไม่ได้มอบหมายให้คุณแล้ว" in taken.text and "นายมานะ" not in taken.text
    theirs = line_user(OTHER_VOLUNTEER)
    begun = theirs.tap(postback.encode("rx", a="visit", h=household_id(db_engine, "5/1")))
    assert "ครัวเรือนนี้ยังอาศัยอยู่ที่บ้านหลังนี้หรือไม่" in begun.text
    with Session(db_engine) as session:
        visits = session.execute(select(Household.status, Household.volunteer_id).where(Household.revisit_of.is_not(None)).order_by(Household.id)).all()
    assert [tuple(v) for v in visits] == [("cancelled", world.ids["volunteer"]), ("draft", world.ids["other"])]


@pytest.mark.parametrize("forged", ["99999999999999999999", "²", "-1", ""])
def test_odd_household_data_in_a_visit_button_is_refused(line_user, world, forged):
    chat = line_user(VOLUNTEER)
    assert "ปุ่มนี้ไม่สามารถใช้งานได้แล้ว" in chat.tap(postback.encode("rx", a="visit", h=forged)).text
    assert "ปุ่มนี้ไม่สามารถใช้งานได้แล้ว" in chat.tap(postback.encode("rv", a="answer", h=forged, v="present")).text


def test_what_an_earlier_check_recorded_is_offered_and_kept_with_one_tap(line_user, world, db_engine):
    with Session(db_engine) as session, session.begin():
        [problem] = session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == household_id(db_engine, "2/2"))).all()
        problem.status, problem.partners, problem.help_kinds, problem.note = "in_progress", "government private", "housing", "รอวัสดุก่อสร้าง"
    chat = line_user(VOLUNTEER)
    first = start(chat, "2/2")
    assert "ข้อมูลที่เคยตรวจสอบบันทึกไว้จะแสดงเป็นคำตอบเดิม หากยังเหมือนเดิม กด “ใช้คำตอบเดิม”" in first.text
    status = chat.tap_button(chat.tap_button(first, "1. อยู่"), "1. เหมือนเดิม")
    assert "คำตอบเดิม: อยู่ระหว่างดำเนินการ" in status.text and "ใช้คำตอบเดิม" in status.buttons
    partners = chat.tap_button(status, "ใช้คำตอบเดิม")
    assert "✓1. ภาครัฐ" in partners.buttons and "✓4. ภาคเอกชน" in partners.buttons
    kinds = chat.tap_button(partners, "เสร็จสิ้น")
    assert "✓3. ซ่อม/สร้างบ้าน" in kinds.buttons
    agency = chat.tap_button(kinds, "เสร็จสิ้น")
    note = chat.tap_button(chat.tap_button(agency, "ข้าม"), "ข้าม")
    assert "คำตอบเดิม: รอวัสดุก่อสร้าง" in note.text
    review = chat.tap_button(note, "ใช้คำตอบเดิม")
    for _dimension in ("health", "living", "education", "income", "accessibility"):
        review = chat.tap_button(review, next(b for b in review.buttons if b.endswith("ไม่มีปัญหาใหม่")))
    chat.tap_button(review, "ยืนยันส่ง")
    with Session(db_engine) as session:
        [problem] = session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == household_id(db_engine, "2/2"))).all()
        assert (problem.status, problem.partners, problem.help_kinds, problem.note) == ("in_progress", "government private", "housing", "รอวัสดุก่อสร้าง")
        assert session.get(Household, problem.household_id).rexray_status == "done"


def test_a_visit_deleted_from_my_surveys_puts_the_household_back_to_visit(line_user, world, db_engine):
    chat = line_user(VOLUNTEER)
    chat.tap_button(chat.tap_button(start(chat, "5/1"), "1. อยู่"), "พัก")
    mine = chat.say("รายการของฉัน")
    opened = chat.tap(next(b["data"] for m in mine.messages if m["type"] == "flex" for b in flex_buttons(m) if b["label"] == "สำรวจต่อ"))
    assert "ทำการเยี่ยม Re-X-ray ของ บ้านเลขที่ 5/1 · นายมานะ ขยันดี ต่อ" in opened.text
    chat.say("พัก")
    mine = chat.say("รายการของฉัน")
    asked = chat.tap(next(b["data"] for m in mine.messages if m["type"] == "flex" for b in flex_buttons(m) if b["label"] == "ลบฉบับร่าง"))
    chat.tap_button(asked, "ลบฉบับร่างนี้")
    earlier = household_id(db_engine, "5/1")
    with Session(db_engine) as session:
        assert session.scalars(select(Household).where(Household.revisit_of.is_not(None))).all() == []
        assert session.get(Household, earlier).rexray_status == "pending"


def test_a_new_problem_ticked_by_mistake_is_unticked_on_the_review_or_at_the_correction_after_a_send_back(line_user, world, db_engine):
    from bot.chat.postback import encode

    supervisor = "U" + "7" * 32
    world.person("supervisor", world.ids["town"], None, name="วันดี มีสุข", line_user_id=supervisor)
    earlier_id = household_id(db_engine, "2/2")
    chat = line_user(VOLUNTEER)
    status = chat.tap_button(chat.tap_button(start(chat, "2/2"), "1. อยู่"), "1. เหมือนเดิม")
    health = chat.tap_button(chat.tap_button(status, "5. ไม่พบปัญหานี้แล้ว"), "ข้าม")
    ticked = chat.tap_button(chat.tap_button(health, "1. ผู้ป่วยติดเตียง"), "2. รักษาขาดช่วง")
    review = chat.say("ข้าม") if "ข้าม" in (detail := chat.tap_button(ticked, "เสร็จสิ้น")).buttons else detail
    while "ยืนยันส่ง" not in review.buttons:  # the details (skipped) and the other dimensions (nothing new)
        review = chat.tap_button(review, next((b for b in review.buttons if b.endswith("ไม่มีปัญหาใหม่")), "ข้าม"))
    # On the review, before submitting: "edit" the health checklist and untick the mistake.
    edit = chat.tap(review_edit(review, "H|0|"))
    assert "✓1. ผู้ป่วยติดเตียง" in edit.buttons and "✓2. รักษาขาดช่วง" in edit.buttons
    review = chat.tap_button(chat.tap_button(edit, "✓2. รักษาขาดช่วง"), "เสร็จสิ้น")
    while "ยืนยันส่ง" not in review.buttons:
        review = chat.tap_button(review, "ข้าม")
    chat.tap_button(review, "ยืนยันส่ง")

    def problems() -> dict[str, HouseholdProblem]:
        with Session(db_engine) as session:
            return {p.code: p for p in session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == earlier_id))}

    assert {code: p.status for code, p in problems().items()} == {"L2": "not_applicable", "H1": "found"}  # H2 never recorded
    # The supervisor sends the visit back; at its correction the new problem is shown ticked, and unticked.
    boss = line_user(supervisor)
    boss.tap(encode("apr.back", h=earlier_id))
    assert "ส่งรายการ" in boss.say("ผู้ป่วยติดเตียงไม่มีในบ้านนี้ ตรวจสอบอีกครั้ง").text
    status = chat.tap_button(chat.tap_button(start(chat, "2/2"), "1. อยู่"), "1. เหมือนเดิม")
    health = chat.tap_button(chat.tap_button(status, "ใช้คำตอบเดิม"), "ข้าม")
    assert "✓1. ผู้ป่วยติดเตียง" in health.buttons
    review = chat.tap_button(chat.tap_button(health, "✓1. ผู้ป่วยติดเตียง"), "6. ไม่มีปัญหาใหม่")
    while "ยืนยันส่ง" not in review.buttons:
        review = chat.tap_button(review, next(b for b in review.buttons if b.endswith("ไม่มีปัญหาใหม่")))
    done = chat.tap_button(review, "ยืนยันส่ง")
    assert "ตรวจสอบแล้ว" in done.text
    closed = problems()["H1"]
    assert closed.status == "not_applicable" and closed.status_changed_by == world.ids["volunteer"]
    with Session(db_engine) as session:
        history = session.scalars(select(ProblemHistory).where(ProblemHistory.problem_id == closed.id).order_by(ProblemHistory.id)).all()
        assert [(h.old_status, h.new_status, h.via, h.round_name) for h in history] == [(None, "found", "survey", "2566"), ("found", "not_applicable", "rexray", "2566")]
        assert session.get(Household, earlier_id).approval == "awaiting"

"""“My surveys”: a volunteer's drafts and submitted records, newest first, paged, searched; opening one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, update

from storage.models import Household
from tests.support.line_chat import dump
from tests.support.survey import flex_actions, flex_messages, flex_texts, make_volunteer
from tests.test_survey_chat import begin, finish_one_member, rows


def bubble_titles(replies):  # type: ignore[no-untyped-def]
    """The header text of each bubble of the reply's carousels, in order."""
    return [bubble["header"]["contents"][0]["text"] for message in flex_messages(replies) for bubble in message["contents"]["contents"]]


def two_records(chat):  # type: ignore[no-untyped-def]
    """A submitted household (12/3, สมชาย), then a paused draft (45/6, สมศรี)."""
    begin(chat)
    finish_one_member(chat)
    chat.say("ยืนยันส่ง")
    chat.say("สำรวจ")
    begin_rest = ("ใช่", "1", "วันนี้", "ข้าม", "45/6", "ข้าม", "1", "ใช่", "นางสมศรี มีสุข")
    for value in begin_rest:
        chat.say(value)
    chat.say("พัก")


def test_my_surveys_lists_drafts_and_submitted_records_newest_first(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id, bound=False)
    two_records(chat)
    submitted = next(h for h in rows(db_engine, Household) if h.status == "submitted")
    listed = chat.say("รายการของฉัน")
    assert "แบบสำรวจของท่าน (ล่าสุดก่อน): รายการที่ 1–2 จาก 2 รายการ" in listed.text, dump(listed)
    assert "“ค้นหา 12/3”" in listed.text
    assert bubble_titles(listed) == ["บ้านเลขที่ 45/6 · นางสมศรี มีสุข", "บ้านเลขที่ 12/3 · นายสมชาย ใจดี"]
    texts = flex_texts(listed)
    assert "ฉบับร่าง (ยังไม่ส่ง)" in texts and "ส่งแล้ว" in texts and "เลขที่แบบสำรวจ" in texts
    assert f"QM-2566-{submitted.id:06d}" in texts
    labels = [a["label"] for a in flex_actions(listed)]
    assert labels == ["สำรวจต่อ", "ลบฉบับร่าง", "แก้ไขข้อมูลที่ส่ง"]
    opened = chat.tap(flex_actions(listed)[0]["data"])
    assert "สำรวจต่อ: บ้านเลขที่ 45/6 · นางสมศรี มีสุข" in opened.text
    corrected = chat.tap(flex_actions(listed)[2]["data"])
    assert f"QM-2566-{submitted.id:06d}" in corrected.text and "สรุปคำตอบแบบสำรวจ" in [m.get("altText") for m in corrected.messages], dump(corrected)


def test_search_by_house_number_or_head_name(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id, bound=False)
    two_records(chat)
    assert bubble_titles(chat.say("ค้นหา 12/3")) == ["บ้านเลขที่ 12/3 · นายสมชาย ใจดี"]
    found = chat.say("ค้นหา สมศรี")
    assert bubble_titles(found) == ["บ้านเลขที่ 45/6 · นางสมศรี มีสุข"]
    assert "แบบสำรวจของท่านที่ตรงกับ “สมศรี”: รายการที่ 1–1 จาก 1 รายการ" in found.text
    nothing = chat.say("ค้นหา 99/9")
    assert "ไม่พบแบบสำรวจของท่านที่ตรงกับ “99/9”" in nothing.text and flex_messages(nothing) == []


def test_another_volunteers_records_are_not_listed(line_user, db_engine):
    chat = line_user()
    people = make_volunteer(db_engine, chat.user_id, bound=False)
    two_records(chat)
    other = line_user()
    make_volunteer(db_engine, other.user_id, name="สมใจ อาสา", municipality_id=people["municipality_id"])
    answer = other.say("รายการของฉัน")
    assert "ท่านยังไม่ได้สำรวจครัวเรือนใด" in answer.text and flex_messages(answer) == []
    assert "ไม่พบ" in other.say("ค้นหา สมศรี").text


def test_a_long_list_is_paged_within_lines_limits(line_user, db_engine):
    chat = line_user()
    people = make_volunteer(db_engine, chat.user_id, bound=False)
    start = datetime(2026, 11, 1, 3, 0, tzinfo=timezone.utc)
    with db_engine.begin() as connection:
        for number in range(1, 14):
            connection.execute(insert(Household).values(
                municipality_id=people["municipality_id"], volunteer_id=people["person_id"], round_name="2566", form_id="thaiqm-2566", form_version="1",
                status="submitted", house_no=f"{number}/1", head_name=f"นายทดสอบ ลำดับ{number}", created_at=start, updated_at=start + timedelta(hours=number),
                submitted_at=start + timedelta(hours=number), receipt_no=f"QM-2566-{number:06d}",
            ))
    first = chat.say("รายการของฉัน")
    assert len(bubble_titles(first)) == 10 and bubble_titles(first)[0] == "บ้านเลขที่ 13/1 · นายทดสอบ ลำดับ13"
    assert "รายการที่ 1–10 จาก 13 รายการ" in first.text and first.buttons == ["หน้าถัดไป", "เริ่มสำรวจ"]
    second = chat.tap_button(first, "หน้าถัดไป")
    assert bubble_titles(second) == [f"บ้านเลขที่ {n}/1 · นายทดสอบ ลำดับ{n}" for n in (3, 2, 1)]
    assert second.buttons == ["หน้าก่อนหน้า", "เริ่มสำรวจ"]


def test_the_receipt_carries_the_households_round(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id, bound=False)
    begin(chat)
    with db_engine.begin() as connection:
        connection.execute(update(Household).values(round_name="2567"))
    finish_one_member(chat)
    done = chat.say("ยืนยันส่ง")
    (household,) = rows(db_engine, Household)
    assert household.receipt_no == f"QM-2567-{household.id:06d}" and household.receipt_no in done.text
    assert household.receipt_no in flex_texts(chat.say("รายการของฉัน"))


def test_my_surveys_is_on_the_volunteers_menu(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id, bound=False)
    assert "รายการของฉัน" in chat.say("เมนู").buttons

"""Correcting a submitted household: it stays submitted and counted; cancelling or pausing ends the correction only."""

from __future__ import annotations

from storage.models import AnswerChange, Household
from tests.support.survey import flex_actions, make_volunteer
from tests.test_survey_chat import begin, finish_one_member, rows


def _submitted_then_phone_changed(line_user, db_engine):  # type: ignore[no-untyped-def]
    """A submitted household reopened for correction with its phone changed; the volunteer and supervisor chats."""
    chat, boss = line_user(), line_user()
    people = make_volunteer(db_engine, chat.user_id)
    make_volunteer(db_engine, boss.user_id, name="หัวหน้า ทดสอบ", municipality_id=people["municipality_id"], role="supervisor")
    begin(chat)
    done = chat.tap_button(finish_one_member(chat), "ยืนยันส่ง")
    reopened = chat.tap_button(done, "แก้ไขข้อมูลที่ส่ง")
    assert "ยังคงมีสถานะส่งแล้ว" in " ".join(reopened.texts)
    (household,) = rows(db_engine, Household)
    assert household.status == "submitted"
    edit = next(a for a in flex_actions(reopened) if a.get("displayText") == "แก้ไข: เบอร์โทรศัพท์ติดต่อ")
    chat.tap(edit["data"])
    answer = chat.say("0812345678")
    assert rows(db_engine, Household)[0].status == "submitted"
    return chat, boss, people, household, answer


def _counted(boss, people) -> bool:  # type: ignore[no-untyped-def]
    return "อาสา ทดสอบ (ชุมชนวัดใหม่): วันนี้ 1 ทั้งหมด 1 ค้างไว้ 0" in boss.say("อาสาสมัคร").text


def test_cancelling_a_correction_keeps_the_record_submitted_and_its_receipt(line_user, db_engine):
    chat, boss, people, household, answer = _submitted_then_phone_changed(line_user, db_engine)
    assert _counted(boss, people)
    confirm = chat.say("ยกเลิก")
    assert "ต้องการสิ้นสุดการแก้ไขใช่หรือไม่" in confirm.text and "ฉบับร่าง" not in confirm.text
    ended = chat.tap_button(confirm, "ยืนยันยกเลิก")
    assert f"ข้อมูลเลขที่แบบสำรวจ {household.receipt_no} ยังคงมีสถานะส่งแล้ว" in ended.text
    (after,) = rows(db_engine, Household)
    assert (after.status, after.receipt_no, after.phone) == ("submitted", household.receipt_no, "0812345678")
    (change,) = rows(db_engine, AnswerChange)
    assert (change.code, change.old_value, change.new_value, change.changed_by) == ("phone", None, "0812345678", people["person_id"])
    assert _counted(boss, people)
    chat.say("0899999999")  # the correction is over: typing changes nothing
    assert rows(db_engine, Household)[0].phone == "0812345678" and len(rows(db_engine, AnswerChange)) == 1


def test_pausing_a_correction_keeps_it_submitted_and_counted(line_user, db_engine):
    chat, boss, people, household, answer = _submitted_then_phone_changed(line_user, db_engine)
    ended = chat.say("พัก")
    assert "ยังคงมีสถานะส่งแล้ว" in ended.text and ended.buttons == ["เริ่มสำรวจ", "แก้ไขข้อมูลที่ส่ง"]
    assert rows(db_engine, Household)[0].status == "submitted"
    assert _counted(boss, people)
    again = chat.tap_button(ended, "แก้ไขข้อมูลที่ส่ง")
    assert "ยังคงมีสถานะส่งแล้ว" in " ".join(again.texts)

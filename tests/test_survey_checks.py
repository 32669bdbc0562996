"""Checks that catch real mistakes, in the chat through signed webhooks: the reason in Thai, the same question again, nothing stored."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import SurveyAnswer
from tests.support.line_chat import dump
from tests.support.survey import make_volunteer
from tests.test_survey_chat import begin

SECOND_ID, THIRD_ID = "3101500123459", "3509900012348"


def stored(engine, code, member_no):  # type: ignore[no-untyped-def]
    """The stored answers of one question (none when the answer was refused)."""
    with engine.connect() as connection:
        return connection.execute(select(SurveyAnswer.value).where(SurveyAnswer.code == code, SurveyAnswer.member_no == member_no)).scalars().all()


def household_of(chat, db_engine, members):  # type: ignore[no-untyped-def]
    """A household whose head (member 1, 45 years old) is answered; the bot asks member 2's name."""
    make_volunteer(db_engine, chat.user_id)
    begin(chat)
    for value in (str(members), "ข้าม", "45", "ชาย", "1", "2", "3", "9,000", "6"):
        answer = chat.say(value)
    assert "สมาชิกคนที่ 2: ชื่อ-สกุล" in answer.text, dump(answer)
    return answer


def test_only_member_1_is_the_head_of_household(line_user, db_engine):
    chat = line_user()
    household_of(chat, db_engine, 2)
    asked = chat.say("นางสมศรี ใจดี อายุ 40")  # the title says the sex, the age follows the name
    assert "สมาชิกคนที่ 2: ความเกี่ยวข้องกับหัวหน้าครัวเรือน" in asked.text
    refused = chat.tap_button(asked, "1. หัวหน้าครัวเรือน")
    assert "หัวหน้าครัวเรือนคือสมาชิกคนที่ 1 เท่านั้น กรุณาเลือกความเกี่ยวข้องของสมาชิกคนที่ 2 กับหัวหน้าครัวเรือน" in refused.text, dump(refused)
    assert refused.texts[-1].count("สมาชิกคนที่ 2: ความเกี่ยวข้องกับหัวหน้าครัวเรือน") == 1
    assert stored(db_engine, "m_relation", 2) == []
    accepted = chat.say("คู่สมรส")
    assert "สมาชิกคนที่ 2: เลขประจำตัวประชาชน" in accepted.text and stored(db_engine, "m_relation", 2) == ["spouse"]


def test_a_national_id_given_twice_is_refused_naming_the_member_who_has_it(line_user, db_engine):
    chat = line_user()
    household_of(chat, db_engine, 3)
    for value in ("นางสมศรี ใจดี", "40", "คู่สมรส"):
        asked = chat.say(value)
    assert "สมาชิกคนที่ 2: เลขประจำตัวประชาชน" in asked.text
    refused = chat.say("1-1037-01234-56-3")  # the head's ID
    assert "เลขประจำตัวประชาชน x-xxxx-xxxxx-56-3 เป็นของสมาชิกคนที่ 1 (นายสมชาย ใจดี) แล้ว กรุณาตรวจสอบเลขของสมาชิกคนที่ 2 อีกครั้ง" in refused.text, dump(refused)
    reason = refused.text.split("\n\n")[0]  # (the hint below shows the form's example ID, which is the head's)
    assert "1103701234563" not in reason and "01234" not in reason  # masked
    assert "สมาชิกคนที่ 2: เลขประจำตัวประชาชน" in refused.texts[-1]
    assert stored(db_engine, "m_national_id", 2) == []
    chat.say(SECOND_ID)
    for value in ("1", "2", "3", "9,000", "6", "เด็กชายสมหมาย ใจดี", "10", "บุตร"):
        asked = chat.say(value)
    assert "สมาชิกคนที่ 3: เลขประจำตัวประชาชน" in asked.text
    refused = chat.say(SECOND_ID)
    assert "เป็นของสมาชิกคนที่ 2 (นางสมศรี ใจดี) แล้ว" in refused.text and "x-xxxx-xxxxx-45-9" in refused.text, dump(refused)
    assert stored(db_engine, "m_national_id", 3) == []
    accepted = chat.say(THIRD_ID)
    assert "สมาชิกคนที่ 3: สภาวะสุขภาพ" in accepted.text
    assert stored(db_engine, "m_national_id", 3) != []


def test_problems_of_an_age_nobody_has_are_not_offered(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    begin(chat)
    for value in ("1", "ข้าม", "45", "ชาย", "1", "2", "3", "9,000", "6", "ไม่มีปัญหาด้านนี้", "ไม่มีปัญหาด้านนี้"):
        asked = chat.say(value)
    # a 45-year-old alone: no child out of school, no pre-school child; a grade-9 leaver, illiteracy, scholarship remain
    assert "ด้านการศึกษา" in asked.text and "4. ไม่มีปัญหาด้านนี้" in asked.text, dump(asked)
    assert "เด็กอายุ 6" not in asked.text and "เด็กอายุ 3–5 ปี" not in asked.text
    refused = chat.say("5")  # the number "none" has when every problem is listed
    assert "กรุณาพิมพ์หมายเลขตั้งแต่ 1 ถึง 4" in refused.text and "ด้านการศึกษา" in refused.texts[-1]
    assert stored(db_engine, "E", 0) == []
    asked = chat.say("4")
    assert "ด้านรายได้" in asked.text and "5. ไม่มีปัญหาด้านนี้" in asked.text, dump(asked)
    assert "ผู้สูงอายุ (60 ปีขึ้นไป)" not in asked.text and stored(db_engine, "E", 0) == ["none"]
    asked = chat.say("ไม่มีปัญหาด้านนี้")
    assert "ด้านการเข้าถึงบริการรัฐ" in asked.text and "6. ไม่มีปัญหาด้านนี้" in asked.text, dump(asked)
    assert "ผู้สูงอายุไม่ได้รับเบี้ยยังชีพ" not in asked.text and "เด็กแรกเกิดไม่ได้รับเงินอุดหนุน" not in asked.text

"""A "no" to consent after answers were entered keeps only the refusal, once the volunteer confirms."""

from __future__ import annotations

from storage.models import Household, HouseholdMember, HouseholdProblem, SurveyAnswer
from tests.support.survey import flex_actions, make_volunteer
from tests.test_survey_chat import begin, finish_one_member, rows


def test_consent_changed_to_no_from_the_review_deletes_the_personal_data_after_confirming(line_user, db_engine):
    chat = line_user()
    people = make_volunteer(db_engine, chat.user_id)
    begin(chat)
    review = finish_one_member(chat)
    edit = next(a for a in flex_actions(review) if "consent" in a.get("data", ""))
    chat.tap(edit["data"])
    answer = chat.say("ไม่ใช่")
    assert "ข้อมูลทั้งหมดที่บันทึกไว้" in answer.text and answer.buttons == ["ใช่ บันทึกการปฏิเสธ", "ยังยินยอม เก็บคำตอบ"]
    assert rows(db_engine, Household)[0].head_name == "นายสมชาย ใจดี"  # nothing changed yet
    kept = chat.tap_button(answer, "ยังยินยอม เก็บคำตอบ")
    assert "ครัวเรือนยินยอมให้ข้อมูล" in kept.text
    assert rows(db_engine, SurveyAnswer, code="consent")[0].value == "yes" and rows(db_engine, HouseholdMember)
    answer = chat.say("ไม่ใช่")
    done = chat.tap_button(answer, "ใช่ บันทึกการปฏิเสธ")
    assert "ครัวเรือนไม่ยินยอมให้ข้อมูล" in done.text
    (household,) = rows(db_engine, Household)
    assert household.status == "refused" and household.volunteer_id == people["person_id"] and household.community_id is not None
    assert (household.head_name, household.head_national_id, household.house_code, household.house_no, household.member_count) == (None, None, None, None, None)
    assert [(a.code, a.value) for a in rows(db_engine, SurveyAnswer)] == [("consent", "no")]
    assert rows(db_engine, HouseholdMember) == [] and rows(db_engine, HouseholdProblem) == []


def test_typing_back_to_consent_and_refusing_asks_first_too(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    chat.say("สำรวจ")
    chat.say("ใช่")
    chat.say("1")
    chat.say("ย้อนกลับ")
    answer = chat.say("ย้อนกลับ")
    assert "ครัวเรือนยินยอมให้ข้อมูล" in answer.text
    answer = chat.say("ไม่ใช่")
    assert answer.buttons == ["ใช่ บันทึกการปฏิเสธ", "ยังยินยอม เก็บคำตอบ"]
    chat.tap_button(answer, "ใช่ บันทึกการปฏิเสธ")
    assert [(a.code, a.value) for a in rows(db_engine, SurveyAnswer)] == [("consent", "no")]
    assert rows(db_engine, Household)[0].respondent is None

"""The survey in the chat, through signed webhooks and the fake LINE API."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Household, SurveyAnswer
from tests.support.line_chat import dump
from tests.support.survey import make_volunteer


def rows(engine, model, **where):  # type: ignore[no-untyped-def]
    """Rows of a table matching simple equalities."""
    with engine.connect() as connection:
        statement = select(model)
        for column, value in where.items():
            statement = statement.where(getattr(model, column) == value)
        return connection.execute(statement).all()


def test_unregistered_user_is_asked_to_register(line_user):
    answer = line_user().say("สำรวจ")
    assert "เฉพาะผู้สำรวจที่ลงทะเบียนแล้ว" in answer.text
    assert answer.buttons == ["ลงทะเบียน"]


def test_survey_starts_with_consent_and_progress(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    answer = chat.say("สำรวจ")
    assert answer.status == 200, dump(answer)
    assert "ข้อ 1/" in answer.text and "ความยินยอม" in answer.text
    assert "ครัวเรือนยินยอมให้ข้อมูลเพื่อใช้ในการแก้ไขปัญหาและพัฒนาคุณภาพชีวิตหรือไม่" in answer.text
    assert answer.buttons[:2] == ["1. ใช่", "2. ไม่ใช่"]
    (household,) = rows(db_engine, Household)
    assert (household.form_id, household.form_version, household.status) == ("thaiqm-2566", "1", "draft")


def test_refusal_records_only_the_refusal(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    chat.say("สำรวจ")
    answer = chat.say("ไม่ใช่")
    assert "ครัวเรือนไม่ยินยอมให้ข้อมูล" in answer.text
    (household,) = rows(db_engine, Household)
    assert household.status == "refused" and household.head_name is None and household.volunteer_id is not None
    assert [(a.code, a.value) for a in rows(db_engine, SurveyAnswer)] == [("consent", "no")]

"""Rounds as data: `thaiqm-bot round …`, and a new round reaching the chat with no code change."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogs.answers import format_date_be
from bot.dialogs.engine import engine_for
from bot.dialogs.form import current_form
from bot.dialogs.inputs import Env
from bot.handlers.survey_view import tr
from bot.i18n import _
from storage import surveys
from storage.models import Household, Municipality, Round, SurveyAnswer
from tests.support.line_chat import dump
from tests.support.survey import make_volunteer


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Bangkok")).date()


def be(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year + 543}"


def test_the_letters_round_is_there_and_current(run):
    listed = run("round", "list")
    assert listed.exit_code == 0, listed.output
    assert "* 2566  form thaiqm-2566 vnewest  survey until 15/1/2567  resolve until 30/9/2567  income line 38000" in listed.output


def test_round_add_set_and_set_current_for_one_municipality(run, db_engine):
    run("area", "create-municipality", "--name", "เทศบาลเมืองบ้านไผ่", "--kind", "town", "--tambon", "401002")
    added = run("round", "add", "2567", "--form", "thaiqm-2566", "--survey-deadline", "15/1/2568", "--resolution-deadline", "2025-09-30", "--income-line", "40000")
    assert added.exit_code == 0, added.output
    changed = run("round", "set", "2567", "--days-back", "90", "--survey-opens", "1/11/2567")
    assert changed.exit_code == 0, changed.output
    current = run("round", "set-current", "2567", "--tambon", "401002")
    assert current.exit_code == 0 and "เทศบาลเมืองบ้านไผ่" in current.output, current.output
    listed = run("round", "list").output
    assert "* 2566" in listed  # still the round of every other municipality
    assert "  2567  form thaiqm-2566 vnewest  survey until 15/1/2568  resolve until 30/9/2568  income line 40000  survey dates from 1/11/2567 / 90 days back  current for: เทศบาลเมืองบ้านไผ่" in listed
    with Session(db_engine) as session:
        assert session.scalar(select(Municipality.current_round)) == "2567"


@pytest.mark.parametrize(
    "args, message",
    [
        (("round", "add", "2567", "--form", "no-such-form"), "no form no-such-form"),
        (("round", "add", "2567", "--form", "thaiqm-2566", "--form-version", "9"), "no form thaiqm-2566 version 9"),
        (("round", "add", "next year", "--form", "thaiqm-2566"), "is not a round name"),
        (("round", "add", "2566", "--form", "thaiqm-2566"), "round 2566 already exists"),
        (("round", "set-current", "2599"), "no round named 2599"),
        (("round", "add", "2567", "--form", "thaiqm-2566", "--survey-deadline", "31/2/2568"), "is not a date"),
    ],
)
def test_round_commands_refuse_what_cannot_work_in_one_line(run, args, message):
    result = run(*args)
    assert result.exit_code != 0 and message in result.output, result.output


def start_at_survey_date(chat, db_engine):  # type: ignore[no-untyped-def]
    chat.say("สำรวจ")
    chat.say("ใช่")
    reply = chat.say("1")
    assert "วันที่สำรวจ" in reply.texts[-1], dump(reply)
    return reply


def test_new_surveys_go_to_the_current_round_and_its_receipts_carry_it(run, line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    run("round", "add", "2567", "--form", "thaiqm-2566", "--form-version", "1")
    run("round", "set-current", "2567")
    start_at_survey_date(chat, db_engine)
    with Session(db_engine) as session, session.begin():
        household = session.scalars(select(Household)).one()
        assert (household.round_name, household.form_id, household.form_version) == ("2567", "thaiqm-2566", "1")
        receipt = surveys.submit(household, dt.datetime.now(dt.timezone.utc))
        assert receipt == f"QM-2567-{household.id:06d}"
    # The volunteer can quote it back to correct the record.
    reply = chat.say(f"แก้ไข {receipt}")
    assert receipt in reply.text, dump(reply)


def test_the_survey_date_window_comes_from_the_round(run, line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    opens = today() - dt.timedelta(days=10)
    run("round", "add", "2567", "--form", "thaiqm-2566", "--survey-opens", opens.isoformat())
    run("round", "set-current", "2567")
    reply = start_at_survey_date(chat, db_engine)
    # The date picker offers no earlier day than the round's first survey day.
    [picker] = [item["action"] for item in reply.messages[-1]["quickReply"]["items"] if item["action"]["type"] == "datetimepicker"]
    assert picker["min"] == opens.isoformat()
    too_early = chat.say(be(opens - dt.timedelta(days=1)))
    assert f"วันที่นี้อยู่ก่อนวันที่ {format_date_be(opens)}" in too_early.text and "วันที่สำรวจ" in too_early.texts[-1], dump(too_early)
    accepted = chat.say(be(opens))
    assert "รหัสประจำบ้าน" in accepted.texts[-1], dump(accepted)
    with Session(db_engine) as session:
        assert session.scalar(select(SurveyAnswer.value).where(SurveyAnswer.code == "survey_date")) == opens.isoformat()


def test_a_draft_keeps_the_window_of_its_own_round(run, line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    start_at_survey_date(chat, db_engine)  # a draft of round 2566: a year back
    run("round", "add", "2567", "--form", "thaiqm-2566", "--days-back", "3")
    run("round", "set-current", "2567")
    earlier = today() - dt.timedelta(days=30)
    reply = chat.say(be(earlier))
    assert "รหัสประจำบ้าน" in reply.texts[-1], dump(reply)


def test_the_income_check_reads_the_rounds_line_over_the_forms():
    engine = engine_for(current_form())
    answers = {("survey_date", 0): "2024-01-15", ("member_count", 0): "1", ("m_birth_year", 1): "2500", ("m_national_id", 1): "1103701234563", ("m_income", 1): "3500"}

    def income_suggestion(env: Env) -> str | None:
        shown = [tr(message) for message, slot in engine.review(answers, env).suggestions if slot == "I|0|"]
        return shown[0] if shown else None

    form_line = income_suggestion(Env(today=dt.date(2024, 1, 20), translate=_))
    assert form_line is None  # 42,000 a year is above the form's 38,000
    round_line = income_suggestion(Env(today=dt.date(2024, 1, 20), translate=_, settings={"basic_needs_line": 45000}))
    assert round_line is not None and "42,000" in round_line and "45,000" in round_line


def test_a_database_without_rounds_gets_the_letters_round_on_first_use(db_engine, line_user):
    with db_engine.begin() as connection:
        connection.execute(Round.__table__.delete())
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    chat.say("สำรวจ")
    with Session(db_engine) as session:
        assert [(r.name, r.current, r.basic_needs_line) for r in session.scalars(select(Round))] == [("2566", True, 38000)]
        assert session.scalar(select(Household.round_name)) == "2566"

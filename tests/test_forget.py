"""Erasing a household's personal data on request: what goes, what stays for the counts, the audit entry."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogs.form import current_form
from bot.handlers.survey_records import records_for
from storage import surveys
from storage.forget import forget_household
from storage.models import AnswerChange, AuditEntry, Household, HouseholdMember, HouseholdProblem, Person, SurveyAnswer
from tests.support.raw_database import plain_text_hits
from tests.support.world import World

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
HEAD_ID = "1103701234563"


def surveyed_household(db_engine) -> int:  # type: ignore[no-untyped-def]
    """A submitted household with names, an ID, a phone, a location, a problem with a detail and a correction."""
    world = World(db_engine)
    municipality = world.municipality()
    volunteer = world.person("volunteer", municipality)
    form = current_form()
    personal = form.personal_codes()
    with Session(db_engine) as session, session.begin():
        household = surveys.create_household(session, session.get(Person, volunteer), form.id, form.version, form.round, NOW)
        rows: dict = {}
        answers = {("consent", 0): "yes", ("house_no", 0): "12/3", ("head_name", 0): "นายสมชาย ใจดี", ("head_national_id", 0): HEAD_ID,
                   ("phone", 0): "0812345678", ("member_count", 0): "2", ("location", 0): "16.441900,102.836000",
                   ("m_name", 1): "นายสมชาย ใจดี", ("m_sex", 1): "male", ("m_name", 2): "นางสมศรี ใจดี", ("m_sex", 2): "female",
                   ("H", 0): "H3", ("H3.member", 0): "2", ("H3.detail", 0): "ต้องใช้รถเข็น"}
        records = records_for(form)
        for key, value in answers.items():
            surveys.write_answer(session, household, rows, key, value, person_id=volunteer, now=NOW, projection=records.projections.get(key[0]), sensitive=key[0] in records.sensitive)
        surveys.submit(household, NOW)
        surveys.write_answer(session, household, rows, ("phone", 0), "0898765432", person_id=volunteer, now=NOW, projection=records.projections["phone"], sensitive=True)
        assert personal >= {"house_no", "head_name", "head_national_id", "phone", "location", "m_name"}
        return household.id


def test_forget_erases_personal_data_keeps_counts_and_records_it(db_engine):
    household_id = surveyed_household(db_engine)
    with Session(db_engine) as session, session.begin():
        forget_household(session, session.get(Household, household_id), current_form().personal_codes(), NOW, actor_id=None)
    with Session(db_engine) as session:
        household = session.get(Household, household_id)
        assert (household.head_name, household.head_national_id, household.head_national_id_hash, household.phone, household.house_no, household.latitude) == (None,) * 6
        assert household.forgotten_at is not None and household.status == "submitted" and household.member_count == 2
        assert [(m.member_no, m.full_name, m.national_id, m.sex) for m in session.scalars(select(HouseholdMember).order_by(HouseholdMember.member_no))] == [(1, None, None, "male"), (2, None, None, "female")]
        assert [(p.code, p.member_no, p.detail, p.status) for p in session.scalars(select(HouseholdProblem))] == [("H3", 2, None, "found")]
        left = {(a.code, a.member_no) for a in session.scalars(select(SurveyAnswer))}
        assert left == {("consent", 0), ("member_count", 0), ("m_sex", 1), ("m_sex", 2), ("H", 0), ("H3.member", 0)}
        assert session.scalars(select(AnswerChange)).all() == []
        assert [(e.action, e.household_id) for e in session.scalars(select(AuditEntry))] == [("household.forget", household_id)]
    assert plain_text_hits(db_engine, ["สมชาย", "สมศรี", "12/3", "ต้องใช้รถเข็น", "16.4419"]) == []

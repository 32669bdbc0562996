"""Erasing a household's personal data on request (PDPA), keeping what counts need."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from storage import audit
from storage.models import AnswerChange, Household, HouseholdMember, HouseholdProblem, SurveyAnswer
from storage.surveys import release_household

ANSWERS = SurveyAnswer.__table__
# Columns of the household that name, locate or reach it.
HOUSEHOLD_PERSONAL = ("house_code", "house_no", "head_name", "head_national_id", "phone", "latitude", "longitude", "needs", "note")
DETAIL_SUFFIX = ".detail"


def forget_household(session: Session, household: Household, personal_codes: Iterable[str], now: datetime, actor_id: int | None = None) -> None:
    """Erase names, IDs, phones, location, free text and change history; keep the record's anonymous facts.

    What stays is what the municipality's figures count: area, round, status, member count,
    the members' sex, age and situation, and the problems with their status. The erasure
    itself is recorded in the audit log (ids only).
    """
    codes = tuple(personal_codes)
    session.execute(delete(ANSWERS).where(ANSWERS.c.household_id == household.id, or_(ANSWERS.c.code.in_(codes), ANSWERS.c.code.endswith(DETAIL_SUFFIX))))
    session.execute(delete(AnswerChange).where(AnswerChange.household_id == household.id))
    session.execute(update(HouseholdMember).where(HouseholdMember.household_id == household.id).values(full_name=None, national_id=None, national_id_hash=None))
    session.execute(update(HouseholdProblem).where(HouseholdProblem.household_id == household.id).values(detail=None))
    # Out of every volunteer's hand: nobody goes on answering a record that was erased.
    release_household(session, household.id, now)
    for column in HOUSEHOLD_PERSONAL:
        setattr(household, column, None)
    household.forgotten_at = household.updated_at = now
    audit.record(session, "household.forget", now, actor_id=actor_id, household_id=household.id)

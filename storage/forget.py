"""Erasing a household's personal data on request (PDPA), keeping what counts need."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from storage import audit
from storage.export_files import remove_files_of
from storage.confirmation_models import ConfirmationWitness, HouseholdLink, ProblemConfirmation
from storage.models import AnswerChange, Household, HouseholdMember, HouseholdProblem, SurveyAnswer
from storage.surveys import release_household
from storage.remembered_answers import forget_remembered

ANSWERS = SurveyAnswer.__table__
DETAIL_SUFFIX = ".detail"


def forget_household(session: Session, household: Household, personal_codes: Iterable[str], now: datetime, actor_id: int | None = None) -> None:
    """Erase names, IDs, phones, location, free text and change history; keep the record's anonymous facts.

    What stays is what the municipality's figures count: area, round, status, member count,
    the members' sex, age and situation, and the problems with their status. The erasure
    itself is recorded in the audit log (ids only).
    """
    codes = tuple(personal_codes)
    forget_remembered(session)
    session.execute(delete(ANSWERS).where(ANSWERS.c.household_id == household.id, or_(ANSWERS.c.code.in_(codes), ANSWERS.c.code.endswith(DETAIL_SUFFIX))))
    session.execute(delete(AnswerChange).where(AnswerChange.household_id == household.id))
    for model in (HouseholdMember, HouseholdProblem, ProblemConfirmation, ConfirmationWitness):
        session.execute(update(model).where(model.household_id == household.id).values(**dict.fromkeys(personal_columns(model))))
    # Its LINE users no longer see anything of it (household confirmation).
    session.execute(delete(HouseholdLink).where(HouseholdLink.household_id == household.id))
    # Out of every volunteer's hand: nobody goes on answering a record that was erased.
    release_household(session, household.id, now)
    for column in personal_columns(Household):
        setattr(household, column, None)
    household.forgotten_at = household.updated_at = now
    # A supervisor's download made before holds the erased data: it goes too (they can ask again).
    remove_files_of(session, household.municipality_id)
    audit.record(session, "household.forget", now, actor_id=actor_id, household_id=household.id)


def personal_columns(model: type) -> list[str]:
    """The columns the models mark personal, with the lookup hash beside a sealed one."""
    table = model.__table__  # type: ignore[attr-defined]
    marked = [column.name for column in table.columns if column.info.get("personal")]
    return marked + [f"{name}_hash" for name in marked if f"{name}_hash" in table.columns]

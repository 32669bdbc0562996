"""A volunteer's own records: empty drafts dropped, drafts deleted, the list and search, duplicate notes.

Every function takes the session first and never commits (the event owns the transaction).
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from storage import audit
from storage.rexray import reopen_visit
from storage.models import AnswerChange, DuplicateNote, Household, HouseholdMember, HouseholdProblem, Person, SurveyAnswer
from storage.statuses import HouseholdStatus
from storage.surveys import release_household
from storage.remembered_answers import forget_remembered

ANSWERS = SurveyAnswer.__table__
# What a volunteer's list shows: their drafts and submitted records (refused and cancelled ones are not worked on).
LISTED = (HouseholdStatus.DRAFT, HouseholdStatus.SUBMITTED)


def is_empty(session: Session, household_id: int, preamble: Iterable[str]) -> bool:
    """True when a draft holds no household data: no answer beyond these (consent, respondent)."""
    codes = set(session.scalars(select(ANSWERS.c.code).where(ANSWERS.c.household_id == household_id)))
    return codes <= set(preamble)


def delete_draft(session: Session, household: Household, now: datetime, actor_id: int | None = None) -> None:
    """Delete an unsubmitted draft and everything of it; audited when someone asked for it (actor)."""
    assert household.status == HouseholdStatus.DRAFT and household.submitted_at is None, "only unsubmitted drafts are deleted"
    household_id = household.id
    release_household(session, household_id, now)
    if household.forgotten_at is not None:
        # An erased draft is named by its erasure's audit row, which must stay: it is dropped, not deleted
        # (nothing personal is left in it to delete).
        household.status, household.updated_at = HouseholdStatus.CANCELLED, now
        session.flush()
        if household.revisit_of is not None:
            reopen_visit(session, household.revisit_of, now)
        if actor_id is not None:
            audit.record(session, "household.delete_draft", now, actor_id=actor_id, record=household_id)
        return
    forget_remembered(session)
    session.execute(delete(ANSWERS).where(ANSWERS.c.household_id == household_id))
    for model in (HouseholdMember, HouseholdProblem, AnswerChange):
        session.execute(delete(model).where(model.household_id == household_id))
    session.execute(delete(DuplicateNote).where(or_(DuplicateNote.household_id == household_id, DuplicateNote.other_id == household_id)))
    session.delete(household)
    session.flush()
    if household.revisit_of is not None:  # a Re-X-ray visit's record: its household is to visit again
        reopen_visit(session, household.revisit_of, now)
    if actor_id is not None:
        # The row is gone, so its id is kept in the details (the foreign key would refuse it).
        audit.record(session, "household.delete_draft", now, actor_id=actor_id, record=household_id)


def drop_empty(session: Session, person_id: int, preamble: Iterable[str], now: datetime, keep: int | None = None) -> int:
    """Delete the volunteer's drafts that hold no household data (but `keep`); return how many."""
    codes = tuple(preamble)
    dropped = 0
    for draft in session.scalars(select(Household).where(Household.volunteer_id == person_id, Household.status == HouseholdStatus.DRAFT)).all():
        if draft.id != keep and draft.submitted_at is None and is_empty(session, draft.id, codes):
            delete_draft(session, draft, now)
            dropped += 1
    return dropped


def mine(session: Session, person_id: int, search: str | None = None, house_no: str | None = None) -> list[Household]:
    """A volunteer's drafts and submitted records, newest first; narrowed by a head's name or a house number.

    Names are stored plain (searchable); national IDs are sealed and never searched here.
    """
    query = select(Household).where(Household.volunteer_id == person_id, Household.status.in_(LISTED))
    if house_no:
        query = query.where(Household.house_no == house_no)
    elif search:
        query = query.where(Household.head_name.contains(search, autoescape=True))
    return list(session.scalars(query.order_by(Household.updated_at.desc(), Household.id.desc())))


def noted(session: Session, household_id: int) -> set[int]:
    """The possible duplicates already shown for a household (or said to be another household)."""
    return set(session.scalars(select(DuplicateNote.other_id).where(DuplicateNote.household_id == household_id)))


def note(session: Session, household_id: int, other_id: int, decision: str, now: datetime) -> None:
    """Remember a possible duplicate as shown, or as another household."""
    row = session.scalars(select(DuplicateNote).where(DuplicateNote.household_id == household_id, DuplicateNote.other_id == other_id)).one_or_none()
    if row is None:
        session.add(DuplicateNote(household_id=household_id, other_id=other_id, decision=decision, at=now))
    else:
        row.decision, row.at = decision, now


def volunteer_name(session: Session, household: Household) -> str | None:
    """The name of the volunteer who holds a record."""
    person = session.get(Person, household.volunteer_id) if household.volunteer_id else None
    return person.full_name if person is not None else None

"""A supervisor's approval of submitted surveys and Re-X-rays: what awaits, approving, sending back, counting.

A survey (or a Re-X-ray visit) that is submitted, or submitted again after a correction,
awaits approval; a supervisor of its area approves it or sends it back with a note, and the
volunteer's next submission makes it await again. Only approved records are exported unless
asked otherwise. Every function takes the session first and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from storage.models import AnswerChange, Community, Household, HouseholdProblem, Person
from storage.statuses import ApprovalStatus, HouseholdOrigin


def await_approval(household: Household, now: datetime) -> None:
    """The record was submitted (again): it waits for a supervisor; an earlier note no longer applies."""
    household.approval, household.approved_by, household.approved_at, household.sent_back_note = ApprovalStatus.AWAITING, None, None, None
    household.updated_at = now


def unchanged_since_review(session: Session, household: Household) -> bool:
    """True when a supervisor has approved or sent back the record and no answer has changed since.

    A change to an approved record makes it await approval again at once (storage.surveys.write_answer),
    so one still approved is unchanged; a record sent back is unchanged when no answer changed after
    the send-back.
    """
    if household.approval == ApprovalStatus.APPROVED:
        return True
    if household.approval != ApprovalStatus.SENT_BACK or household.approved_at is None:
        return False
    changed = exists().where(AnswerChange.household_id == household.id, AnswerChange.changed_at >= household.approved_at)
    return not session.scalar(select(changed))


def approve(household: Household, by: int, now: datetime) -> bool:
    """Approve a record awaiting approval; False when it was not awaiting (approved already, or sent back)."""
    if household.approval != ApprovalStatus.AWAITING:
        return False
    household.approval, household.approved_by, household.approved_at, household.updated_at = ApprovalStatus.APPROVED, by, now, now
    return True


def send_back(household: Household, by: int, note: str, now: datetime) -> bool:
    """Send a record awaiting approval back to its volunteer with a note; False when it was not awaiting."""
    if household.approval != ApprovalStatus.AWAITING:
        return False
    household.approval, household.approved_by, household.approved_at = ApprovalStatus.SENT_BACK, by, now
    household.sent_back_note, household.updated_at = note, now
    return True


def is_rexray(household: Household) -> bool:
    """A Re-X-ray of an earlier round's household, rather than a survey made in the chat."""
    return household.origin == HouseholdOrigin.IMPORTED


@dataclass(frozen=True)
class Awaiting:
    """One record awaiting approval, as the supervisor's list shows it."""

    household_id: int
    house_no: str | None
    head_name: str | None
    community: str | None
    volunteer_id: int | None
    volunteer: str | None
    rexray: bool
    problems: int


def awaiting(session: Session, municipality_id: int, community_id: int | None, volunteer_id: int | None = None) -> list[Awaiting]:
    """The records of an area (a municipality, or one community) awaiting approval: by volunteer, then oldest first."""
    problems = select(func.count(HouseholdProblem.id)).where(HouseholdProblem.household_id == Household.id).correlate(Household).scalar_subquery()
    query = (
        select(Household.id, Household.house_no, Household.head_name, Community.name, Household.volunteer_id, Person.full_name, Household.origin, problems)
        .outerjoin(Community, Community.id == Household.community_id)
        .outerjoin(Person, Person.id == Household.volunteer_id)
        .where(Household.municipality_id == municipality_id, Household.approval == ApprovalStatus.AWAITING, Household.forgotten_at.is_(None))
    )
    if community_id is not None:
        query = query.where(Household.community_id == community_id)
    if volunteer_id is not None:
        query = query.where(Household.volunteer_id == volunteer_id)
    rows = session.execute(query.order_by(Person.full_name, Household.volunteer_id, Household.updated_at, Household.id))
    return [Awaiting(hid, house, head, community, vid, name, origin == HouseholdOrigin.IMPORTED, int(count or 0)) for hid, house, head, community, vid, name, origin, count in rows]


def approved_by_community(session: Session, municipality_id: int, round_name: str) -> dict[int | None, int]:
    """Approved records of a municipality's round per community id (None: households without a community), for the daily progress."""
    rows = session.execute(
        select(Household.community_id, func.count())
        .where(Household.municipality_id == municipality_id, Household.round_name == round_name, Household.approval == ApprovalStatus.APPROVED)
        .group_by(Household.community_id)
    )
    return {community_id: int(count) for community_id, count in rows}

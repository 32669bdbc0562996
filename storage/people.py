"""People: who a LINE user is, the volunteers of an area, and changes to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import and_, bindparam, case, func, select
from sqlalchemy.orm import Session

from storage.models import Household, LineUser, Person
from storage.statuses import HouseholdStatus


def person_for_line_user(session: Session, line_user_pk: int) -> Person | None:
    """The active person registered with this LINE user (by line_users.id), if any."""
    return session.scalars(select(Person).where(Person.line_user_id == line_user_pk, Person.active.is_(True))).first()


def any_person_for_line_user(session: Session, line_user_pk: int) -> Person | None:
    """The person registered with this LINE user, active or deactivated (policy tells them apart)."""
    return session.scalars(_PERSON_OF_LINE_USER, {"line_user_pk": line_user_pk}).first()


# Built once: every event of a registered person runs it.
_PERSON_OF_LINE_USER = select(Person).where(Person.line_user_id == bindparam("line_user_pk"))


def volunteers_in_area(session: Session, municipality_id: int, community_id: int | None) -> list[Person]:
    """Active volunteers of a municipality, or of one community of it."""
    query = select(Person).where(Person.role == "volunteer", Person.active.is_(True), Person.municipality_id == municipality_id)
    if community_id is not None:
        query = query.where(Person.community_id == community_id)
    return list(session.scalars(query.order_by(Person.id)))  # registration order: the same on every database


@dataclass(frozen=True)
class VolunteerCounts:
    """A volunteer's submitted households: today and in total."""

    person: Person
    today: int
    total: int


def volunteer_counts(session: Session, volunteers: list[Person], day_start: datetime) -> list[VolunteerCounts]:
    """Submitted households per volunteer since `day_start` and in total, in one query."""
    ids = [person.id for person in volunteers]
    counts: dict[int, tuple[int, int]] = {}
    if ids:
        submitted = Household.status == HouseholdStatus.SUBMITTED
        rows = session.execute(
            select(
                Household.volunteer_id,
                func.sum(case((submitted, 1), else_=0)),
                func.sum(case((and_(submitted, Household.submitted_at >= day_start), 1), else_=0)),
            )
            .where(Household.volunteer_id.in_(ids))
            .group_by(Household.volunteer_id)
        )
        counts = {volunteer_id: (int(today or 0), int(total or 0)) for volunteer_id, total, today in rows}
    return [VolunteerCounts(person, *counts.get(person.id, (0, 0))) for person in volunteers]


def deactivate(person: Person, now: datetime) -> None:
    """Stop a person: no access, no pushes; their households stay where they are."""
    person.active = False
    person.deactivated_at = now


def pushable_chat_ids(session: Session, person_ids: Iterable[int]) -> list[str]:
    """LINE chat ids of these people that may get a push: active person and a LINE user who has not blocked the bot."""
    ids = set(person_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            select(LineUser.line_user_id)
            .join(Person, Person.line_user_id == LineUser.id)
            .where(Person.id.in_(ids), Person.active.is_(True), LineUser.active.is_(True))
            .order_by(LineUser.line_user_id)
        )
    )

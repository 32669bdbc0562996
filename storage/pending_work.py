"""What each volunteer still has to do, counted by the database (GROUP BY volunteer), for the scheduled pushes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, distinct, exists, func, select
from sqlalchemy.orm import Session

from storage.models import Household, HouseholdProblem, LineUser, Person
from storage.problem_history import ProblemHistory
from storage.rexray import OPEN_REXRAY
from storage.statuses import HouseholdStatus, ProblemChange, ProblemStatus


@dataclass(frozen=True)
class PendingWork:
    """One volunteer's open work: households to revisit, drafts, problems in progress, households that said "not solved"."""

    person_id: int
    municipality_id: int
    rexray: int = 0
    drafts: int = 0
    in_progress: int = 0
    not_solved: int = 0

    @property
    def any(self) -> bool:
        """True when something is waiting for them."""
        return bool(self.rexray or self.drafts or self.in_progress or self.not_solved)


def pushable_people(session: Session, roles: tuple[str, ...], municipality_id: int | None = None) -> list[tuple[int, int, int | None, str, str]]:
    """(person id, municipality, community, chat id, role) of active people of these roles whose LINE user follows the bot."""
    query = (
        select(Person.id, Person.municipality_id, Person.community_id, LineUser.line_user_id, Person.role)
        .join(LineUser, LineUser.id == Person.line_user_id)
        .where(Person.role.in_(roles), Person.active.is_(True), LineUser.active.is_(True))
        .order_by(Person.id)
    )
    if municipality_id is not None:
        query = query.where(Person.municipality_id == municipality_id)
    return [(pid, mid, cid, chat, role) for pid, mid, cid, chat, role in session.execute(query)]


def pending_work(session: Session, municipality_id: int | None = None) -> dict[int, PendingWork]:
    """Every active volunteer's open work (only those with some), in four GROUP BY queries."""
    mine = [Household.volunteer_id.is_not(None), Household.forgotten_at.is_(None)]
    if municipality_id is not None:
        mine.append(Household.municipality_id == municipality_id)
    rexray = _by_volunteer(session, func.count(), [*mine, Household.rexray_status.in_(OPEN_REXRAY)])
    drafts = _by_volunteer(session, func.count(), [*mine, Household.status == HouseholdStatus.DRAFT])
    problems_joined = (HouseholdProblem, HouseholdProblem.household_id == Household.id)
    in_progress = _by_volunteer(session, func.count(HouseholdProblem.id), [*mine, HouseholdProblem.status == ProblemStatus.IN_PROGRESS], problems_joined)
    said_not_solved = exists().where(
        ProblemHistory.problem_id == HouseholdProblem.id, ProblemHistory.via == ProblemChange.HOUSEHOLD, ProblemHistory.new_status == ProblemStatus.NOT_RESOLVED
    )
    not_solved = _by_volunteer(
        session, func.count(distinct(Household.id)), [*mine, and_(HouseholdProblem.status == ProblemStatus.NOT_RESOLVED, said_not_solved)], problems_joined
    )
    volunteers = select(Person.id, Person.municipality_id).where(Person.role == "volunteer", Person.active.is_(True))
    if municipality_id is not None:
        volunteers = volunteers.where(Person.municipality_id == municipality_id)
    found = {}
    for pid, mid in session.execute(volunteers):
        work = PendingWork(pid, mid, rexray.get(pid, 0), drafts.get(pid, 0), in_progress.get(pid, 0), not_solved.get(pid, 0))
        if work.any:
            found[pid] = work
    return found


def _by_volunteer(session: Session, measure, where: list, join: tuple | None = None) -> dict[int, int]:  # type: ignore[no-untyped-def, type-arg]
    """One measure per volunteer over their households (optionally joined to their problems)."""
    query = select(Household.volunteer_id, measure).select_from(Household)
    if join is not None:
        query = query.join(*join)
    return {vid: int(n) for vid, n in session.execute(query.where(*where).group_by(Household.volunteer_id))}

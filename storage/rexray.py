"""Re-X-ray storage: a volunteer's worklist of earlier-round households, and what a revisit records.

Every function takes the session first and never commits (the event or command owns the
transaction). A problem's status changes only through storage.problems.set_status, so each
check leaves its history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from storage.approval import await_approval
from storage.models import Community, Household, HouseholdProblem, Person
from storage.problems import set_status
from storage.statuses import HouseholdPresence, HouseholdStatus, ProblemChange, ProblemStatus, RexrayStatus

# Households still to revisit: not visited, or visited part-way.
OPEN_REXRAY = (RexrayStatus.PENDING, RexrayStatus.STARTED)


@dataclass(frozen=True)
class WorkItem:
    """One household on a volunteer's worklist, with how many of its problems are checked."""

    household_id: int
    house_no: str | None
    head_name: str | None
    community: str | None
    rexray_status: str
    problems: int
    checked: int


def worklist(session: Session, volunteer_id: int, search: str = "", offset: int = 0, limit: int = 10) -> tuple[list[WorkItem], int]:
    """A page of the volunteer's households to revisit in walking order (community, then the file's order), and how many there are.

    `search` finds a house number from its start (12 finds 12/3) or a head's name anywhere in it.
    """
    problems = func.count(HouseholdProblem.id)
    checked = func.sum(case((HouseholdProblem.status != ProblemStatus.FOUND, 1), else_=0))
    where = [Household.volunteer_id == volunteer_id, Household.rexray_status.in_(OPEN_REXRAY), Household.forgotten_at.is_(None)]
    if search.strip():
        term = search.strip()
        where.append(or_(Household.house_no.startswith(term, autoescape=True), Household.head_name.contains(term, autoescape=True)))
    total = session.scalar(select(func.count()).select_from(Household).where(*where)) or 0
    query = (
        select(Household.id, Household.house_no, Household.head_name, Community.name, Household.rexray_status, problems, checked)
        .outerjoin(Community, Community.id == Household.community_id)
        .outerjoin(HouseholdProblem, HouseholdProblem.household_id == Household.id)
        .where(*where)
        .group_by(Household.id, Household.house_no, Household.head_name, Community.name, Household.rexray_status, Household.community_id, Household.walk_order)
        .order_by(Household.community_id, Household.walk_order, Household.id)
        .offset(offset)
        .limit(limit)
    )
    return [WorkItem(row[0], row[1], row[2], row[3], row[4], row[5], int(row[6] or 0)) for row in session.execute(query)], total


def earlier_problems(session: Session, household_id: int) -> list[HouseholdProblem]:
    """A household's recorded problems in the form's order of dimensions and codes (what a revisit goes through)."""
    return list(session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == household_id).order_by(HouseholdProblem.id)))


@dataclass(frozen=True)
class ProblemCheck:
    """What a volunteer found of one recorded problem (thaiqm-form.md §3)."""

    status: ProblemStatus
    partners: tuple[str, ...] = ()
    help_kinds: tuple[str, ...] = ()
    agency: str | None = None
    help_date: date | None = None
    note: str | None = None


def record_check(session: Session, problem: HouseholdProblem, check: ProblemCheck, by: int | None, now: datetime, round_name: str) -> None:
    """Store one problem's check: its status (with history), the networks and kinds of help, agency, date and note."""
    set_status(session, problem, check.status, ProblemChange.REXRAY, now, by=by, round_name=round_name)
    problem.partners = " ".join(check.partners) or None
    problem.help_kinds = " ".join(check.help_kinds) or None
    problem.agency, problem.help_date, problem.note = check.agency, check.help_date, check.note


def start_visit(household: Household, now: datetime) -> None:
    """The volunteer began revisiting the household."""
    if household.rexray_status == RexrayStatus.PENDING:
        household.rexray_status, household.updated_at = RexrayStatus.STARTED, now


def finish_visit(household: Household, presence: HouseholdPresence, now: datetime) -> None:
    """The revisit is over: the household is verified, or gone (moved, not found, nobody lives there)."""
    household.presence, household.rexray_status, household.rexray_at, household.updated_at = presence, RexrayStatus.DONE, now, now
    await_approval(household, now)


def finish_revisit(revisit: Household, now: datetime, receipt: str) -> None:
    """A visit's own record is verified: it keeps its answers and gets its receipt number."""
    revisit.status, revisit.submitted_at, revisit.updated_at, revisit.receipt_no = HouseholdStatus.VERIFIED, now, now, revisit.receipt_no or receipt


# -- a visit's own record: the answers of one Re-X-ray visit ---------------------------------


def begin_revisit(session: Session, earlier: Household, person: Person, form_id: str, form_version: str, round_name: str, now: datetime) -> Household:
    """The record of a volunteer's visit to an earlier-round household (a draft on the Re-X-ray form).

    It names the house and head as the earlier record does, so the volunteer's drafts list it; it
    has no community, house code or ID of its own, so no survey takes it for a duplicate.
    """
    revisit = Household(
        municipality_id=earlier.municipality_id, volunteer_id=person.id, round_name=round_name, form_id=form_id, form_version=form_version,
        status=HouseholdStatus.DRAFT, house_no=earlier.house_no, head_name=earlier.head_name, revisit_of=earlier.id, created_at=now, updated_at=now,
    )
    session.add(revisit)
    session.flush()
    start_visit(earlier, now)
    return revisit


def open_revisit(session: Session, earlier_id: int) -> Household | None:
    """The visit of an earlier-round household still being answered, if any (the newest)."""
    query = select(Household).where(Household.revisit_of == earlier_id, Household.status == HouseholdStatus.DRAFT).order_by(Household.id.desc())
    return session.scalars(query).first()


def cancel_revisit(session: Session, revisit: Household, now: datetime) -> None:
    """A visit cancelled: its record stays as a cancelled draft, the household is back to be visited."""
    revisit.status, revisit.updated_at = HouseholdStatus.CANCELLED, now
    if revisit.revisit_of is not None:
        reopen_visit(session, revisit.revisit_of, now)


def reopen_visit(session: Session, earlier_id: int, now: datetime) -> None:
    """A household whose visit was cancelled or deleted is pending again (unless another visit of it is open)."""
    earlier = session.get(Household, earlier_id)
    if earlier is not None and earlier.rexray_status == RexrayStatus.STARTED and open_revisit(session, earlier.id) is None:
        earlier.rexray_status, earlier.updated_at = RexrayStatus.PENDING, now


@dataclass(frozen=True)
class NewProblem:
    """A problem found at a visit that the earlier round had not recorded."""

    code: str
    dimension: str
    member_no: int | None = None
    detail: str | None = None


def add_new_problem(session: Session, household: Household, found: NewProblem, by: int | None, now: datetime, round_name: str) -> HouseholdProblem | None:
    """Record a new problem on the household (found, in this round, with its history); None when it is recorded already."""
    known = session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == household.id, HouseholdProblem.code == found.code)).first()
    if known is not None:
        if known.found_round == round_name and known.status == ProblemStatus.NOT_APPLICABLE:
            # Taken back at a correction of this round's visit, and ticked again: found again.
            set_status(session, known, ProblemStatus.FOUND, ProblemChange.SURVEY, now, by=by, round_name=round_name)
            known.detail = found.detail
        return None  # the earlier round's problem of that code was checked at this visit
    problem = HouseholdProblem(household_id=household.id, code=found.code, dimension=found.dimension, member_no=found.member_no, detail=found.detail, status=ProblemStatus.FOUND, found_round=round_name, created_at=now)
    session.add(problem)
    set_status(session, problem, ProblemStatus.FOUND, ProblemChange.SURVEY, now, by=by, round_name=round_name)
    return problem


def withdraw_new_problem(session: Session, problem: HouseholdProblem, by: int | None, now: datetime, round_name: str) -> None:
    """A new problem of this round's visit taken back at a correction: closed as no longer applicable, its history kept
    (the supervisor may have seen it, the household may have been asked about it)."""
    set_status(session, problem, ProblemStatus.NOT_APPLICABLE, ProblemChange.REXRAY, now, by=by, round_name=round_name)

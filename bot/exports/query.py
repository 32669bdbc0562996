"""What an export holds: the households a filter selects, with their members, problems and history, in a few queries.

One query per table, each selecting by the same household filter (a subquery, never a list of
ids), so a 50,000-household municipality is read in seconds. Sealed columns (national IDs,
phones) are opened here, for the file only: nothing read here is logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from storage.models import Community, Household, HouseholdMember, HouseholdProblem, Municipality, Person
from storage.problem_history import ProblemHistory
from storage.statuses import ApprovalStatus, HouseholdStatus

# Which records by their approval: approved ones unless asked otherwise.
APPROVALS = ("approved", "awaiting", "sent_back", "all")
# Records an export can hold: submitted surveys and earlier rounds' households (refusals hold no
# household data; drafts and cancelled ones are nobody's record yet).
EXPORTED_STATUSES = (HouseholdStatus.SUBMITTED, HouseholdStatus.IMPORTED)


@dataclass(frozen=True)
class Filters:
    """Which records: a municipality, optionally one community, round, date range, approval and problem statuses."""

    municipality_id: int
    community_id: int | None = None
    round_name: str | None = None
    since: date | None = None
    until: date | None = None
    approval: str = "approved"
    problem_statuses: tuple[str, ...] = ()


class Record(SimpleNamespace):
    """One row read: its columns as attributes (the column names are the schema's, read as attributes, never written as text)."""


@dataclass
class ExportData:
    """Rows read for an export, as plain dicts keyed by column name, in the file's order."""

    municipality: Municipality
    households: list[Record]
    members: list[Record] = field(default_factory=list)
    problems: list[Record] = field(default_factory=list)
    history: list[Record] = field(default_factory=list)
    communities: list[Record] = field(default_factory=list)

    def problems_by_household(self) -> dict[int, list[Record]]:
        """Each household's problems in order."""
        grouped: dict[int, list[Record]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.household_id, []).append(problem)
        return grouped


def household_filter(filters: Filters) -> list[Any]:
    """The WHERE clauses that select the exported households."""
    where: list[Any] = [Household.municipality_id == filters.municipality_id, Household.status.in_(EXPORTED_STATUSES), Household.forgotten_at.is_(None)]
    if filters.approval != "all":
        where.append(Household.approval == ApprovalStatus(filters.approval))
    if filters.community_id is not None:
        where.append(Household.community_id == filters.community_id)
    if filters.round_name:
        where.append(Household.round_name == filters.round_name)
    if filters.since or filters.until:
        # A record's date: the day it was surveyed, or the day of its Re-X-ray visit.
        low, high = filters.since or date(1900, 1, 1), filters.until or date(9999, 12, 30)
        start, end = datetime.combine(low, time.min, tzinfo=timezone.utc), datetime.combine(high + timedelta(days=1), time.min, tzinfo=timezone.utc)
        where.append(or_(Household.survey_date.between(low, high), and_(Household.rexray_at >= start, Household.rexray_at < end)))
    if filters.problem_statuses:
        chosen = select(HouseholdProblem.household_id).where(HouseholdProblem.status.in_(filters.problem_statuses))
        where.append(Household.id.in_(chosen))
    return where


def count(session: Session, filters: Filters) -> int:
    """How many households an export with these filters holds."""
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(Household).where(*household_filter(filters))) or 0


def load(session: Session, filters: Filters) -> ExportData:
    """Everything the export writes, read table by table."""
    municipality = session.get(Municipality, filters.municipality_id)
    assert municipality is not None
    where = household_filter(filters)
    chosen = select(Household.id).where(*where)
    volunteer, approver, changer = aliased(Person), aliased(Person), aliased(Person)
    households = _dicts(session,
        select(Household.__table__, Community.name.label("community_name"), volunteer.full_name.label("volunteer"), (volunteer.active & (volunteer.role == "volunteer")).label("volunteer_active"), approver.full_name.label("approved_by_name"))
        .outerjoin(Community, Community.id == Household.community_id)
        .outerjoin(volunteer, volunteer.id == Household.volunteer_id)
        .outerjoin(approver, approver.id == Household.approved_by)
        .where(*where)
        .order_by(Community.name, Household.round_name, Household.walk_order, Household.id)
    )
    members = _dicts(session, select(HouseholdMember.__table__).where(HouseholdMember.household_id.in_(chosen)).order_by(HouseholdMember.household_id, HouseholdMember.member_no))
    problem_query = select(HouseholdProblem.__table__).where(HouseholdProblem.household_id.in_(chosen))
    if filters.problem_statuses:
        problem_query = problem_query.where(HouseholdProblem.status.in_(filters.problem_statuses))
    problems = _dicts(session, problem_query.order_by(HouseholdProblem.household_id, HouseholdProblem.id))
    codes = {problem.id: problem.code for problem in problems}
    history = [
        Record(**vars(row), code=codes[row.problem_id])
        for row in _dicts(session,
            select(ProblemHistory.__table__, changer.full_name.label("changed_by_name")).outerjoin(changer, changer.id == ProblemHistory.changed_by)
            .where(ProblemHistory.household_id.in_(chosen)).order_by(ProblemHistory.household_id, ProblemHistory.problem_id, ProblemHistory.changed_at, ProblemHistory.id)
        )
        if row.problem_id in codes
    ]
    communities = [
        Record(id=cid, name=name, target=target or 0)
        for cid, name, target in session.execute(
            select(Community.id, Community.name, Community.target_households).where(Community.municipality_id == filters.municipality_id).order_by(Community.name, Community.id)
        )
        if filters.community_id is None or cid == filters.community_id
    ]
    return ExportData(municipality, households, members, problems, history, communities)


def _dicts(session: Session, query: Any) -> list[Record]:
    """Rows of a Core query as records (sealed columns opened by their type), streamed from the database."""
    result = session.execute(query.execution_options(yield_per=5000))
    keys = list(result.keys())
    # zip with the keys read once: a row's own mapping view cost more than the rest of the record.
    return [Record(**dict(zip(keys, row))) for row in result]

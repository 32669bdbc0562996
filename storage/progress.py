"""A round's progress in a municipality (or one community), counted by the database in a few GROUP BY queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from storage.models import Community, Household, HouseholdCount, Person, ProblemCount
from storage.problem_history import ProblemHistory
from storage.statuses import ApprovalStatus, HouseholdStatus, ProblemChange, RexrayStatus


@dataclass(frozen=True)
class CommunityProgress:
    """One community's households against its target."""

    community_id: int
    name: str
    target: int
    surveyed: int = 0  # submitted or refused: visited and done
    refused: int = 0
    drafts: int = 0
    # Re-X-ray of earlier-round households: verified of assigned (none until Re-X-ray is recorded).
    rexray_verified: int = 0
    rexray_assigned: int = 0


@dataclass(frozen=True)
class VolunteerActivity:
    """What one volunteer did today, what they still hold, and when they last did anything."""

    person_id: int
    name: str
    community: str | None
    submitted_today: int = 0
    submitted: int = 0
    drafts: int = 0
    last_activity: datetime | None = None
    # Earlier-round households assigned to them still to revisit (Re-X-ray), whatever the round.
    revisits: int = 0

    @property
    def has_work(self) -> bool:
        """Drafts in hand or households still to revisit."""
        return bool(self.drafts or self.revisits)


@dataclass(frozen=True)
class Progress:
    """Everything the progress view shows, already counted."""

    round_name: str
    communities: list[CommunityProgress]
    problems_by_status: dict[str, int] = field(default_factory=dict)
    problems_by_dimension: dict[str, int] = field(default_factory=dict)
    # Household confirmations of resolved problems (none until confirmations are recorded).
    confirmations: int = 0
    # Records a supervisor approved, and records awaiting approval (storage/approval.py).
    approved: int = 0
    awaiting: int = 0
    volunteers: list[VolunteerActivity] = field(default_factory=list)

    @property
    def target(self) -> int:
        """The households to survey in all communities shown."""
        return sum(c.target for c in self.communities)

    @property
    def surveyed(self) -> int:
        """The households surveyed in all communities shown."""
        return sum(c.surveyed for c in self.communities)

    def active_today(self) -> list[VolunteerActivity]:
        """Volunteers who submitted something today, busiest first."""
        return sorted((v for v in self.volunteers if v.submitted_today), key=lambda v: (-v.submitted_today, v.name))

    def idle(self, before: datetime) -> list[VolunteerActivity]:
        """Volunteers with work waiting (drafts, households to revisit) who have done nothing since `before`, longest idle first."""
        waiting = [v for v in self.volunteers if v.has_work and (v.last_activity is None or _aware(v.last_activity) < before)]
        return sorted(waiting, key=lambda v: (_aware(v.last_activity) if v.last_activity else before.replace(year=1), v.name))


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC times: make them comparable with aware ones."""
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def progress(session: Session, municipality_id: int, round_name: str, day_start: datetime, community_id: int | None = None) -> Progress:
    """The round's progress in a municipality, or in one of its communities.

    The counts come from the maintained counters (storage/counter_models.py: a few rows per volunteer,
    whatever the households stored); today's submissions from an index of submission times, each
    volunteer's last activity from an index of their households' changes (one row each).
    """
    # A Re-X-ray visit's own record is no household of the round (its results are on the household revisited).
    # Re-X-ray revisits an earlier round's households, and households confirm their problems
    # whatever round recorded them: both are counted over the area, not the round.
    in_area = [Household.municipality_id == municipality_id, Household.revisit_of.is_(None)]
    if community_id is not None:
        in_area.append(Household.community_id == community_id)
    tally = _tally(session, municipality_id, community_id, round_name)
    by_status, by_dimension = _problems(session, municipality_id, community_id, round_name)
    return Progress(
        round_name=round_name,
        communities=_communities(session, municipality_id, community_id, tally),
        problems_by_status=by_status,
        problems_by_dimension=by_dimension,
        confirmations=_confirmations(session, in_area),
        volunteers=_people(session, municipality_id, community_id, round_name, in_area, day_start, tally.volunteers),
        approved=tally.approved,
        awaiting=tally.awaiting,
    )


@dataclass
class _Tally:
    """The area's counted households: per community (status, Re-X-ray), per volunteer, and approvals."""

    communities: dict[int | None, list[int]] = field(default_factory=dict)  # submitted, refused, drafts, verified, assigned
    volunteers: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # submitted, drafts, to revisit
    approved: int = 0
    awaiting: int = 0


def _tally(session: Session, municipality_id: int, community_id: int | None, round_name: str) -> _Tally:
    """The area's household counters, grouped by community and volunteer, every figure a conditional sum."""
    c = HouseholdCount
    in_round, to_revisit = c.round_name == round_name, c.rexray_status != ""

    def when(*conditions) -> object:  # type: ignore[no-untyped-def]
        return func.coalesce(func.sum(case((and_(*conditions), c.households), else_=0)), 0)

    where = [c.municipality_id == municipality_id, or_(in_round, to_revisit)]
    if community_id is not None:
        where.append(c.community_id == community_id)
    rows = session.execute(
        select(
            c.community_id, c.volunteer_id,
            when(in_round, c.status == HouseholdStatus.SUBMITTED), when(in_round, c.status == HouseholdStatus.REFUSED), when(in_round, c.status == HouseholdStatus.DRAFT),
            when(c.rexray_status == RexrayStatus.DONE), when(to_revisit),
            when(in_round, c.approval == ApprovalStatus.APPROVED), when(in_round, c.approval == ApprovalStatus.AWAITING),
            # A volunteer's Re-X-ray work: households still to revisit.
            when(c.rexray_status.in_((RexrayStatus.PENDING, RexrayStatus.STARTED))),
        )
        .where(*where)
        .group_by(c.community_id, c.volunteer_id)
    )
    tally = _Tally()
    volunteers: dict[int, list[int]] = {}
    for cid, vid, done, refused, drafts, verified, assigned, approved, awaiting, revisits in rows:
        counts = tally.communities.setdefault(cid or None, [0, 0, 0, 0, 0])
        for i, n in enumerate((done, refused, drafts, verified, assigned)):
            counts[i] += int(n)
        tally.approved += int(approved)
        tally.awaiting += int(awaiting)
        if vid:
            mine = volunteers.setdefault(vid, [0, 0, 0])
            for i, n in enumerate((done, drafts, revisits)):
                mine[i] += int(n)
    tally.volunteers = {vid: (done, drafts, revisits) for vid, (done, drafts, revisits) in volunteers.items()}
    return tally


def _today(session: Session, in_area: list, round_name: str, day_start: datetime) -> dict[int, int]:  # type: ignore[type-arg]
    """Households of the round each volunteer submitted since the day began (read by submission time: today's rows only)."""
    rows = session.execute(
        select(Household.volunteer_id, func.count())
        .where(*in_area, Household.submitted_at >= day_start, Household.round_name == round_name, Household.status == HouseholdStatus.SUBMITTED)
        .group_by(Household.volunteer_id)
    )
    return {vid: int(n) for vid, n in rows if vid is not None}


def _people(session: Session, municipality_id: int, community_id: int | None, round_name: str, in_area: list, day_start: datetime,  # type: ignore[type-arg]
            counts: dict[int, tuple[int, int, int]]) -> list[VolunteerActivity]:
    """The area's active volunteers (a small list) with their counted households, today's submissions and last activity."""
    # Their latest household of the round, or to revisit: walked backwards on (volunteer, updated_at), one row each.
    last = (
        select(Household.updated_at)
        .where(Household.volunteer_id == Person.id, *in_area, or_(Household.round_name == round_name, Household.rexray_status.is_not(None)))
        .order_by(Household.updated_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(Person.id, Person.full_name, Community.name, last)
        .outerjoin(Community, Community.id == Person.community_id)
        .where(Person.role == "volunteer", Person.active.is_(True), Person.municipality_id == municipality_id)
    )
    if community_id is not None:
        query = query.where(Person.community_id == community_id)
    today = _today(session, in_area, round_name, day_start)
    found = []
    for pid, name, community, latest in session.execute(query.order_by(Person.full_name, Person.id)):
        done, drafts, revisits = counts.get(pid, (0, 0, 0))
        found.append(VolunteerActivity(pid, name, community, today.get(pid, 0), done, drafts, _latest(latest), revisits))
    return found


def volunteer_activity(session: Session, municipality_id: int, community_id: int | None, day_start: datetime) -> list[VolunteerActivity]:
    """The active volunteers of an area with their counts over every round (the supervisor's volunteer list)."""
    in_scope = [Household.municipality_id == municipality_id, Household.revisit_of.is_(None)]
    if community_id is not None:
        in_scope.append(Household.community_id == community_id)
    return _volunteers(session, municipality_id, community_id, in_scope, day_start)


def _confirmations(session: Session, in_area: list) -> int:  # type: ignore[type-arg]
    """Problem statuses the households themselves gave (confirmed solved, or not solved after all)."""
    query = select(func.count()).select_from(ProblemHistory).join(Household, Household.id == ProblemHistory.household_id)
    return int(session.scalar(query.where(*in_area, ProblemHistory.via == ProblemChange.HOUSEHOLD)) or 0)


def _communities(session: Session, municipality_id: int, community_id: int | None, tally: _Tally) -> list[CommunityProgress]:
    """Each community (one small list) with its counted households."""
    query = select(Community.id, Community.name, Community.target_households).where(Community.municipality_id == municipality_id)
    if community_id is not None:
        query = query.where(Community.id == community_id)
    found = []
    for cid, name, target in session.execute(query.order_by(Community.name, Community.id)):
        submitted, refused, drafts, verified, assigned = tally.communities.get(cid, (0, 0, 0, 0, 0))
        found.append(CommunityProgress(cid, name, target or 0, submitted + refused, refused, drafts, verified, assigned))
    return found


def _problems(session: Session, municipality_id: int, community_id: int | None, round_name: str) -> tuple[dict[str, int], dict[str, int]]:
    """Problems of the round's submitted households by status and by dimension (summed from the area's problem counters)."""
    c = ProblemCount
    where = [c.municipality_id == municipality_id, c.round_name == round_name]
    if community_id is not None:
        where.append(c.community_id == community_id)
    rows = session.execute(select(c.status, c.dimension, func.sum(c.problems)).where(*where).group_by(c.status, c.dimension))
    by_status: dict[str, int] = {}
    by_dimension: dict[str, int] = {}
    for status, dimension, count in rows:
        if count:  # a counter counted down to nothing
            by_status[status] = by_status.get(status, 0) + int(count)
            by_dimension[dimension] = by_dimension.get(dimension, 0) + int(count)
    return by_status, by_dimension


def _volunteers(session: Session, municipality_id: int, community_id: int | None, in_scope: list, day_start: datetime) -> list[VolunteerActivity]:  # type: ignore[type-arg]
    """Every active volunteer of the area with their counts and last activity (one GROUP BY joined to people)."""
    submitted = Household.status == HouseholdStatus.SUBMITTED
    counts = (
        select(
            Household.volunteer_id.label("volunteer_id"),
            func.sum(case((and_(submitted, Household.submitted_at >= day_start), 1), else_=0)).label("today"),
            func.sum(case((submitted, 1), else_=0)).label("submitted"),
            func.sum(case((Household.status == HouseholdStatus.DRAFT, 1), else_=0)).label("drafts"),
            func.max(Household.updated_at).label("last"),
        )
        .where(*in_scope, Household.volunteer_id.is_not(None))
        .group_by(Household.volunteer_id)
        .subquery()
    )
    query = (
        select(Person.id, Person.full_name, Community.name, counts.c.today, counts.c.submitted, counts.c.drafts, counts.c.last)
        .outerjoin(counts, counts.c.volunteer_id == Person.id)
        .outerjoin(Community, Community.id == Person.community_id)
        .where(Person.role == "volunteer", Person.active.is_(True), Person.municipality_id == municipality_id)
    )
    if community_id is not None:
        query = query.where(Person.community_id == community_id)
    revisits = _revisits(session, municipality_id, community_id)
    found = []
    for pid, name, community, today, done, drafts, last in session.execute(query.order_by(Person.full_name, Person.id)):
        to_revisit, revisited = revisits.get(pid, (0, None))
        found.append(VolunteerActivity(pid, name, community, int(today or 0), int(done or 0), int(drafts or 0), _latest(last, revisited), to_revisit))
    return found


def _revisits(session: Session, municipality_id: int, community_id: int | None) -> dict[int, tuple[int, datetime | None]]:
    """Per volunteer: earlier-round households still to revisit, and the last change to their Re-X-ray work (visits included)."""
    where = [
        Household.municipality_id == municipality_id,
        Household.volunteer_id.is_not(None),
        Household.forgotten_at.is_(None),
        or_(Household.rexray_status.is_not(None), Household.revisit_of.is_not(None)),
    ]
    if community_id is not None:
        where.append(Household.community_id == community_id)
    still_open = func.sum(case((Household.rexray_status.in_((RexrayStatus.PENDING, RexrayStatus.STARTED)), 1), else_=0))
    rows = session.execute(select(Household.volunteer_id, still_open, func.max(Household.updated_at)).where(*where).group_by(Household.volunteer_id))
    return {vid: (int(n or 0), last) for vid, n, last in rows}


def _latest(*moments: datetime | None) -> datetime | None:
    """The latest of some moments (None when there is none)."""
    known = [_aware(m) for m in moments if m is not None]
    return max(known) if known else None

"""Storing an earlier round's households and problems read from a file: new ones added, known ones updated.

A household of the file is the household already stored for the municipality's round with the
same house code, else the same head's ID (by its lookup hash: IDs are sealed), else the same
house number in the same community. Importing a file twice therefore changes nothing, and a
corrected file changes only what it corrects.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Callable, Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from storage.models import Household, HouseholdProblem, Person
from storage.problem_history import ProblemHistory
from storage.problems import set_status
from storage.sealed import lookup_hashes
from storage.statuses import HouseholdOrigin, HouseholdStatus, ProblemChange, ProblemStatus, RexrayStatus

# Imported records were not answered with a form of this bot: they carry this form id.
IMPORT_FORM_ID, IMPORT_FORM_VERSION = "import", "1"


@dataclass
class ProblemRecord:
    """One problem of a household as the file gives it (status None: leave a known problem's status)."""

    code: str
    dimension: str
    member_no: int | None = None
    detail: str | None = None
    status: str | None = None
    partners: str | None = None
    help_kinds: str | None = None
    agency: str | None = None
    help_date: date | None = None
    note: str | None = None


@dataclass
class HouseholdRecord:
    """One household as the file gives it, with its problems in file order."""

    order: int
    community_id: int | None
    house_no: str
    house_code: str | None = None
    moo: int | None = None
    head_name: str | None = None
    head_national_id: str | None = None
    phone: str | None = None
    member_count: int | None = None
    survey_date: date | None = None
    volunteer_id: int | None = None
    problems: list[ProblemRecord] = field(default_factory=list)


@dataclass
class ImportCounts:
    """What an import did, for the operator."""

    households_added: int = 0
    households_updated: int = 0
    problems_added: int = 0
    problems_updated: int = 0
    problems_removed: int = 0
    unassigned: int = 0


# What a record copies onto its row: every field but its place, area, volunteer and problems (household),
# or its code and status, which are matched and changed with their history (problem).
HOUSEHOLD_FIELDS = tuple(f.name for f in fields(HouseholdRecord) if f.name not in ("order", "community_id", "volunteer_id", "problems"))
PROBLEM_FIELDS = tuple(f.name for f in fields(ProblemRecord) if f.name not in ("code", "status"))
# Compared by hash, never opened (the name of the sealed column, read from the model).
SEALED_ID = Household.head_national_id.key


class _Known:
    """The round's stored households, found by house code, head ID hash or community and house number."""

    def __init__(self, households: Iterable[Household]) -> None:
        self.by_code: dict[str, Household] = {}
        self.by_head: dict[str, Household] = {}
        self.by_house: dict[tuple[int | None, str], Household] = {}
        for household in households:
            self.add(household)

    def add(self, household: Household) -> None:
        """Make a household findable."""
        if household.house_code:
            self.by_code[household.house_code] = household
        if household.head_national_id_hash:
            self.by_head[household.head_national_id_hash] = household
        if household.house_no:
            self.by_house[(household.community_id, household.house_no)] = household

    def find(self, record: HouseholdRecord) -> Household | None:
        """The stored household a record stands for, if any."""
        if record.house_code and record.house_code in self.by_code:
            return self.by_code[record.house_code]
        if record.head_national_id:
            for digest in lookup_hashes(record.head_national_id):
                if digest in self.by_head:
                    return self.by_head[digest]
        return self.by_house.get((record.community_id, record.house_no))


def store_round(
    session: Session,
    municipality_id: int,
    round_name: str,
    records: list[HouseholdRecord],
    volunteers_by_community: dict[int | None, list[int]],
    now: datetime,
    progress: Callable[[int], None] = lambda _n: None,
) -> ImportCounts:
    """Add or update every household of the file, with its problems; assign new ones to volunteers."""
    counts = ImportCounts()
    stored = session.scalars(select(Household).where(Household.municipality_id == municipality_id, Household.round_name == round_name)).all()
    known = _Known(stored)
    problems: dict[int, dict[str, HouseholdProblem]] = {}
    for problem in session.scalars(select(HouseholdProblem).join(Household).where(Household.municipality_id == municipality_id, Household.round_name == round_name)):
        problems.setdefault(problem.household_id, {})[problem.code] = problem
    turns = {community: itertools.cycle(ids) for community, ids in volunteers_by_community.items() if ids}
    fresh: list[tuple[Household, HouseholdRecord]] = []
    for record in records:
        household = known.find(record)
        if household is None:
            household = _new_household(municipality_id, round_name, record, now)
            household.volunteer_id = record.volunteer_id or _next(turns, record.community_id)
            counts.unassigned += household.volunteer_id is None
            session.add(household)
            known.add(household)
            fresh.append((household, record))
            counts.households_added += 1
        else:
            counts.households_updated += _update_household(household, record, now)
            _sync(session, household, record, problems.get(household.id, {}), round_name, now, counts)
        progress(1)
    session.flush()
    _add_problems(session, fresh, round_name, now, counts)
    return counts


def _next(turns: dict[int | None, Iterable[int]], community_id: int | None) -> int | None:
    """The community's next volunteer in turn (round-robin), else the municipality's, else none."""
    for key in (community_id, None):
        if key in turns:
            return next(turns[key])  # type: ignore[call-overload]
    return None


def _new_household(municipality_id: int, round_name: str, record: HouseholdRecord, now: datetime) -> Household:
    """A household row for a record (counted in its round, to be revisited)."""
    household = Household(
        municipality_id=municipality_id, community_id=record.community_id, round_name=round_name, form_id=IMPORT_FORM_ID, form_version=IMPORT_FORM_VERSION,
        status=HouseholdStatus.IMPORTED, origin=HouseholdOrigin.IMPORTED, rexray_status=RexrayStatus.PENDING, walk_order=record.order,
        created_at=now, updated_at=now,
    )
    for name in HOUSEHOLD_FIELDS:
        setattr(household, name, getattr(record, name))
    return household


def _update_household(household: Household, record: HouseholdRecord, now: datetime) -> bool:
    """Copy what the file corrects; True when anything changed."""
    changed = False
    for name in HOUSEHOLD_FIELDS:
        value = getattr(record, name)
        current = getattr(household, name)
        if name == SEALED_ID:
            # Compared by hash: opening every stored ID to compare would be slower and no safer.
            same = household.head_national_id_hash in (lookup_hashes(value) if value else [None])
        else:
            same = current == value
        if not same:
            setattr(household, name, value)
            changed = True
    if record.community_id != household.community_id:
        household.community_id, changed = record.community_id, True
    if record.volunteer_id and record.volunteer_id != household.volunteer_id:
        household.volunteer_id, changed = record.volunteer_id, True
    household.walk_order = record.order
    if changed:
        household.updated_at = now
    return changed


def _sync(
    session: Session, household: Household, record: HouseholdRecord, stored: dict[str, HouseholdProblem], round_name: str, now: datetime, counts: ImportCounts
) -> None:
    """Make a known household's problems what the file says; a problem already checked at Re-X-ray is kept."""
    wanted = {problem.code: problem for problem in record.problems}
    for code, problem in stored.items():
        if code not in wanted and problem.status == ProblemStatus.FOUND:
            session.delete(problem)
            counts.problems_removed += 1
    for code, given in wanted.items():
        problem = stored.get(code)
        if problem is None:
            problem = HouseholdProblem(household_id=household.id, code=code, created_at=now, found_round=round_name, status=ProblemStatus.FOUND)
            _copy_problem(problem, given)
            session.add(problem)
            set_status(session, problem, ProblemStatus(given.status or ProblemStatus.FOUND), ProblemChange.IMPORT, now, round_name=round_name)
            counts.problems_added += 1
            continue
        changed = _copy_problem(problem, given)
        if given.status and given.status != problem.status:
            changed = set_status(session, problem, ProblemStatus(given.status), ProblemChange.IMPORT, now, round_name=round_name) or changed
        counts.problems_updated += changed


def _copy_problem(problem: HouseholdProblem, given: ProblemRecord) -> bool:
    """Copy a problem's fields from the file; True when anything changed."""
    changed = False
    for name in PROBLEM_FIELDS:
        value = getattr(given, name)
        if getattr(problem, name) != value:
            setattr(problem, name, value)
            changed = True
    return changed


def _add_problems(session: Session, fresh: list[tuple[Household, HouseholdRecord]], round_name: str, now: datetime, counts: ImportCounts) -> None:
    """The problems of new households, with their first history entries, in bulk (a 50,000-row file must take seconds)."""
    rows = [
        {"household_id": household.id, "code": given.code, "status": given.status or ProblemStatus.FOUND, "found_round": round_name, "created_at": now,
         "status_changed_at": now, **{name: getattr(given, name) for name in PROBLEM_FIELDS}}
        for household, record in fresh for given in record.problems
    ]
    if not rows:
        return
    ids = session.execute(insert(HouseholdProblem).returning(HouseholdProblem.id, HouseholdProblem.household_id, HouseholdProblem.status), rows).all()
    session.execute(
        insert(ProblemHistory),
        [{"problem_id": pid, "household_id": hid, "old_status": None, "new_status": status, "via": ProblemChange.IMPORT, "round_name": round_name,
          "changed_by": None, "changed_at": now} for pid, hid, status in ids],
    )
    counts.problems_added += len(rows)


def volunteer_ids(session: Session, municipality_id: int) -> tuple[dict[int | None, list[int]], dict[str, int]]:
    """The municipality's active volunteers by community (None: all of them) in registration order, and by full name."""
    people = session.scalars(
        select(Person).where(Person.role == "volunteer", Person.active.is_(True), Person.municipality_id == municipality_id).order_by(Person.id)
    ).all()
    by_community: dict[int | None, list[int]] = {None: [person.id for person in people]}
    for person in people:
        if person.community_id is not None:
            by_community.setdefault(person.community_id, []).append(person.id)
    return by_community, {person.full_name: person.id for person in people}


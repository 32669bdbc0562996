"""The progress view's maintained counts checked against a fresh count of households and problems, and set right."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, delete, func, insert, select, text
from sqlalchemy.orm import Session

from storage.models import Household, HouseholdCount, HouseholdProblem, ProblemCount
from storage.statuses import HouseholdStatus

Key = tuple  # type: ignore[type-arg]


@dataclass(frozen=True)
class Drift:
    """One counter that differs from the count: which table, which key, what it held and what it should."""

    table: str
    key: Key
    stored: int
    counted: int


# The key columns as stored in the households (None is 0 or '' in the counters: see _keyed).
HOUSEHOLD_GROUPS = (Household.municipality_id, Household.round_name, Household.community_id, Household.volunteer_id, Household.status, Household.approval, Household.rexray_status)
PROBLEM_GROUPS = (Household.municipality_id, Household.round_name, Household.community_id, Household.volunteer_id, HouseholdProblem.dimension, HouseholdProblem.status)


def _keyed(rows) -> dict[Key, int]:  # type: ignore[no-untyped-def]
    """Counted rows by their counter key: None as the counters store it (0 for ids, '' for statuses)."""
    found: dict[Key, int] = {}
    for *key, n in rows:
        stored_key = tuple((0 if isinstance(column.type, Integer) else "") if value is None else value for column, value in zip(HOUSEHOLD_GROUPS, key))
        found[stored_key] = found.get(stored_key, 0) + int(n)
    return found


def counted(session: Session) -> tuple[dict[Key, int], dict[Key, int]]:
    """What the counters should hold: households, and problems of submitted households (Re-X-ray visit records left out)."""
    households = session.execute(select(*HOUSEHOLD_GROUPS, func.count()).where(Household.revisit_of.is_(None)).group_by(*HOUSEHOLD_GROUPS))
    problems = session.execute(
        select(*PROBLEM_GROUPS, func.count())
        .join(Household, Household.id == HouseholdProblem.household_id)
        .where(Household.revisit_of.is_(None), Household.status == HouseholdStatus.SUBMITTED)
        .group_by(*PROBLEM_GROUPS)
    )
    return _keyed(households), _keyed(problems)


def stored(session: Session) -> tuple[dict[Key, int], dict[Key, int]]:
    """What the counters hold (rows counted down to zero left out: they count nothing)."""
    h, p = HouseholdCount, ProblemCount
    households = session.execute(select(h.municipality_id, h.round_name, h.community_id, h.volunteer_id, h.status, h.approval, h.rexray_status, h.households).where(h.households != 0))
    problems = session.execute(select(p.municipality_id, p.round_name, p.community_id, p.volunteer_id, p.dimension, p.status, p.problems).where(p.problems != 0))
    return {tuple(row[:-1]): int(row[-1]) for row in households}, {tuple(row[:-1]): int(row[-1]) for row in problems}


def drift(session: Session) -> list[Drift]:
    """Every counter that differs from a fresh count (empty when the counters are right)."""
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        # Counters and count read from one snapshot: under live writes, separate statements would see different moments.
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    found = []
    for table, have, want in zip(("progress_households", "progress_problems"), stored(session), counted(session)):
        for key in sorted(set(have) | set(want), key=repr):
            if have.get(key, 0) != want.get(key, 0):
                found.append(Drift(table, key, have.get(key, 0), want.get(key, 0)))
    return found


def rebuild(session: Session) -> list[Drift]:
    """Count again and store the count in place of the counters; returns the drift found (the caller commits)."""
    if session.get_bind().dialect.name == "postgresql":
        # Writers wait while the count is taken and stored (readers do not): nothing changes in between.
        session.execute(text("LOCK TABLE households, household_problems IN SHARE ROW EXCLUSIVE MODE"))
    found = drift(session)
    households, problems = counted(session)
    session.execute(delete(HouseholdCount))
    session.execute(delete(ProblemCount))
    h_columns = ("municipality_id", "round_name", "community_id", "volunteer_id", "status", "approval", "rexray_status")
    p_columns = ("municipality_id", "round_name", "community_id", "volunteer_id", "dimension", "status")
    if households:
        session.execute(insert(HouseholdCount), [dict(zip(h_columns, key), households=n) for key, n in households.items()])
    if problems:
        session.execute(insert(ProblemCount), [dict(zip(p_columns, key), problems=n) for key, n in problems.items()])
    return found

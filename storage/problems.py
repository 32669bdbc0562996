"""A household problem's status, changed in one place so that every change leaves its history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import HouseholdProblem
from storage.problem_history import ProblemHistory
from storage.statuses import ProblemChange, ProblemStatus


def set_status(
    session: Session,
    problem: HouseholdProblem,
    status: ProblemStatus,
    via: ProblemChange,
    now: datetime,
    by: int | None = None,
    round_name: str | None = None,
    always: bool = False,
) -> bool:
    """Move a problem to a status, recording from what, who, when and how; False when it already stood there.

    `always` writes the history row even when the status stays (a household confirming a solved
    problem: its answer is a change of the record, not of the status).
    """
    new = problem.id is None
    if not new and problem.status == status and not always:
        return False
    if new:
        session.flush()
    old = None if new else problem.status
    session.add(
        ProblemHistory(
            problem_id=problem.id, household_id=problem.household_id, old_status=old, new_status=status, via=via, round_name=round_name, changed_by=by, changed_at=now
        )
    )
    if old != status:
        problem.status, problem.status_changed_at, problem.status_changed_by = status, now, by
    return True


def history_of(session: Session, problem_id: int) -> list[ProblemHistory]:
    """A problem's status changes, oldest first."""
    return list(session.scalars(select(ProblemHistory).where(ProblemHistory.problem_id == problem_id).order_by(ProblemHistory.changed_at, ProblemHistory.id)))

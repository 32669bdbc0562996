"""The audit log: who did what to whom, when (ids only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage.models import AuditEntry


def record(
    session: Session,
    action: str,
    now: datetime,
    actor_id: int | None = None,
    subject_id: int | None = None,
    household_id: int | None = None,
    **details: int | str | None,
) -> AuditEntry:
    """Write one audit entry; details must be ids or codes, never personal data."""
    entry = AuditEntry(
        action=action, at=now, actor_person_id=actor_id, subject_person_id=subject_id, household_id=household_id, details=details or None
    )
    session.add(entry)
    return entry


def prune(session: Session, before: datetime) -> int:
    """Delete entries older than a moment (the retention period); returns how many."""
    return session.execute(delete(AuditEntry).where(AuditEntry.at < before)).rowcount or 0

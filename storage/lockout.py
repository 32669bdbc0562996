"""Wrong-code lockout shared by registration and household confirmation: five tries, then a pause."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol

MAX_WRONG_CODES = 5
LOCKOUT = timedelta(minutes=15)


class Guard(Protocol):
    """A LINE user's wrong-code counter (RegistrationGuard, ConfirmationGuard)."""

    failures: int
    locked_until: datetime | None


def locked_until(guard: Guard | None, now: datetime) -> datetime | None:
    """When this guard's LINE user may try codes again, if it is locked out now."""
    if guard is None or guard.locked_until is None:
        return None
    until = aware(guard.locked_until)
    return until if until > now else None


def count_wrong(guard: Guard, now: datetime) -> datetime | None:
    """Count one wrong code; the lockout's end when it was the last allowed (then five fresh tries after it)."""
    guard.failures += 1
    if guard.failures < MAX_WRONG_CODES:
        return None
    guard.failures, guard.locked_until = 0, now + LOCKOUT
    return guard.locked_until


def aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for stored UTC: make them aware again."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

"""When a scheduled push is due: its configured local time has come today, and it is not quiet hours."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.quiet_hours import is_quiet


class Kind(enum.StrEnum):
    """The kinds of push (push_records.kind)."""

    DIGEST = "digest"  # a volunteer's day: what is waiting for them
    DEADLINE = "deadline"  # days left to a deadline of the round
    PROGRESS = "progress"  # a supervisor's daily progress
    NUDGE = "nudge"  # a supervisor's reminder to an idle volunteer (from a button)


def local_day(now: datetime, zone: ZoneInfo) -> date:
    """The municipality's calendar day at `now`."""
    return now.astimezone(zone).date()


def is_due(now: datetime, at: time, config: Config) -> bool:
    """True once today's `at` has passed and while pushing is allowed (a push due in quiet hours waits for the morning)."""
    if is_quiet(now, config.quiet_hours, config.zone):
        return False
    return now.astimezone(config.zone).time() >= at


def due_kinds(now: datetime, config: Config) -> list[Kind]:
    """The kinds of push due at `now` (each goes once a day to each person: push_records says who has had it)."""
    due = []
    if is_due(now, config.digest_time, config):
        due += [Kind.DIGEST, Kind.DEADLINE]
    if is_due(now, config.progress_time, config):
        due.append(Kind.PROGRESS)
    return due


def deadline_days(deadline: date | None, today: date, offsets: tuple[int, ...]) -> int | None:
    """Days left to a deadline when that is one of the reminder offsets, else None."""
    if deadline is None:
        return None
    left = (deadline - today).days
    return left if left in offsets else None

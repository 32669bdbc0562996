"""Quiet hours: the part of the night when the bot pushes nothing (due pushes wait for the morning)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # the config reads its quiet hours with parse_quiet_hours below
    from bot.config import Config


def parse_quiet_hours(raw: str) -> tuple[time, time]:
    """Read "20:00-07:00" (start, end; local times, may wrap past midnight), or raise ValueError."""
    start, sep, end = raw.replace(" ", "").partition("-")
    if not sep:
        raise ValueError(raw)
    return time.fromisoformat(start), time.fromisoformat(end)


def is_quiet(moment: datetime, hours: tuple[time, time], zone: ZoneInfo) -> bool:
    """True when `moment` (aware) falls in the quiet hours of the local day; start == end means none."""
    start, end = hours
    local = moment.astimezone(zone).time()
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_ends(moment: datetime, hours: tuple[time, time], zone: ZoneInfo) -> datetime:
    """The first moment at or after `moment` that is outside the quiet hours (aware, in `zone`)."""
    local = moment.astimezone(zone)
    if not is_quiet(moment, hours, zone):
        return local
    end = hours[1]
    morning = datetime.combine(local.date(), end, tzinfo=zone)
    return morning if morning > local else morning + timedelta(days=1)


@dataclass(frozen=True)
class PushHours:
    """The quiet hours and calendar of the municipality, as the outbox's retries need them."""

    hours: tuple[time, time]
    zone: ZoneInfo

    def __call__(self, moment: datetime) -> bool:
        """True in the quiet hours: scheduled pushes wait for the morning."""
        return is_quiet(moment, self.hours, self.zone)

    def day(self, moment: datetime) -> date:
        """The local calendar day: a scheduled push of an earlier day is stale."""
        return moment.astimezone(self.zone).date()


def quiet_for(config: Config) -> PushHours:
    """The configured quiet hours (scheduled pushes then wait) and local calendar (yesterday's are stale)."""
    return PushHours(config.quiet_hours, config.zone)


def local_clock(moment: datetime, zone: ZoneInfo) -> str:
    """A moment as the local time of day people read, e.g. "07:00"."""
    local = moment.astimezone(zone)
    return f"{local.hour:02d}:{local.minute:02d}"

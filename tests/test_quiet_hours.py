"""Quiet hours: nothing is pushed between 20:00 and 07:00 Bangkok time by default."""

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.config import Config, ConfigError
from bot.quiet_hours import is_quiet, quiet_ends

BANGKOK = ZoneInfo("Asia/Bangkok")
NIGHT = (time(20, 0), time(7, 0))


@pytest.mark.parametrize(
    ("utc_hour", "quiet"),
    [(0, False), (12, False), (13, True), (23, True), (23, True), (0, False)],  # 07:00, 19:00, 20:00, 06:00 Bangkok
)
def test_night_in_bangkok_is_quiet(utc_hour: int, quiet: bool) -> None:
    assert is_quiet(datetime(2026, 11, 28, utc_hour, 0, tzinfo=timezone.utc), NIGHT, BANGKOK) is quiet


def test_a_push_due_at_night_waits_for_seven_in_the_morning() -> None:
    late = datetime(2026, 11, 28, 15, 30, tzinfo=timezone.utc)  # 22:30 in Bangkok
    assert quiet_ends(late, NIGHT, BANGKOK) == datetime(2026, 11, 29, 7, 0, tzinfo=BANGKOK)
    early = datetime(2026, 11, 28, 22, 0, tzinfo=timezone.utc)  # 05:00 next day in Bangkok
    assert quiet_ends(early, NIGHT, BANGKOK) == datetime(2026, 11, 29, 7, 0, tzinfo=BANGKOK)


def test_quiet_hours_come_from_the_environment() -> None:
    config = Config.from_env({"THAIQM_QUIET_HOURS": "21:30-06:00", "THAIQM_INSTANCE_PATH": "/tmp/x"})
    assert config.quiet_hours == (time(21, 30), time(6, 0))
    with pytest.raises(ConfigError, match="THAIQM_QUIET_HOURS"):
        Config.from_env({"THAIQM_QUIET_HOURS": "late", "THAIQM_INSTANCE_PATH": "/tmp/x"})

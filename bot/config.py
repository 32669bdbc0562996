"""The bot's configuration: the only place that reads the environment."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from storage.crypto import DataKeyError, Keyring
from storage.db import POSTGRESQL_DRIVER
from bot.quiet_hours import parse_quiet_hours
from bot.resources import forms_dir, locales_dir

LINE_API_DEFAULT = "https://api.line.me"
# Shown in the log and the README: never a secret of a real channel.
LOCAL_CHANNEL_SECRET = "local-development-channel-secret"
LOCAL_CHANNEL_TOKEN = "local-development-access-token"
LOCAL_LINE_PORT = 8091
# The local mode's made-up basic id and the address `serve`/`demo` listen on by default.
LOCAL_BASIC_ID = "@000thaiqm"
LOCAL_PUBLIC_BASE_URL = "http://127.0.0.1:8080"
BASIC_ID = re.compile(r"^@[0-9a-z._-]{3,30}$")


class ConfigError(Exception):
    """A configuration that cannot work; the message is one line for a person."""


@dataclass(frozen=True)
class Config:
    """Everything the app needs from its environment, checked once."""

    line_channel_secret: str
    line_channel_access_token: str
    database_url: str
    line_api_base_url: str = LINE_API_DEFAULT
    timezone: str = "Asia/Bangkok"
    local_mode: bool = False
    instance_path: str = "instance"
    redis_url: str | None = None
    # The job queue's name in Redis (THAIQM_JOBS_NAME): deployments, or tests, sharing one Redis keep apart.
    jobs_name: str = "thaiqm-bot"
    # Seconds a LINE call may take (connecting: at most half a second); sending happens
    # after the webhook is answered, but a lane waiting on a slow LINE holds up the chats
    # behind it, and a reply must be retried while its token is still fresh.
    line_timeout: float = 1.5
    # Seconds a webhook waits for its database work before answering 503 (LINE waits 2 s,
    # then redelivers; work that finishes later is recognised by its event id).
    webhook_deadline: float = 1.8
    # Seconds between this process's sweeps of the outbox for rows a killed sender left
    # (0: none; the worker's minute job still retries). from_env turns it on.
    outbox_sweep_seconds: float = 0.0
    # Keys for personal data at rest (storage/crypto.py); local mode makes one when unset.
    data_key: str | None = None
    # Days the audit log keeps its entries (`thaiqm-bot audit prune`, and a daily job).
    audit_retention_days: int = 730
    # Local times when nothing is pushed (bot/quiet_hours.py); THAIQM_QUIET_HOURS=20:00-07:00.
    quiet_hours: tuple[time, time] = field(default=(time(20, 0), time(7, 0)))
    # Where LINE fetches the app's images from (QR codes): https in production (PUBLIC_BASE_URL);
    # None: no image is offered. The LINE Official Account's basic id (@123abcde, LINE_BASIC_ID)
    # makes the link that opens the chat with the bot; None: the code is given without it.
    public_base_url: str | None = None
    line_basic_id: str | None = None
    # Scheduled pushes (bot/pushes), local times: the volunteers' digest and deadline reminders
    # (THAIQM_DIGEST_TIME), the supervisors' daily progress (THAIQM_PROGRESS_TIME), the days
    # before a deadline that remind (THAIQM_REMINDER_DAYS=30,14,7,3,1), and the days without
    # activity that list a volunteer holding work as idle (THAIQM_IDLE_DAYS).
    digest_time: time = time(7, 30)
    progress_time: time = time(17, 0)
    reminder_days: tuple[int, ...] = (30, 14, 7, 3, 1)
    idle_days: int = 3
    # PostgreSQL: prepare the statements the app repeats (storage/prepared.py); THAIQM_PREPARE_STATEMENTS=off
    # behind a pooler in transaction mode, which cannot keep a connection's prepared statements.
    prepare_statements: bool = True
    # PostgreSQL: each web worker sends its replies from a process of its own (bot/delivery/child.py);
    # THAIQM_SENDING_PROCESS=off sends them from the worker's threads instead.
    sending_process: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Config":
        """Build the configuration from environment variables, or raise ConfigError."""
        env = os.environ if environ is None else environ
        instance_path = env.get("THAIQM_INSTANCE_PATH", "instance")
        secret = env.get("LINE_CHANNEL_SECRET", "").strip()
        token = env.get("LINE_CHANNEL_ACCESS_TOKEN", "").strip()
        if bool(secret) != bool(token):
            missing = "LINE_CHANNEL_ACCESS_TOKEN" if secret else "LINE_CHANNEL_SECRET"
            raise ConfigError(
                f"{missing} is not set: set both LINE_CHANNEL_SECRET and "
                "LINE_CHANNEL_ACCESS_TOKEN for a real LINE channel, or neither for local mode"
            )
        local_mode = not secret
        data_key = env.get("DATA_KEY", "").strip() or None
        if data_key is None and not local_mode:
            raise ConfigError(
                "DATA_KEY is not set: national IDs and phones are stored encrypted with it; make one with "
                "'thaiqm-bot make-key' and keep a copy in a safe place (without it they cannot be read)"
            )
        for setting, folder in (("THAIQM_FORMS_DIR", forms_dir(env)), ("THAIQM_LOCALES_DIR", locales_dir(env))):
            if not folder.is_dir():
                raise ConfigError(f"{setting}={folder} is not a folder")
        database_url = env.get("DATABASE_URL", "").strip() or default_database_url(instance_path)
        config = cls(
            line_channel_secret=secret or LOCAL_CHANNEL_SECRET,
            line_channel_access_token=token or LOCAL_CHANNEL_TOKEN,
            database_url=normalize_database_url(database_url),
            line_api_base_url=(env.get("LINE_API_BASE_URL", "").strip() or default_api(local_mode, env)).rstrip("/"),
            timezone=env.get("TZ", "").strip() or "Asia/Bangkok",
            local_mode=local_mode,
            instance_path=instance_path,
            redis_url=env.get("REDIS_URL", "").strip() or None,
            jobs_name=env.get("THAIQM_JOBS_NAME", "").strip() or "thaiqm-bot",
            data_key=data_key,
            audit_retention_days=_positive_int(env, "AUDIT_RETENTION_DAYS", 730),
            outbox_sweep_seconds=5.0,
            quiet_hours=_quiet_hours(env),
            public_base_url=(env.get("PUBLIC_BASE_URL", "").strip().rstrip("/") or (LOCAL_PUBLIC_BASE_URL if local_mode else None)),
            line_basic_id=env.get("LINE_BASIC_ID", "").strip() or (LOCAL_BASIC_ID if local_mode else None),
            digest_time=_time_of_day(env, "THAIQM_DIGEST_TIME", time(7, 30)),
            progress_time=_time_of_day(env, "THAIQM_PROGRESS_TIME", time(17, 0)),
            reminder_days=_days_list(env, "THAIQM_REMINDER_DAYS", (30, 14, 7, 3, 1)),
            idle_days=_positive_int(env, "THAIQM_IDLE_DAYS", 3),
            prepare_statements=_on_off(env, "THAIQM_PREPARE_STATEMENTS", True),
            sending_process=_on_off(env, "THAIQM_SENDING_PROCESS", True),
        )
        config.validate()
        return config

    def validate(self) -> None:
        """Raise ConfigError for a value that cannot work."""
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"TZ={self.timezone!r} is not a known time zone (e.g. Asia/Bangkok)") from None
        if not self.line_api_base_url.startswith(("http://", "https://")):
            raise ConfigError("LINE_API_BASE_URL must start with http:// or https://")
        if self.public_base_url is not None and not self.public_base_url.startswith("https://" if not self.local_mode else ("http://", "https://")):
            raise ConfigError("PUBLIC_BASE_URL must start with https:// (LINE fetches images only over https)")
        if self.line_basic_id is not None and not BASIC_ID.match(self.line_basic_id):
            raise ConfigError(f"LINE_BASIC_ID={self.line_basic_id!r} must look like @123abcde (the bot's basic id in the LINE Official Account Manager)")
        start, end = self.quiet_hours
        for setting, at in (("THAIQM_DIGEST_TIME", self.digest_time), ("THAIQM_PROGRESS_TIME", self.progress_time)):
            if start > end and at >= start:  # the rest of that day is quiet: it would never be sent
                raise ConfigError(f"{setting}={at.isoformat(timespec='minutes')} falls in the evening's quiet hours (THAIQM_QUIET_HOURS): choose an earlier time")
        if self.data_key is not None:
            try:
                Keyring.parse(self.data_key)
            except DataKeyError as error:
                raise ConfigError(str(error)) from None

    def with_overrides(self, **changes: object) -> "Config":
        """Return a copy with some fields changed (tests and the local mode use it)."""
        return replace(self, **changes)

    @property
    def uses_line_own_api(self) -> bool:
        """True when API calls go to LINE itself rather than a stand-in."""
        return self.line_api_base_url == LINE_API_DEFAULT

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)


def _quiet_hours(env: Mapping[str, str]) -> tuple[time, time]:
    """THAIQM_QUIET_HOURS as (start, end), or ConfigError."""
    raw = env.get("THAIQM_QUIET_HOURS", "").strip() or "20:00-07:00"
    try:
        return parse_quiet_hours(raw)
    except ValueError:
        raise ConfigError(f"THAIQM_QUIET_HOURS={raw!r} must be two times like 20:00-07:00") from None


def _time_of_day(env: Mapping[str, str], name: str, default: time) -> time:
    """A local time like 07:30 from a setting, or ConfigError."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} must be a time of day like 07:30") from None


def _days_list(env: Mapping[str, str], name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """Whole numbers of days like "30,14,7,3,1" from a setting (largest first), or ConfigError."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    parts = [p for p in raw.replace(" ", "").split(",") if p]
    if not parts or not all(p.isdigit() and int(p) >= 1 for p in parts):
        raise ConfigError(f"{name}={raw!r} must be days before a deadline like 30,14,7,3,1")
    return tuple(sorted({int(p) for p in parts}, reverse=True))


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number of at least 1 from a setting, or ConfigError."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name}={raw!r} must be a whole number of at least 1")
    return int(raw)


def _on_off(env: Mapping[str, str], name: str, default: bool) -> bool:
    """A switch from a setting (on/off, yes/no, true/false, 1/0), or ConfigError."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("on", "yes", "true", "1"):
        return True
    if raw in ("off", "no", "false", "0"):
        return False
    raise ConfigError(f"{name}={raw!r} must be on or off")


def default_api(local_mode: bool, env: Mapping[str, str]) -> str:
    """LINE's own API, or in local mode the stand-in that `thaiqm-bot serve` starts."""
    if not local_mode:
        return LINE_API_DEFAULT
    return f"http://127.0.0.1:{env.get('THAIQM_LOCAL_LINE_PORT', LOCAL_LINE_PORT)}"


def default_database_url(instance_path: str) -> str:
    """The embedded default: a SQLite file in the instance folder."""
    return f"sqlite:///{Path(instance_path).resolve() / 'thaiqm.db'}"


def normalize_database_url(raw: str) -> str:
    """Check a database URL and pick the installed driver (psycopg2 for PostgreSQL)."""
    try:
        url: URL = make_url(raw)
    except ArgumentError:
        raise ConfigError(
            "DATABASE_URL is not a database URL (e.g. sqlite:///instance/thaiqm.db or "
            "postgresql://user@host:5432/thaiqm)"
        ) from None
    backend = url.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if backend == "postgresql":
        url = url.set(drivername=POSTGRESQL_DRIVER)
        if not url.database:
            raise ConfigError("DATABASE_URL names no database (postgresql://user@host:5432/DBNAME)")
    elif backend != "sqlite":
        raise ConfigError(f"DATABASE_URL uses {backend!r}: only sqlite and postgresql are supported")
    return url.render_as_string(hide_password=False)

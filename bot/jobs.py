"""Background and scheduled jobs on Huey: Redis in production, a SQLite file when embedded."""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from bot.config import Config
from bot.safe_log import log_failure

log = logging.getLogger(__name__)

# A message is retried once it is this old. Longer than a reply token lives (about a
# minute): any later attempt by the webhook's own sender must then be a push with the
# same retry key, which LINE recognises, instead of a reply it cannot.
RETRY_AFTER_SECONDS = 90


@dataclass(frozen=True)
class Jobs:
    """The queue and the project's jobs on it."""

    huey: Huey
    retry_pending_messages: Any
    close: Callable[[], None]


def make_jobs(config: Config, immediate: bool = False, app: Flask | None = None) -> Jobs:
    """The job queue this configuration asks for, with the project's periodic jobs registered."""
    if config.redis_url:
        huey: Huey = RedisHuey("thaiqm-bot", url=config.redis_url, immediate=immediate)
    else:
        path = Path(config.instance_path).resolve() / "jobs.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("thaiqm-bot", filename=str(path), immediate=immediate)
    return register_jobs(huey, config, app)


def register_jobs(huey: Huey, config: Config, app: Flask | None = None) -> Jobs:
    """Register the periodic jobs; each builds what it needs once, on first run, in the worker."""
    # The jobs use the app they run beside (serve), or build their own once (worker).
    runtime: dict[str, object] = {} if app is None else {"app": app}
    owned = app is None

    def parts():  # type: ignore[no-untyped-def]
        """The app's shared parts, built once per worker process."""
        if "app" not in runtime:
            from bot.app import create_app

            runtime["app"] = create_app(config)
        from bot.state import app_state

        return app_state(runtime["app"])  # type: ignore[arg-type]

    @huey.periodic_task(crontab(minute="*"), name="retry_pending_messages")
    def retry_pending_messages() -> int:
        """Push every message an earlier delivery attempt left pending (LINE down, rate limit)."""
        from bot.app import utc_now
        from bot.delivery.send import retry_pending

        state = parts()
        try:
            sent = retry_pending(state.gateway, state.session_factory, utc_now, RETRY_AFTER_SECONDS)
        except Exception as error:  # Huey would log the message, which may quote texts
            log_failure(log, "retrying pending messages", error)
            return 0
        if sent:
            log.info("retried pending messages: %d sent", sent)
        return sent

    def close() -> None:
        """Release the database and LINE connections the jobs opened."""
        if owned and "app" in runtime:
            from bot.state import close_app

            close_app(runtime.pop("app"))  # type: ignore[arg-type]

    return Jobs(huey=huey, retry_pending_messages=retry_pending_messages, close=close)


def start_consumer(huey: Huey, workers: int = 1) -> Consumer:
    """Run a consumer in background threads (for `serve`); `thaiqm-bot worker` runs it in front.

    Huey's start() takes over SIGTERM/SIGINT/SIGHUP; the server in front owns them, so
    they are given back and the caller stops the consumer when the server ends.
    """
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.start()
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    return consumer

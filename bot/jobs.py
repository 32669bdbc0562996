"""Background and scheduled jobs on Huey: Redis in production, a SQLite file when embedded."""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from bot.config import Config
from bot.safe_log import log_failure

if TYPE_CHECKING:
    from bot.runtime import Runtime

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
    prune_audit_log: Any
    send_scheduled_pushes: Any
    prepare_export: Any
    tidy_exports: Any
    close: Callable[[], None]


def make_jobs(config: Config, immediate: bool = False, runtime: Runtime | None = None) -> Jobs:
    """The job queue this configuration asks for, with the project's periodic jobs registered."""
    if config.redis_url:
        huey: Huey = RedisHuey(config.jobs_name, url=config.redis_url, immediate=immediate)
    else:
        path = Path(config.instance_path).resolve() / "jobs.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("thaiqm-bot", filename=str(path), immediate=immediate)
    return register_jobs(huey, config, runtime)


def register_jobs(huey: Huey, config: Config, runtime: Runtime | None = None) -> Jobs:
    """Register the periodic jobs; each builds what it needs once, on first run, in the worker."""
    # The jobs use the runtime of the app they run beside (serve), or build their own once
    # (worker): a worker needs the database and LINE, never a web app.
    built: dict[str, Runtime] = {} if runtime is None else {"runtime": runtime}
    owned = runtime is None

    def parts() -> Runtime:
        """The shared parts, built once per worker process."""
        if "runtime" not in built:
            from bot.runtime import build_runtime

            built["runtime"] = build_runtime(config)
        return built["runtime"]

    @huey.periodic_task(crontab(minute="*"), name="retry_pending_messages")
    def retry_pending_messages() -> int:
        """Push every message an earlier delivery attempt left pending (LINE down, rate limit)."""
        from bot.delivery.send import retry_pending
        from bot.quiet_hours import quiet_for
        from bot.runtime import utc_now

        state = parts()
        try:
            sent = retry_pending(state.gateway, state.session_factory, utc_now, RETRY_AFTER_SECONDS, quiet=quiet_for(config))
        except Exception as error:  # Huey would log the message, which may quote texts
            log_failure(log, "retrying pending messages", error)
            return 0
        if sent:
            log.info("retried pending messages: %d sent", sent)
        return sent

    # 20:00 UTC is 03:00 in Bangkok: nobody is surveying.
    @huey.periodic_task(crontab(minute="0", hour="20"), name="prune_audit_log")
    def prune_audit_log() -> int:
        """Delete audit entries older than the retention period (AUDIT_RETENTION_DAYS)."""
        from datetime import timedelta

        from bot.runtime import utc_now
        from storage import audit
        from storage.db import transaction

        with transaction(parts().session_factory) as session:
            removed = audit.prune(session, utc_now() - timedelta(days=config.audit_retention_days))
        if removed:
            log.info("audit log pruned: %d entries past retention", removed)
        return removed

    # Every five minutes: what is due (a digest at 07:30, reminders, the daily progress) goes
    # once per person and day, whichever worker runs it and however often (bot/pushes).
    @huey.periodic_task(crontab(minute="*/5"), name="send_scheduled_pushes")
    def send_scheduled_pushes(force: bool = False) -> int:
        """Push the digests, deadline reminders and daily progress that are due and not yet sent today
        (`force`: all of today's now, as `thaiqm-bot remind --now`)."""
        from bot.pushes.run import run_due
        from bot.runtime import utc_now

        state = parts()
        try:
            report = run_due(state.session_factory, state.gateway, config, utc_now, force=force)
        except Exception as error:  # Huey would log the message, which may quote texts
            log_failure(log, "sending scheduled pushes", error)
            return 0
        if report.queued:
            log.info("scheduled pushes: %d queued, %d sent, %d waiting, %d refused", report.queued, report.sent, report.waiting, report.failed)
        return report.sent

    # Queued by the webhook when a supervisor asks for their export (bot/handlers/export_request.py).
    @huey.task(name="prepare_export")
    def prepare_export(export_id: int) -> None:
        """Build a supervisor's masked XLSX, keep it in the database and push its link (once, however often run)."""
        from bot.exports.chat_file import build_and_send
        from bot.runtime import utc_now

        state = parts()
        # Nothing returned: Huey would keep a result per request in Redis that nobody reads.
        build_and_send(config, state.session_factory, state.sender, export_id, utc_now)

    @huey.periodic_task(crontab(minute="*"), name="tidy_exports")
    def tidy_exports() -> int:
        """Delete chat exports whose links have ended; queue again the requests whose job was lost."""
        from bot.exports.chat_file import tidy
        from bot.runtime import utc_now

        try:
            lost = tidy(parts().session_factory, utc_now)
        except Exception as error:  # Huey would log the message, which may quote texts
            log_failure(log, "tidying chat exports", error)
            return 0
        for export_id in lost:
            prepare_export(export_id)
        if lost:
            log.info("chat exports: %d requests whose job was lost queued again", len(lost))
        return len(lost)

    def close() -> None:
        """Release the database and LINE connections the jobs opened."""
        if owned and "runtime" in built:
            built.pop("runtime").close()

    return Jobs(
        huey=huey, retry_pending_messages=retry_pending_messages, prune_audit_log=prune_audit_log, send_scheduled_pushes=send_scheduled_pushes,
        prepare_export=prepare_export, tidy_exports=tidy_exports, close=close,
    )


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

"""Sweeping the outbox in the serving process: rows a killed sender left are sent within seconds."""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime
from typing import Callable, Collection

from sqlalchemy.orm import Session, sessionmaker

from bot.delivery.send import retry_pending
from bot.line.gateway import LineGateway
from bot.safe_log import log_failure
from bot.quiet_hours import PushHours

log = logging.getLogger(__name__)


class Sweeper:
    """A thread that runs `retry_pending` every few seconds, started on first use in each process.

    The worker's job runs once a minute: a reply a SIGKILLed gunicorn worker had sent but
    not recorded would wait that long, and its token (good for about a minute) would be
    gone, leaving only a push that may show it twice. From here it is settled with the token.
    """

    def __init__(
        self,
        gateway: LineGateway,
        factory: sessionmaker[Session],
        now: Callable[[], datetime],
        every: float,
        busy: Callable[[], Collection[int]] = frozenset,
        quiet: PushHours | None = None,
    ):
        self._gateway = gateway
        self._factory = factory
        self._now = now
        self._every = every
        self._busy = busy  # rows this process is still sending
        self._quiet = quiet  # quiet hours: scheduled pushes wait for the morning
        self._pid = -1
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def ensure_started(self) -> None:
        """Start the thread in this process if it is not running here yet (gunicorn forks after building)."""
        if self._pid == os.getpid():
            return
        with self._guard:
            if self._pid != os.getpid():
                self._stop = threading.Event()
                self._thread = threading.Thread(target=self._run, args=(self._stop,), name="outbox-sweeper", daemon=True)
                self._thread.start()
                self._pid = os.getpid()

    def close(self, timeout: float = 10) -> None:
        """Stop sweeping, letting a sweep under way record what it sent (cut between reply and record,
        its rows would be pushed again once their tokens expired, and shown twice)."""
        self._stop.set()
        if self._thread is not None and self._pid == os.getpid():
            self._thread.join(timeout)

    def _run(self, stop: threading.Event) -> None:
        """Sweep until stopped; a failure is logged and the next sweep tries again."""
        while not stop.wait(self._every):
            try:
                sent = retry_pending(self._gateway, self._factory, self._now, skip=self._busy(), quiet=self._quiet)
                if sent:
                    log.info("outbox sweep: %d sent", sent)
            except Exception as error:  # the database may be away for a while: keep sweeping
                log_failure(log, "outbox sweep", error)

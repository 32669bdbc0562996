"""Sending after the webhook has answered: LINE calls and their bookkeeping off the request path."""

from __future__ import annotations

import logging
import time
import zlib
from datetime import datetime
from typing import Callable, Protocol, Sequence

from sqlalchemy.orm import Session, sessionmaker

from bot.delivery.send import HAND_OVER_AFTER, STATUS_AFTER, Outgoing, error_label, send
from bot.delivery.lanes import Lane
from bot.delivery.sweeper import Sweeper
from bot.line.gateway import Delivery, LineGateway
from bot.safe_log import log_failure
from storage.db import transaction
from storage.outbox import mark_outcomes

log = logging.getLogger(__name__)

# Outcomes kept in memory while the database refuses writes (beyond, rows stay pending).
MAX_CARRIED = 10_000


class Sending(Protocol):
    """What takes committed outbox messages to LINE: a Sender, or one in a child process (bot/delivery/child.py)."""

    def submit(self, batch: Sequence[Outgoing]) -> None:
        """Queue messages for sending."""

    def flush(self, timeout: float = 10) -> None:
        """Block until everything submitted so far is sent and recorded."""

    def close(self) -> None:
        """Send what is queued and stop."""


class OutcomeRecorder:
    """Writes delivery outcomes in batches, a second apart.

    Marking each message sent in its own transaction cost a third of a step. On SQLite
    each batch takes the database's write lock, and a webhook that finds it taken waits
    at least a millisecond: hence few, large batches. A crash before a batch is written
    leaves rows pending, which the retry job pushes again (at-least-once, never lost).
    """

    def __init__(self, factory: sessionmaker[Session], now: Callable[[], datetime], linger: float = 1.0):
        self._factory = factory
        self._now = now
        self._lane: Lane[tuple[int, Delivery]] = Lane("outbox-recorder", self._write, linger)
        # Outcomes a failed write could not store: tried again with the next batch, so a
        # database hiccup does not leave sent replies pending (the retry job would push them).
        self._carried: list[tuple[int, Delivery]] = []

    def record(self, outbox_id: int, outcome: Delivery) -> None:
        """Queue one outcome for writing."""
        self._lane.put((outbox_id, outcome))

    def flush(self, timeout: float = 10) -> None:
        """Block until every outcome queued so far is written; TimeoutError if not done in time."""
        self._lane.flush(timeout)

    def close(self) -> None:
        """Write what is queued and stop."""
        self._lane.close()

    def _write(self, outcomes: list[tuple[int, Delivery]]) -> None:
        """Store a batch of outcomes; what a failure leaves is carried to the next batch."""
        outcomes = self._carried + outcomes
        try:
            with transaction(self._factory) as session:
                rows = [(outbox_id, STATUS_AFTER[outcome], error_label(outcome)) for outbox_id, outcome in outcomes]
                mark_outcomes(session, rows, self._now())
            self._carried = []
        except Exception as error:
            self._carried = outcomes[-MAX_CARRIED:]
            log_failure(log, f"recording {len(outcomes)} delivery outcomes (kept for the next batch)", error)


class Sender:
    """Sends committed outbox messages on background lanes, so the webhook answers LINE at once.

    LINE advises answering the webhook before doing slow work; the outbox row is already
    committed, so a crash here loses nothing (the retry job pushes it). Each chat always
    uses the same lane, so one person's messages keep their order.
    """

    def __init__(self, gateway: LineGateway, recorder: OutcomeRecorder, lanes: int = 4):
        self._gateway = gateway
        self._recorder = recorder
        self._sweeper: Sweeper | None = None
        # Outbox rows this process has yet to send or record: a sweep must leave them alone.
        self.in_flight: set[int] = set()
        self._lanes: list[Lane[Outgoing]] = [Lane(f"line-sender-{n}", self._send_all) for n in range(lanes)]

    def sweep_with(self, sweeper: Sweeper) -> None:
        """Sweep the outbox in this process from now on (and in each forked child on first use)."""
        self._sweeper = sweeper
        sweeper.ensure_started()

    def submit(self, batch: Sequence[Outgoing]) -> None:
        """Queue a webhook's messages for sending."""
        if self._sweeper is not None:
            self._sweeper.ensure_started()
        for item in batch:
            self.in_flight.add(item.outbox_id)
            self._lanes[zlib.crc32(item.chat_id.encode()) % len(self._lanes)].put(item)

    def flush(self, timeout: float = 10) -> None:
        """Block until everything submitted so far is sent and its outcome written.

        The lanes are idle and every outcome recorded when this returns: a test can then
        count replies and outbox rows without waiting for a quiet moment. TimeoutError
        when that takes longer than `timeout` seconds in all.
        """
        deadline = time.monotonic() + timeout
        for lane in self._lanes:
            lane.flush(max(deadline - time.monotonic(), 0.0))
        # Sending queues each outcome before its lane's flush returns: the recorder has them all.
        self._recorder.flush(max(deadline - time.monotonic(), 0.0))

    def close(self) -> None:
        """Send what is queued, write the outcomes and stop."""
        if self._sweeper is not None:
            self._sweeper.close()
        for lane in self._lanes:
            lane.close()
        self._recorder.close()

    def _send_all(self, batch: list[Outgoing]) -> None:
        """Send each item in order and queue its outcome."""
        for item in batch:
            try:
                if time.monotonic() - item.queued_at > HAND_OVER_AFTER:  # far behind: the row stays pending for the sweep
                    log.warning("outbox message %s waited %.0f s for its lane: left to the sweep", item.outbox_id, time.monotonic() - item.queued_at)
                    continue
                outcome = send(self._gateway, item)
            except Exception as error:  # a bug here must not kill the lane; the row stays pending
                log_failure(log, f"sending outbox message {item.outbox_id}", error)
                continue
            finally:
                self.in_flight.discard(item.outbox_id)  # from here the row's fate is known (recorded soon)
            self._recorder.record(item.outbox_id, outcome)

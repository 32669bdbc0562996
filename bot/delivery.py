"""Send queued outbox messages: reply first, push when the token is unusable, keep what failed."""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Sequence

from linebot.v3.messaging import Message
from sqlalchemy.orm import Session, sessionmaker

from bot.line_gateway import Delivery, LineGateway
from storage.db import transaction
from storage.outbox import give_up_before, mark_outcome, mark_outcomes, pending_for_retry

log = logging.getLogger(__name__)

# What each delivery outcome leaves in the outbox row.
STATUS_AFTER = {
    Delivery.SENT: "sent",
    Delivery.UNCERTAIN: "uncertain",
    Delivery.REJECTED: "failed",
    Delivery.RETRY_LATER: "pending",
    Delivery.TOKEN_UNUSABLE: "pending",
}


@dataclass(frozen=True)
class Outgoing:
    """Messages committed to the outbox and ready to send."""

    outbox_id: int
    retry_key: str
    chat_id: str
    reply_token: str | None
    messages: Sequence[Message]


def send(gateway: LineGateway, outgoing: Outgoing) -> Delivery:
    """Reply with the token if there is one; push when replying is impossible."""
    if outgoing.reply_token:
        outcome = gateway.reply(outgoing.reply_token, outgoing.messages)
        if outcome not in (Delivery.TOKEN_UNUSABLE, Delivery.RETRY_LATER):
            return outcome
    return gateway.push(outgoing.chat_id, outgoing.messages, outgoing.retry_key)


def deliver(gateway: LineGateway, recorder: "OutcomeRecorder", batch: Sequence[Outgoing]) -> None:
    """Send a batch; its outcomes are recorded by the recorder off the request's path."""
    for item in batch:
        recorder.record(item.outbox_id, send(gateway, item))


class OutcomeRecorder:
    """Writes delivery outcomes in batches from a background thread.

    Marking each message sent in its own transaction cost a third of a step. Batching
    moves that write off the webhook's path; a crash before the batch is written leaves
    rows pending, which the retry job pushes again (at-least-once, never lost).
    """

    def __init__(self, factory: sessionmaker[Session], now: Callable[[], datetime], linger: float = 0.05):
        self._factory = factory
        self._now = now
        self._linger = linger
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="outbox-recorder", daemon=True)
        self._thread.start()

    def record(self, outbox_id: int, outcome: Delivery) -> None:
        """Queue one outcome for writing."""
        self._queue.put((outbox_id, outcome))

    def flush(self, timeout: float = 10) -> None:
        """Block until everything queued before this call is written."""
        written = threading.Event()
        self._queue.put(written)
        written.wait(timeout)

    def close(self) -> None:
        """Write what is queued and stop the thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        """Write batches until told to stop."""
        while True:
            items = self._collect()
            outcomes = [item for item in items if isinstance(item, tuple)]
            if outcomes:
                self._write(outcomes)
            for item in items:
                if isinstance(item, threading.Event):
                    item.set()
            if items[-1] is _STOP:
                return

    def _collect(self) -> list[object]:
        """Wait for one item, then gather more for a moment; a flush or stop ends the batch."""
        items = [self._queue.get()]
        deadline = time.monotonic() + self._linger
        while isinstance(items[-1], tuple) and (remaining := deadline - time.monotonic()) > 0:
            try:
                items.append(self._queue.get(timeout=remaining))
            except queue.Empty:
                break
        return items

    def _write(self, outcomes: list[tuple[int, Delivery]]) -> None:
        """Store a batch of outcomes; on failure the rows stay pending for the retry job."""
        try:
            with transaction(self._factory) as session:
                rows = [(outbox_id, STATUS_AFTER[outcome], _error_label(outcome)) for outbox_id, outcome in outcomes]
                mark_outcomes(session, rows, self._now())
        except Exception:
            log.exception("could not record %d delivery outcomes; they stay pending", len(outcomes))


_STOP = object()


def retry_pending(gateway: LineGateway, factory: sessionmaker[Session], now: Callable[[], datetime], min_age_seconds: int = 30) -> int:
    """Push outbox rows that earlier attempts left pending; returns how many were sent."""
    current = now()
    sent = 0
    with transaction(factory) as session:
        for row in pending_for_retry(session, current - timedelta(seconds=min_age_seconds)):
            if row.created_at.replace(tzinfo=current.tzinfo) < give_up_before(current):
                mark_outcome(session, row.id, "failed", current, "expired")
                continue
            messages = [Message.from_dict(message) for message in row.messages or []]
            outcome = gateway.push(row.chat_id, messages, row.retry_key)
            mark_outcome(session, row.id, STATUS_AFTER[outcome], current, _error_label(outcome))
            sent += outcome is Delivery.SENT
    return sent


def _error_label(outcome: Delivery) -> str | None:
    """A short label for the outbox row (status words only, never content)."""
    return None if outcome is Delivery.SENT else outcome.value

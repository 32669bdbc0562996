"""Claiming a planned push once, queueing it in the outbox, and pushing it with backoff.

The claim (push_records' UNIQUE person, kind, day) and the outbox row are written in one
transaction: a push is either owed and queued, or not at all. Sending happens after the
commit with the retry key derived from what the push is, so whoever sends it again (a
second worker, the retry job, a re-run after a crash) gets LINE's 409: delivered once.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Sequence

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery.send import MESSAGES_PER_CALL, STATUS_AFTER, STOP_PUSHING, error_label, push_chunks
from bot.line.gateway import Delivery, LineGateway
from bot.line.messages import Message, to_line_messages
from bot.pushes.keys import group_key, retry_key
from bot.pushes.planning import Planned
from storage import audit
from storage.db import transaction
from storage.models import OutboxMessage
from storage.outbox import mark_outcomes
from storage.push_records import add_pushes, claim, link

log = logging.getLogger(__name__)

# Pauses before pushing again after a 5xx, a timeout or a dropped connection (seconds); what
# is still refused then waits for the retry job (each minute, for rows older than 90 s).
BACKOFF = (0.5, 2.0, 5.0)
# Pushes in flight at once: LINE answers in tens of milliseconds from afar, and takes
# thousands of pushes a second; one after another, 10,000 digests would take minutes.
LANES = 8


@dataclass(frozen=True)
class Queued:
    """A push committed to the outbox, ready to send."""

    outbox_id: int
    to: str | tuple[str, ...]
    retry_key: str
    messages: Sequence[Message]
    recipients: int


@dataclass
class Report:
    """What one run sent (counts of people reached, not calls)."""

    queued: int = 0
    sent: int = 0
    waiting: int = 0  # left pending: the retry job pushes them later
    failed: int = 0
    limit_reached: bool = False
    by_kind: dict[str, int] = field(default_factory=dict)


def enqueue_many(session: Session, plans: Sequence[Planned], day: date, now: datetime) -> list[Queued]:
    """Claim pushes for their people and queue them, in a few statements whatever their number;
    a push whose people all had it already is left out, one some had goes to the others."""
    keys = {(pid, p.kind): retry_key(p.kind, pid, day) for p in plans for pid in p.person_ids}
    won = claim(session, [(pid, kind, day, key) for (pid, kind), key in keys.items()], now)
    pushes: list[tuple[Planned, list[int], str | tuple[str, ...], str]] = []
    for p in plans:
        people = [pid for pid in p.person_ids if (pid, p.kind) in won]
        if not people:
            continue
        chats = tuple(chat for pid, chat in zip(p.person_ids, p.chats) if (pid, p.kind) in won)
        key = keys[(people[0], p.kind)] if len(people) == 1 else group_key(p.kind, people, day)
        pushes.append((p, people, chats[0] if len(chats) == 1 else chats, key))
    rendered = [to_line_messages(p.replies) for p, _people, _to, _key in pushes]
    outbox = add_pushes(session, [(to if isinstance(to, str) else list(to), messages, key) for (_p, _people, to, key), messages in zip(pushes, rendered)], now)
    link(session, [(won[(pid, p.kind)], outbox[key]) for p, people, _to, key in pushes for pid in people])
    return [Queued(outbox[key], to, key, messages, len(people)) for (_p, people, to, key), messages in zip(pushes, rendered)]


def deliver(
    gateway: LineGateway,
    factory: sessionmaker[Session],
    queued: Sequence[Queued],
    now: Callable[[], datetime],
    report: Report,
    pauses: Sequence[float] = BACKOFF,
    lanes: int | None = None,
) -> bool:
    """Push the queued messages on a few lanes at once (a chat always on the same lane, so its pushes
    keep their order), retrying with backoff; False when LINE said to stop (429, monthly limit)."""
    stop = threading.Event()
    by_lane: list[list[Queued]] = [[] for _ in range(max(1, lanes or LANES))]
    for item in queued:
        by_lane[zlib.crc32(repr(item.to).encode()) % len(by_lane)].append(item)
    results: list[tuple[Queued, Delivery, int]] = []
    guard = threading.Lock()

    def work(items: list[Queued]) -> None:
        for item in items:
            if stop.is_set():
                return  # left pending: the next run or the retry job takes it
            outcome, tries = _push_with_backoff(gateway, item, pauses)
            with guard:
                results.append((item, outcome, tries))
            if outcome in STOP_PUSHING:
                stop.set()
                return

    threads = [threading.Thread(target=work, args=(items,), name=f"push-lane-{n}") for n, items in enumerate(by_lane) if items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for item, outcome, _tries in results:
        if outcome is Delivery.SENT:
            report.sent += item.recipients
        elif outcome is Delivery.REJECTED:
            report.failed += item.recipients
        else:
            report.waiting += item.recipients
        report.limit_reached |= outcome is Delivery.LIMIT_REACHED
    if results:
        with transaction(factory) as session:
            mark_outcomes(session, [(item.outbox_id, STATUS_AFTER[outcome], error_label(outcome)) for item, outcome, _ in results], now())
            for item, _outcome, tries in results:
                if tries > 1:
                    session.execute(update(OutboxMessage).where(OutboxMessage.id == item.outbox_id).values(attempts=OutboxMessage.attempts + tries - 1))
            if report.limit_reached:
                # Reported to the admins where they look: the audit log and `thaiqm-bot push-status`.
                audit.record(session, "push.limit", now())
    if report.limit_reached:
        log.error("scheduled pushes stopped: the LINE channel's monthly message limit is reached")
    return not stop.is_set()


def _push_with_backoff(gateway: LineGateway, item: Queued, pauses: Sequence[float]) -> tuple[Delivery, int]:
    """Push one queued message (in chunks of five), again after each pause while LINE could not take it."""
    chunks = [item.messages[i : i + MESSAGES_PER_CALL] for i in range(0, len(item.messages), MESSAGES_PER_CALL)]
    to = item.to if isinstance(item.to, str) else list(item.to)
    outcome = push_chunks(gateway, to, chunks, item.retry_key)
    tries = 1
    for pause in pauses:
        if outcome is not Delivery.RETRY_LATER:
            break
        time.sleep(pause)
        outcome = push_chunks(gateway, to, chunks, item.retry_key)
        tries += 1
    return outcome, tries

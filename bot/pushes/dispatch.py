"""Claiming a planned push once, queueing it in the outbox, and pushing it with backoff.

The claim (push_records' UNIQUE person, kind, day) and the outbox row are written in one
transaction: a push is either owed and queued, or not at all. Sending happens after the
commit with the retry key derived from what the push is, so whoever sends it again (a
second worker, the retry job, a re-run after a crash) gets LINE's 409: delivered once.
"""

from __future__ import annotations

import logging
import time
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
from storage.push_records import add_push, claim, link

log = logging.getLogger(__name__)

# Pauses before pushing again after a 5xx, a timeout or a dropped connection (seconds); what
# is still refused then waits for the retry job (each minute, for rows older than 90 s).
BACKOFF = (0.5, 2.0, 5.0)


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


def enqueue(session: Session, planned: Planned, day: date, now: datetime) -> Queued | None:
    """Claim the push for its people and queue it; None when every one of them already had it."""
    keys = {pid: retry_key(planned.kind, pid, day) for pid in planned.person_ids}
    won = set(claim(session, planned.kind, day, keys, now))
    if not won:
        return None
    chats = tuple(chat for pid, chat in zip(planned.person_ids, planned.chats) if pid in won)
    people = [pid for pid in planned.person_ids if pid in won]
    messages = to_line_messages(planned.replies)
    to: str | tuple[str, ...] = chats[0] if len(chats) == 1 else chats
    key = keys[people[0]] if len(people) == 1 else group_key(planned.kind, people, day)
    outbox_id = add_push(session, to if isinstance(to, str) else list(to), messages, key, now)
    link(session, planned.kind, day, people, outbox_id)
    return Queued(outbox_id, to, key, messages, len(people))


def deliver(gateway: LineGateway, factory: sessionmaker[Session], queued: Sequence[Queued], now: Callable[[], datetime], report: Report, pauses: Sequence[float] = BACKOFF) -> bool:
    """Push each queued message, retrying with backoff; False when LINE said to stop (429, monthly limit)."""
    outcomes: list[tuple[int, str, str | None]] = []
    tries: dict[int, int] = {}
    carry_on = True
    for item in queued:
        chunks = [item.messages[i : i + MESSAGES_PER_CALL] for i in range(0, len(item.messages), MESSAGES_PER_CALL)]
        to = item.to if isinstance(item.to, str) else list(item.to)
        outcome = push_chunks(gateway, to, chunks, item.retry_key)
        tries[item.outbox_id] = 1
        for pause in pauses:
            if outcome is not Delivery.RETRY_LATER:
                break
            time.sleep(pause)
            outcome = push_chunks(gateway, to, chunks, item.retry_key)
            tries[item.outbox_id] += 1
        outcomes.append((item.outbox_id, STATUS_AFTER[outcome], error_label(outcome)))
        if outcome is Delivery.SENT:
            report.sent += item.recipients
        elif outcome is Delivery.REJECTED:
            report.failed += item.recipients
        else:
            report.waiting += item.recipients
        if outcome in STOP_PUSHING:
            report.limit_reached |= outcome is Delivery.LIMIT_REACHED
            carry_on = False
            break
    if outcomes:
        with transaction(factory) as session:
            mark_outcomes(session, outcomes, now())
            for outbox_id, count in tries.items():
                if count > 1:
                    session.execute(update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(attempts=OutboxMessage.attempts + count - 1))
            if report.limit_reached:
                # Reported to the admins where they look: the audit log and `thaiqm-bot push-status`.
                audit.record(session, "push.limit", now())
    if report.limit_reached:
        log.error("scheduled pushes stopped: the LINE channel's monthly message limit is reached")
    return carry_on

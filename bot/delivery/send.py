"""Sending one outbox message: reply first, push when the token is unusable; retrying what failed."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Collection, Sequence

from sqlalchemy.orm import Session, sessionmaker

from bot.line.gateway import Delivery, LineGateway
from bot.line.messages import Message
from bot.quiet_hours import PushHours
from storage.db import transaction
from storage.outbox import expire_scheduled_before, give_up_before, mark_outcomes, pending_for_retry, supersede_stale_answers
from storage.statuses import OutboxStatus

log = logging.getLogger(__name__)

# What each delivery outcome leaves in the outbox row.
STATUS_AFTER = {
    Delivery.SENT: OutboxStatus.SENT,
    Delivery.UNCERTAIN: OutboxStatus.UNCERTAIN,
    Delivery.REJECTED: OutboxStatus.FAILED,
    Delivery.RETRY_LATER: OutboxStatus.PENDING,
    Delivery.TOKEN_UNUSABLE: OutboxStatus.PENDING,
    Delivery.THROTTLED: OutboxStatus.PENDING,
    Delivery.LIMIT_REACHED: OutboxStatus.PENDING,
}
# Outcomes after which pushing more now would only be refused again: the rest waits.
STOP_PUSHING = (Delivery.THROTTLED, Delivery.LIMIT_REACHED)


@dataclass(frozen=True)
class Outgoing:
    """Messages committed to the outbox and ready to send."""

    outbox_id: int
    retry_key: str
    chat_id: str
    reply_token: str | None
    messages: Sequence[Message]
    queued_at: float = field(default_factory=time.monotonic, compare=False)  # monotonic seconds, when committed


# LINE takes at most five messages per reply or push.
MESSAGES_PER_CALL = 5


def send(gateway: LineGateway, outgoing: Outgoing) -> Delivery:
    """Reply with the token if there is one (push when replying is impossible); more than
    five messages (a large household's review) go on in pushes, each with its own retry key."""
    first, *rest = _chunks(outgoing.messages)
    outcome = Delivery.SENT
    if outgoing.reply_token:
        outcome = reply_settled(gateway, outgoing.reply_token, first)
    if not outgoing.reply_token or outcome in (Delivery.TOKEN_UNUSABLE, Delivery.RETRY_LATER):
        outcome = gateway.push(outgoing.chat_id, first, outgoing.retry_key)
    if outcome is not Delivery.SENT:
        return outcome
    return push_chunks(gateway, outgoing.chat_id, rest, outgoing.retry_key, first_number=1)


# Pauses before replying again when LINE's answer to a reply was lost (seconds).
REPLY_AGAIN_AFTER = (0.1, 0.3, 0.6)


def reply_settled(gateway: LineGateway, reply_token: str, messages: Sequence[Message]) -> Delivery:
    """Reply, and when the answer is lost, reply again at once to learn whether LINE has it.

    A token is good for one reply within a minute: LINE answers a second use with 400
    "Invalid reply token". So a prompt repeat either delivers the reply (the first never
    arrived) or is refused (the first did): either way it reaches the chat once.
    """
    outcome = gateway.reply(reply_token, messages)
    for pause in REPLY_AGAIN_AFTER:
        if outcome is not Delivery.UNCERTAIN:
            break
        time.sleep(pause)
        again = gateway.reply(reply_token, messages)
        # RETRY_LATER: LINE did not take the repeat (5xx, 429, no connection); the first is still unknown.
        outcome = Delivery.SENT if again is Delivery.TOKEN_UNUSABLE else Delivery.UNCERTAIN if again is Delivery.RETRY_LATER else again
    return outcome


def push_chunks(gateway: LineGateway, chat_id: str | Sequence[str], chunks: Sequence[Sequence[Message]], retry_key: str, first_number: int = 0) -> Delivery:
    """Push chunks in order, the n-th with its own retry key; stop at the first LINE does not take."""
    for number, chunk in enumerate(chunks, start=first_number):
        outcome = gateway.push(chat_id, chunk, chunk_retry_key(retry_key, number))
        if outcome is not Delivery.SENT:
            return outcome
    return Delivery.SENT


def chunk_retry_key(retry_key: str, number: int) -> str:
    """The retry key of the n-th chunk (0: the row's own): derived, so a retry reuses it."""
    return str(uuid.uuid5(uuid.UUID(retry_key), str(number))) if number else retry_key


def _chunks(messages: Sequence[Message]) -> list[Sequence[Message]]:
    """Messages in groups of at most five, in order (at least one group)."""
    return [messages[i : i + MESSAGES_PER_CALL] for i in range(0, max(len(messages), 1), MESSAGES_PER_CALL)]


# Seconds after its event within which a reply token is surely still good (LINE: about a minute).
REPLY_TOKEN_WINDOW = 50
# Seconds a row may wait for its sender before a retrier takes it over (a live sender takes
# well under this; a killed one never comes back).
RETRY_AFTER = 15
# Seconds a committed message may wait for its sender before the sender leaves it to the
# sweep. A send takes at most about 7 s (four reply attempts at LINE's 1.5 s timeout and the
# pauses between them), so a sender never works on a row a sweeper may already hold: the two
# could otherwise both use the token, and the loser's push would show the reply twice.
HAND_OVER_AFTER = 5


def retry_pending(
    gateway: LineGateway,
    factory: sessionmaker[Session],
    now: Callable[[], datetime],
    min_age_seconds: int = RETRY_AFTER,
    skip: Collection[int] = (),
    quiet: PushHours | None = None,
) -> int:
    """Send outbox rows that earlier attempts left pending; returns how many were sent.

    An answer the chat has a newer one for is dropped (the dialog moved on). A row whose
    sender died before recording anything (its reply may or may not have reached LINE) is
    replied again with its token while the token is good: LINE refuses a used token, so it
    is shown once. Other rows are pushed with their retry key, so LINE delivers them once.
    Rows are read in one short transaction and their outcomes written in another: the
    calls in between may be slow, and on SQLite a transaction holds the whole database.
    A 429 (or the monthly limit) ends the round: the rows after it wait for the next one.
    While `quiet(now)` holds, scheduled pushes are left for the morning; those of an earlier
    local day are given up.
    """
    current = now()
    older_than = current - timedelta(seconds=min_age_seconds)
    with transaction(factory) as session:
        superseded = supersede_stale_answers(session, older_than)
        if quiet is not None:
            expire_scheduled_before(session, quiet.day(current))
        rows = [
            (row.id, row.recipients or row.chat_id, row.retry_key, row.messages or [], row.created_at.replace(tzinfo=current.tzinfo), row.reply_token, row.attempts)
            for row in pending_for_retry(session, older_than, hold_scheduled=quiet is not None and quiet(current))
            if row.id not in skip
        ]
    if superseded:
        log.info("outbox: %d stale answers superseded by newer ones", superseded)
    outcomes: list[tuple[int, str, str | None]] = []
    for outbox_id, chat_id, retry_key, messages, created_at, reply_token, attempts in rows:
        if created_at < give_up_before(current):
            outcomes.append((outbox_id, OutboxStatus.FAILED, "expired"))
            continue
        chunks = _chunks(list(messages))
        if reply_token and attempts == 0 and (current - created_at).total_seconds() < REPLY_TOKEN_WINDOW:
            outcome = reply_settled(gateway, reply_token, chunks[0])
            if outcome is Delivery.TOKEN_UNUSABLE:
                outcome = Delivery.SENT  # a fresh token already used: the lost attempt delivered it
            if outcome is Delivery.SENT:
                outcome = push_chunks(gateway, chat_id, chunks[1:], retry_key, first_number=1)
        else:
            # Every chunk again, each with its own key: LINE answers 409 to those it already has.
            outcome = push_chunks(gateway, chat_id, chunks, retry_key)
        outcomes.append((outbox_id, STATUS_AFTER[outcome], error_label(outcome)))
        if outcome in STOP_PUSHING:
            break
    if outcomes:
        with transaction(factory) as session:
            mark_outcomes(session, outcomes, now())
    return sum(status == OutboxStatus.SENT for _id, status, _error in outcomes)


def error_label(outcome: Delivery) -> str | None:
    """A short label for the outbox row (status words only, never content)."""
    return None if outcome is Delivery.SENT else outcome.value

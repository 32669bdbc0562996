"""Sending one outbox message: reply first, push when the token is unusable; retrying what failed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Sequence

from sqlalchemy.orm import Session, sessionmaker

from bot.line_gateway import Delivery, LineGateway
from bot.line_messages import Message
from storage.db import transaction
from storage.outbox import give_up_before, mark_outcome, pending_for_retry

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


def retry_pending(gateway: LineGateway, factory: sessionmaker[Session], now: Callable[[], datetime], min_age_seconds: int = 30) -> int:
    """Push outbox rows that earlier attempts left pending; returns how many were sent."""
    current = now()
    sent = 0
    with transaction(factory) as session:
        for row in pending_for_retry(session, current - timedelta(seconds=min_age_seconds)):
            if row.created_at.replace(tzinfo=current.tzinfo) < give_up_before(current):
                mark_outcome(session, row.id, "failed", current, "expired")
                continue
            outcome = gateway.push(row.chat_id, list(row.messages or []), row.retry_key)
            mark_outcome(session, row.id, STATUS_AFTER[outcome], current, error_label(outcome))
            sent += outcome is Delivery.SENT
    return sent


def error_label(outcome: Delivery) -> str | None:
    """A short label for the outbox row (status words only, never content)."""
    return None if outcome is Delivery.SENT else outcome.value

"""Processed webhook events: each webhookEventId is handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import ProcessedEvent
from storage.statuses import EventOutcome
from storage.upsert import insert_ignoring_conflict


def claim_event(
    session: Session, webhook_event_id: str, chat_id: str, event_type: str, now: datetime, outcome: EventOutcome = EventOutcome.OK
) -> bool:
    """Record an event as processed; False when it was processed before (a redelivery).

    EventOutcome.FAILED records an event whose handling raised, so a redelivery does not raise again.
    """
    return insert_ignoring_conflict(
        session,
        ProcessedEvent.__table__,
        {
            "webhook_event_id": webhook_event_id,
            "chat_id": chat_id,
            "event_type": event_type,
            "outcome": outcome,
            "received_at": now,
        },
    )

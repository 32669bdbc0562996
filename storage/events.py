"""Processed webhook events: each webhookEventId is handled once."""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import bindparam, literal, select, true
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from storage import direct
from storage.attach import attached, loaded_columns
from storage.models import LineUser, ProcessedEvent, utcnow
from storage.statuses import EventOutcome
from storage.upsert import insert_ignoring_conflict
from storage.users import lock_line_user


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


def claim_event_and_lock_user(
    session: Session, webhook_event_id: str, chat_id: str, event_type: str, now: datetime, outcome: EventOutcome = EventOutcome.OK
) -> LineUser | None:
    """Claim the event (as claim_event), then lock its user's row (as lock_line_user); None when processed before.

    On PostgreSQL one statement does both (the claim's INSERT in a WITH, the user's upsert
    selecting from it): a round trip fewer for every event. The order stands as in two
    statements: a concurrent duplicate waits on the event's key and, finding it claimed,
    inserts nothing and touches no user row.
    """
    if session.get_bind().dialect.name != "postgresql":
        if not claim_event(session, webhook_event_id, chat_id, event_type, now, outcome):
            return None
        return lock_line_user(session, chat_id)
    values = {"webhook_event_id": webhook_event_id, "chat_id": chat_id, "event_type": event_type, "outcome": outcome, "received_at": now, "line_user_id": chat_id, "created_at": utcnow()}
    row = direct.read(session, _claim_and_lock(), values).first()
    return None if row is None else attached(session, LineUser, row, refresh=True)


@functools.cache
def _claim_and_lock():  # type: ignore[no-untyped-def]
    """PostgreSQL: WITH claimed AS (INSERT the event … ON CONFLICT DO NOTHING) upsert the user FROM claimed (built once)."""
    events = ProcessedEvent.__table__
    claimed = (
        postgresql.insert(events)
        .values({column: bindparam(column) for column in ("webhook_event_id", "chat_id", "event_type", "outcome", "received_at")})
        .on_conflict_do_nothing()
        .returning(events.c.webhook_event_id)
        .cte("claimed")
    )
    users = LineUser.__table__
    chosen = select(bindparam("line_user_id", type_=users.c.line_user_id.type), true(), literal(1), bindparam("created_at", type_=users.c.created_at.type)).select_from(claimed)
    statement = (
        postgresql.insert(LineUser)
        .from_select(["line_user_id", "active", "events_handled", "created_at"], chosen)
        .on_conflict_do_update(index_elements=[LineUser.line_user_id], set_={"events_handled": LineUser.events_handled + 1})
        .returning(*loaded_columns(LineUser))
    )
    return statement  # executed with Core, its row attached to the session (storage.attach)

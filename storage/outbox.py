"""The outbox: messages owed to a chat, kept until LINE has accepted them."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Sequence

from sqlalchemy import exists, insert, select, update
from sqlalchemy.orm import Session, aliased

from storage import direct
from storage.models import OutboxMessage
from storage.statuses import OutboxStatus


def add_outgoing(session: Session, chat_id: str, reply_token: str | None, messages: list[dict], now: datetime) -> tuple[int, str]:
    """Queue messages for a chat in the caller's transaction; returns the row's id and retry key.

    One INSERT … RETURNING built once: every answered event writes a row, and going through
    the ORM's unit of work (plus a flush for the id) cost several times the statement.
    """
    retry_key = str(uuid.uuid4())
    row_id = direct.write(
        session,
        _INSERT_OUTGOING,
        {"retry_key": retry_key, "chat_id": chat_id, "reply_token": reply_token, "messages": messages, "status": OutboxStatus.PENDING, "attempts": 0, "created_at": now},
    ).scalar_one()
    return row_id, retry_key


_INSERT_OUTGOING = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)


def mark_outcomes(session: Session, outcomes: Sequence[tuple[int, str, str | None]], now: datetime) -> None:
    """Store many delivery outcomes: one UPDATE per distinct outcome, not one per row.

    A sent row drops its texts: they may hold personal data and are no longer needed.
    """
    groups: dict[tuple[str, str | None], list[int]] = {}
    for outbox_id, status, error in outcomes:
        groups.setdefault((status, error), []).append(outbox_id)
    for (status, error), ids in groups.items():
        values: dict = {"status": status, "attempts": OutboxMessage.attempts + 1, "last_error": error}
        if status in (OutboxStatus.SENT, OutboxStatus.UNCERTAIN):
            values.update(sent_at=now, messages=None)
        elif status == OutboxStatus.FAILED:
            values.update(messages=None)  # never to be sent: its texts (maybe personal data) go
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(**values))


def pending_for_retry(session: Session, older_than: datetime, limit: int = 100, hold_scheduled: bool = False) -> Sequence[OutboxMessage]:
    """Pending rows that an earlier attempt left behind, oldest first (skipping rows another retrier holds).

    `hold_scheduled` leaves out the scheduled pushes (digests, reminders…) during quiet hours:
    they wait for the morning; answers to what a person did just now do not.
    """
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.created_at < older_than)
        .order_by(OutboxMessage.created_at)
        .limit(limit)
    )
    if hold_scheduled:
        from storage.push_records import PushRecord

        query = query.where(~exists().where(PushRecord.outbox_id == OutboxMessage.id))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).all()


def expire_scheduled_before(session: Session, day: date) -> int:
    """Give up scheduled pushes of an earlier day still pending (held through the night, or LINE was
    away): the day's own digest and reminders replace them, and their "days left" is stale."""
    from storage.push_records import PushRecord

    earlier = exists().where(PushRecord.outbox_id == OutboxMessage.id, PushRecord.day < day)
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, earlier)
        .values(status=OutboxStatus.FAILED, last_error="expired", messages=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def supersede_stale_answers(session: Session, older_than: datetime) -> int:
    """Give up pending answers to events when the chat has a newer answer: the dialog moved on,
    and the newer one carries the current question (sent late, the old one would mislead).

    Pushes without a reply token (notices to a chat) are never superseded.
    """
    newer = aliased(OutboxMessage)
    stale = exists().where(newer.chat_id == OutboxMessage.chat_id, newer.id > OutboxMessage.id, newer.reply_token.is_not(None))
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.reply_token.is_not(None), OutboxMessage.created_at < older_than, stale)
        .values(status=OutboxStatus.FAILED, last_error="superseded", messages=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def give_up_before(now: datetime) -> datetime:
    """Rows older than this are not worth pushing any more (the conversation moved on)."""
    return now - timedelta(days=1)

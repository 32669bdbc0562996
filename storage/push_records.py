"""Scheduled pushes: one row per person, kind and local day, so a push is claimed once whoever runs the job.

Two workers running the same job at once, or a job run again after a crash, insert the
same (person, kind, day): the UNIQUE constraint lets one of them in. The row names the
outbox row that carries the message (its status and attempts are the outbox's) and the
retry key derived from (kind, person, day), which LINE uses to deliver a repeat once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Sequence

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, LineUser, OutboxMessage, Person, utcnow
from storage.statuses import OutboxStatus
from storage.upsert import dialect_insert


class PushRecord(Base):
    """One scheduled push to one person on one local day (kind: digest, deadline, progress, nudge)."""

    __tablename__ = "push_records"
    __table_args__ = (UniqueConstraint("person_id", "kind", "day"), Index("ix_push_records_day", "day", "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    retry_key: Mapped[str] = mapped_column(String(36), unique=True)
    # The outbox row that carries it (several records share one when it went by multicast).
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def claimed(session: Session, kind: str, day: date) -> set[int]:
    """The people who already have this kind of push on this day."""
    return set(session.scalars(select(PushRecord.person_id).where(PushRecord.kind == kind, PushRecord.day == day)))


def claim(session: Session, rows: Sequence[tuple[int, str, date, str]], now: datetime) -> dict[tuple[int, str], int]:
    """Insert a record per (person, kind, day, retry key) unless one exists, in one statement;
    the records this call inserted, by (person, kind)."""
    if not rows:
        return {}
    values = [{"person_id": pid, "kind": kind, "day": day, "retry_key": key, "created_at": now} for pid, kind, day, key in rows]
    statement = (
        dialect_insert(session.get_bind().dialect.name)(PushRecord).values(values).on_conflict_do_nothing().returning(PushRecord.id, PushRecord.person_id, PushRecord.kind)
    )
    return {(pid, kind): rid for rid, pid, kind in session.execute(statement)}


def add_pushes(session: Session, pushes: Sequence[tuple[str | list[str], list[dict], str]], now: datetime) -> dict[str, int]:
    """Outbox rows for pushes (to one chat) and multicasts (to several: chat_id "multicast"), in one statement; ids by retry key."""
    if not pushes:
        return {}
    values = [
        {
            "retry_key": key,
            "chat_id": to if isinstance(to, str) else "multicast",
            "recipients": None if isinstance(to, str) else to,
            "reply_token": None,
            "messages": messages,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "created_at": now,
        }
        for to, messages, key in pushes
    ]
    return {key: oid for oid, key in session.execute(insert(OutboxMessage).values(values).returning(OutboxMessage.id, OutboxMessage.retry_key))}


def link(session: Session, links: Sequence[tuple[int, int]]) -> None:
    """Point records (by id) at the outbox rows that carry their push."""
    if links:
        session.execute(update(PushRecord), [{"id": rid, "outbox_id": oid} for rid, oid in links])


@dataclass(frozen=True)
class PushStatus:
    """One recorded push as `thaiqm-bot push-status` shows it."""

    person_id: int
    name: str
    role: str
    kind: str
    retry_key: str
    status: str
    attempts: int
    last_error: str | None
    multicast: bool


def records_of_day(session: Session, day: date) -> list[PushStatus]:
    """Every push recorded for a local day, by kind then recipient."""
    rows = session.execute(
        select(PushRecord.person_id, Person.full_name, Person.role, PushRecord.kind, PushRecord.retry_key, OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.last_error, OutboxMessage.recipients)
        .join(Person, Person.id == PushRecord.person_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == PushRecord.outbox_id)
        .where(PushRecord.day == day)
        .order_by(PushRecord.kind, Person.full_name, PushRecord.person_id)
    )
    return [PushStatus(pid, name, role, kind, key, status or "-", attempts or 0, error, recipients is not None) for pid, name, role, kind, key, status, attempts, error, recipients in rows]


def chat_ids(session: Session, person_ids: Sequence[int]) -> dict[int, str]:
    """The LINE chat of each person who may get a push: active, and a LINE user who has not blocked the bot."""
    if not person_ids:
        return {}
    rows = session.execute(
        select(Person.id, LineUser.line_user_id)
        .join(LineUser, LineUser.id == Person.line_user_id)
        .where(Person.id.in_(list(person_ids)), Person.active.is_(True), LineUser.active.is_(True))
    )
    return {pid: chat for pid, chat in rows}

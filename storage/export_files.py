"""Supervisors' chat exports: the request, the job's claim on it, and the finished file kept until it expires.

The bytes live in the database, not on a worker's disk: any web worker on any machine serves
the link, and the job that wrote it may have run on another machine. A request is claimed by
one job at a time (a claim key), and only the claim that is still current may store the file
or give up: a job run twice stores and announces once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, delete, insert, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base
from storage.statuses import ExportFileStatus

OPEN = (ExportFileStatus.WAITING, ExportFileStatus.BUILDING)


class ExportFile(Base):
    """One supervisor's request for their area's masked export, and once built, the file itself."""

    __tablename__ = "export_files"
    __table_args__ = (Index("ix_export_files_person", "person_id", "status"), Index("ix_export_files_expires_at", "expires_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=ExportFileStatus.WAITING)
    # Approved households when asked; once ready, those in the file.
    households: Mapped[int] = mapped_column(Integer, default=0)
    requested_at: Mapped[datetime]
    # The job that holds the request (a job run twice finds the key changed, or not yet stale).
    claim_key: Mapped[str | None] = mapped_column(String(36))
    claimed_at: Mapped[datetime | None]
    ready_at: Mapped[datetime | None]
    # A request not done by then gives way to a new one; a file is deleted then (its link has ended).
    expires_at: Mapped[datetime]
    # The XLSX (IDs and phones masked); loaded only when served.
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


@dataclass(frozen=True)
class Claim:
    """A job's hold on one request: what to build, and the key that proves the hold is still its own."""

    export_id: int
    person_id: int
    municipality_id: int
    community_id: int | None
    key: str


def open_request(session: Session, person_id: int, municipality_id: int, community_id: int | None, now: datetime) -> ExportFile | None:
    """The person's request for this area still waiting or being built, if any."""
    area = ExportFile.community_id.is_(None) if community_id is None else ExportFile.community_id == community_id
    return session.scalars(
        select(ExportFile)
        .where(ExportFile.person_id == person_id, ExportFile.municipality_id == municipality_id, area, ExportFile.status.in_(OPEN), ExportFile.expires_at > now)
        .limit(1)
    ).first()


def add_request(session: Session, person_id: int, municipality_id: int, community_id: int | None, households: int, now: datetime, wait: timedelta) -> int:
    """Record a request in the caller's transaction; a job not done with it within `wait` leaves it to a new one."""
    values = {
        "person_id": person_id, "municipality_id": municipality_id, "community_id": community_id, "status": ExportFileStatus.WAITING,
        "households": households, "requested_at": now, "expires_at": now + wait,
    }
    return int(session.execute(insert(ExportFile).values(values).returning(ExportFile.id)).scalar_one())


def claim(session: Session, export_id: int, now: datetime, lease: timedelta, wait: timedelta) -> Claim | None:
    """Take a request for this job: one waiting, or one whose job has held it past `lease` (that job died); None otherwise.

    The conditional UPDATE is the lock: of two jobs at once, the second finds the row changed.
    """
    key = str(uuid.uuid4())
    taken = session.execute(
        update(ExportFile)
        .where(
            ExportFile.id == export_id,
            ExportFile.expires_at > now,
            or_(ExportFile.status == ExportFileStatus.WAITING, (ExportFile.status == ExportFileStatus.BUILDING) & (ExportFile.claimed_at < now - lease)),
        )
        .values(status=ExportFileStatus.BUILDING, claim_key=key, claimed_at=now, expires_at=now + wait)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        return None
    row = session.execute(select(ExportFile.person_id, ExportFile.municipality_id, ExportFile.community_id).where(ExportFile.id == export_id)).one()
    return Claim(export_id, row.person_id, row.municipality_id, row.community_id, key)


def store(session: Session, held: Claim, content: bytes, households: int, now: datetime, valid_for: timedelta) -> bool:
    """Keep the finished file, if the claim is still this job's; False: another run has it (announce nothing)."""
    return _settle(session, held, status=ExportFileStatus.READY, content=content, households=households, ready_at=now, expires_at=now + valid_for)


def renew(session: Session, held: Claim, now: datetime, wait: timedelta) -> bool:
    """Keep a long build's claim (and its request) alive; False when the claim is no longer current (voided, taken over)."""
    return _settle(session, held, claimed_at=now, expires_at=now + wait)


def give_up(session: Session, held: Claim, now: datetime) -> bool:
    """Mark the request failed (no file kept), if the claim is still this job's; the next tidy-up deletes it."""
    return _settle(session, held, status=ExportFileStatus.FAILED, content=None, expires_at=now)


def _settle(session: Session, held: Claim, **values: object) -> bool:
    """Change a claimed request (end it, or renew its claim) in one statement, only while the claim is current."""
    changed = session.execute(
        update(ExportFile)
        .where(ExportFile.id == held.export_id, ExportFile.status == ExportFileStatus.BUILDING, ExportFile.claim_key == held.key)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(changed)


def ready_households(session: Session, export_id: int, person_id: int, municipality_id: int, community_id: int | None, now: datetime) -> int | None:
    """The households in this person's ready file of this area, while it lasts; None: no such file (ended, or never theirs)."""
    area = ExportFile.community_id.is_(None) if community_id is None else ExportFile.community_id == community_id
    return session.scalar(
        select(ExportFile.households).where(
            ExportFile.id == export_id, ExportFile.person_id == person_id, ExportFile.municipality_id == municipality_id, area,
            ExportFile.status == ExportFileStatus.READY, ExportFile.expires_at > now,
        )
    )


def content_of(session: Session, export_id: int, now: datetime) -> bytes | None:
    """The bytes of a ready file that has not expired; None otherwise."""
    return session.scalar(
        select(ExportFile.content).where(ExportFile.id == export_id, ExportFile.status == ExportFileStatus.READY, ExportFile.expires_at > now)
    )


def lost_requests(session: Session, unclaimed_before: datetime, claimed_before: datetime, now: datetime) -> list[int]:
    """Requests whose job was lost: asked before `unclaimed_before` and never taken (Redis away when asked),
    or taken before `claimed_before` and never finished (its worker died); not yet ended."""
    never_taken = (ExportFile.status == ExportFileStatus.WAITING) & (ExportFile.requested_at < unclaimed_before)
    abandoned = (ExportFile.status == ExportFileStatus.BUILDING) & (ExportFile.claimed_at < claimed_before)
    return list(session.scalars(select(ExportFile.id).where(or_(never_taken, abandoned), ExportFile.expires_at > now).order_by(ExportFile.id)))


def remove_expired(session: Session, now: datetime) -> int:
    """Delete the files whose links have ended and the requests that were given up or never done."""
    return session.execute(delete(ExportFile).where(ExportFile.expires_at <= now).execution_options(synchronize_session=False)).rowcount or 0


def remove_files_of(session: Session, municipality_id: int) -> int:
    """Delete the municipality's finished files and void the claims of those being built (a household's data was erased:
    no copy of it may stay); a voided request waits again, and the tidy-up has it built anew from what is left."""
    session.execute(
        update(ExportFile)
        .where(ExportFile.municipality_id == municipality_id, ExportFile.status == ExportFileStatus.BUILDING)
        .values(status=ExportFileStatus.WAITING, claim_key=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    statement = delete(ExportFile).where(ExportFile.municipality_id == municipality_id, ExportFile.status == ExportFileStatus.READY)
    return session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0

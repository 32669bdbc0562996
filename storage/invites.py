"""Invite codes: made by admins and supervisors, used up by registrations."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import InviteCode
from storage.sealed import lookup_hashes
from storage.statuses import InviteProblem

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
ROLES = ("admin", "supervisor", "volunteer")


def normalize_code(text: str) -> str:
    """A typed code folded to its stored form: upper-case, no spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def looks_like_code(text: str) -> bool:
    """True when typed text has the shape of a code (8 Latin letters and digits, dashes and spaces aside)."""
    code = normalize_code(text)
    return len(code) == CODE_LENGTH and code.isascii()


def display_code(code: str) -> str:
    """A stored code as people see it: XXXX-XXXX."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def create_invite(
    session: Session,
    role: str,
    municipality_id: int,
    community_id: int | None,
    now: datetime,
    valid_days: int,
    max_uses: int,
    created_by_id: int | None = None,
) -> InviteCode:
    """A new random code for a role and area."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if valid_days < 1 or max_uses < 1:
        raise ValueError("an invite code needs at least one day and one use")
    while True:  # a clash among 31^8 codes is rare; draw again rather than fail
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if session.scalars(select(InviteCode.id).where(InviteCode.code_hash.in_(lookup_hashes(code)))).first() is None:
            break
    invite = InviteCode(
        code=code,
        role=role,
        municipality_id=municipality_id,
        community_id=community_id,
        created_by_id=created_by_id,
        expires_at=now + timedelta(days=valid_days),
        max_uses=max_uses,
        uses=0,
        created_at=now,
    )
    session.add(invite)
    session.flush()
    return invite


def find_invite(session: Session, typed: str) -> InviteCode | None:
    """The invite with this code as typed, if any (found by its keyed hash: only that is stored)."""
    code = normalize_code(typed)
    if not code:
        return None
    return session.scalars(select(InviteCode).where(InviteCode.code_hash.in_(lookup_hashes(code)))).first()


def invite_problem(invite: InviteCode, now: datetime) -> InviteProblem | None:
    """Why the code can no longer register anyone, or None when it still can."""
    if _aware(invite.expires_at) <= now:
        return InviteProblem.EXPIRED
    if invite.uses >= invite.max_uses:
        return InviteProblem.USED_UP
    return None


def consume_invite(session: Session, invite_id: int, now: datetime) -> bool:
    """Take one use of a code, atomically (two workers cannot both take the last use)."""
    result = session.execute(
        update(InviteCode)
        .where(InviteCode.id == invite_id, InviteCode.uses < InviteCode.max_uses, InviteCode.expires_at > now)
        .values(uses=InviteCode.uses + 1)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount == 1


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for stored UTC: make them aware again."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

"""LINE users: creating, locking and following state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import LineUser
from storage.upsert import insert_ignoring_conflict


def lock_line_user(session: Session, line_user_id: str) -> LineUser:
    """Return the user's row, created if new, locked until the transaction ends.

    On PostgreSQL this is a row lock, so two workers never handle one user's events
    at once; on SQLite the whole transaction already holds the write lock.
    """
    insert_ignoring_conflict(session, LineUser.__table__, {"line_user_id": line_user_id, "active": True, "events_handled": 0})
    return session.scalars(
        select(LineUser).where(LineUser.line_user_id == line_user_id).with_for_update()
    ).one()


def mark_followed(user: LineUser, now: datetime) -> None:
    """The user added (or unblocked) the bot: pushes may reach them again."""
    user.active = True
    user.followed_at = now


def mark_unfollowed(user: LineUser, now: datetime) -> None:
    """The user blocked the bot: no more pushes."""
    user.active = False
    user.unfollowed_at = now

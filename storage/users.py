"""LINE users: creating, locking and following state."""

from __future__ import annotations

from datetime import datetime

import functools

from sqlalchemy import bindparam
from sqlalchemy.orm import Session

from storage import direct
from storage.attach import attached, loaded_columns
from storage.models import LineUser, utcnow
from storage.upsert import dialect_insert


def lock_line_user(session: Session, line_user_id: str) -> LineUser:
    """Return the user's row, created if new, locked until the transaction ends.

    One statement: insert, or update the existing row (counting the event), which
    takes PostgreSQL's row lock so two workers never handle one user's events at once;
    on SQLite the whole transaction already holds the write lock.
    """
    statement = _upsert_counting(session.get_bind().dialect.name)
    row = direct.read(session, statement, {"line_user_id": line_user_id, "created_at": utcnow()}).one()
    return attached(session, LineUser, row, refresh=True)


@functools.cache
def _upsert_counting(dialect: str):  # type: ignore[no-untyped-def]
    """INSERT the user or count one more event on the existing row, returning it (built once)."""
    statement = dialect_insert(dialect)(LineUser).values(
        line_user_id=bindparam("line_user_id"), active=True, events_handled=1, created_at=bindparam("created_at")
    )
    statement = statement.on_conflict_do_update(
        index_elements=[LineUser.line_user_id], set_={"events_handled": LineUser.events_handled + 1}
    ).returning(*loaded_columns(LineUser))
    return statement  # executed with Core, its row attached to the session (storage.attach)


def mark_followed(user: LineUser, now: datetime) -> None:
    """The user added (or unblocked) the bot: pushes may reach them again."""
    user.active = True
    user.followed_at = now


def mark_unfollowed(user: LineUser, now: datetime) -> None:
    """The user blocked the bot: no more pushes."""
    user.active = False
    user.unfollowed_at = now

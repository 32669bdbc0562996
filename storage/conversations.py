"""The conversation of each LINE user: which dialog they are in, where, with which draft."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.models import Conversation


def conversation_of(session: Session, line_user_pk: int) -> Conversation | None:
    """The user's conversation row (None: never in a dialog; dialog None: in none now)."""
    return session.get(Conversation, line_user_pk)


def enter(session: Session, line_user_pk: int, dialog: str, now: datetime, step: str | None = None, draft_id: int | None = None) -> Conversation:
    """Put the user in a dialog (leaving whichever they were in)."""
    row = session.get(Conversation, line_user_pk)
    if row is None:
        row = Conversation(line_user_id=line_user_pk)
        session.add(row)
    row.dialog, row.step, row.draft_id, row.updated_at = dialog, step, draft_id, now
    return row


def leave(session: Session, line_user_pk: int, now: datetime, dialog: str | None = None) -> None:
    """End the user's dialog (only if it is `dialog`, when given); the row stays, idle."""
    row = session.get(Conversation, line_user_pk)
    if row is not None and row.dialog is not None and (dialog is None or row.dialog == dialog):
        row.dialog, row.step, row.draft_id, row.updated_at = None, None, None, now


def release_draft(session: Session, dialog: str, draft_id: int, now: datetime, keep: int | None = None) -> None:
    """End the dialog of everyone holding this draft (except the user `keep`), in one statement."""
    statement = update(Conversation).where(Conversation.dialog == dialog, Conversation.draft_id == draft_id)
    if keep is not None:
        statement = statement.where(Conversation.line_user_id != keep)
    session.execute(statement.values(dialog=None, step=None, draft_id=None, updated_at=now))

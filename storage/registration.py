"""Registration state: wrong-code lockout and the answers of a registration in progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage import conversations, lockout
from storage.models import RegistrationDraft, RegistrationGuard

REGISTRATION = "registration"  # the dialog's name in the user's conversation


def locked_until(session: Session, line_user_pk: int, now: datetime) -> datetime | None:
    """When this LINE user may try codes again, if they are locked out now."""
    return lockout.locked_until(session.get(RegistrationGuard, line_user_pk), now)


def record_wrong_code(session: Session, line_user_pk: int, now: datetime) -> datetime | None:
    """Count a wrong code; returns the lockout end when this one was the last allowed."""
    guard = session.get(RegistrationGuard, line_user_pk)
    if guard is None:
        guard = RegistrationGuard(line_user_id=line_user_pk, failures=0)
        session.add(guard)
    return lockout.count_wrong(guard, now)


def clear_wrong_codes(session: Session, line_user_pk: int) -> None:
    """A completed registration forgives earlier wrong codes (a merely valid code does not)."""
    guard = session.get(RegistrationGuard, line_user_pk)
    if guard is not None:
        session.delete(guard)


def draft_of(session: Session, line_user_pk: int) -> RegistrationDraft | None:
    """The registration this LINE user is in the middle of."""
    return session.get(RegistrationDraft, line_user_pk)


def start_draft(session: Session, line_user_pk: int, now: datetime) -> RegistrationDraft:
    """Start (or restart) a registration: empty answers, the conversation at the code step."""
    draft = session.get(RegistrationDraft, line_user_pk)
    if draft is None:
        draft = RegistrationDraft(line_user_id=line_user_pk)
        session.add(draft)
    draft.invite_code_id, draft.full_name, draft.phone = None, None, None
    draft.volunteer_type, draft.community_id, draft.updated_at = None, None, now
    conversations.enter(session, line_user_pk, REGISTRATION, now, step="code")
    return draft


def drop_draft(session: Session, line_user_pk: int, now: datetime) -> None:
    """Forget a registration in progress (finished or cancelled) and end its dialog."""
    session.execute(RegistrationDraft.__table__.delete().where(RegistrationDraft.line_user_id == line_user_pk))
    conversations.leave(session, line_user_pk, now, REGISTRATION)

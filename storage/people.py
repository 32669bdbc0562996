"""People: finding who a LINE user is."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Person


def person_for_line_user(session: Session, line_user_pk: int) -> Person | None:
    """The active person registered with this LINE user (by line_users.id), if any."""
    return session.scalars(select(Person).where(Person.line_user_id == line_user_pk, Person.active.is_(True))).first()

"""Erasing a household's personal data on request (PDPA): one operation for the chat and the CLI."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogs.form import forms
from storage.forget import forget_household
from storage.models import Household


def erase_household(session: Session, household: Household, now: datetime, actor_id: int | None = None) -> None:
    """Erase what names, identifies, reaches or locates the household; keep its anonymous facts; audited."""
    forget_household(session, household, _personal_codes(household), now, actor_id=actor_id)
    # Its Re-X-ray visits' records name the house and head and hold the volunteer's notes: erased with it.
    for visit in session.scalars(select(Household).where(Household.revisit_of == household.id, Household.forgotten_at.is_(None))).all():
        forget_household(session, visit, _personal_codes(visit), now, actor_id=actor_id)


def _personal_codes(household: Household) -> frozenset[str]:
    """The personal answers of the record's form; of every form for a record read from a file (no form of its own)."""
    form = forms().get((household.form_id, household.form_version))
    return form.personal_codes() if form is not None else frozenset().union(*(f.personal_codes() for f in forms().values()))

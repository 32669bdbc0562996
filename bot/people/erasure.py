"""Erasing a household's personal data on request (PDPA): one operation for the chat and the CLI."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.dialogs.form import get_form
from storage.forget import forget_household
from storage.models import Household


def erase_household(session: Session, household: Household, now: datetime, actor_id: int | None = None) -> None:
    """Erase what names, identifies, reaches or locates the household; keep its anonymous facts; audited."""
    personal = get_form(household.form_id, household.form_version).personal_codes()
    forget_household(session, household, personal, now, actor_id=actor_id)

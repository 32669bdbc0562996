"""The demo's pushes: its round's deadlines a few weeks ahead, and the day's digests and progress sent at once.

A newcomer opening the emulator sees what volunteers and the supervisor get each morning and
evening without waiting for 07:30: `thaiqm-bot demo` sends them after seeding (schedule and
quiet hours aside). The stand-in forgets its chats when it stops, so a demo started again the
same day forgets that the day's pushes went out and sends them again.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.pushes.dispatch import Report
from bot.pushes.run import run_due
from bot.pushes.schedule import local_day
from bot.state import app_state
from storage.db import transaction
from storage.models import OutboxMessage, Person
from storage.push_records import PushRecord
from storage.rounds import current_round

if TYPE_CHECKING:
    from bot.local.demo import DemoWorld

# Days from today: the survey deadline is two weeks ahead (a reminder day), solving problems three months.
SURVEY_DEADLINE_IN = 14
RESOLUTION_DEADLINE_IN = 90


def seed_round_deadlines(session: Session, world: "DemoWorld", now: datetime) -> None:
    """The demo municipality's round ends a few weeks from today, so its reminders and digests count down to it."""
    found = current_round(session, world.municipality.id)
    today = world.today
    found.survey_deadline = today + timedelta(days=SURVEY_DEADLINE_IN)
    found.resolution_deadline = today + timedelta(days=RESOLUTION_DEADLINE_IN)


def push_now(app: Flask, now: datetime | None = None) -> Report:
    """Send today's digests, reminders and supervisor progress to the demo's people now."""
    state = app_state(app)
    moment = now or datetime.now(timezone.utc)
    day = local_day(moment, state.config.zone)
    with transaction(state.session_factory) as session:
        # Forget the day's pushes (and their outbox rows, which hold the same retry keys): a fresh
        # stand-in delivers them again; one that saw them answers 409 and shows nothing twice.
        today = [PushRecord.day == day, PushRecord.person_id.in_(select(Person.id))]
        carried = [row for row in session.scalars(select(PushRecord.outbox_id).where(*today)) if row is not None]
        session.execute(delete(PushRecord).where(*today))
        session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(carried)))
    return run_due(state.session_factory, state.gateway, state.config, lambda: moment, force=True)

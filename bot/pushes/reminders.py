"""Deadline reminders: the same words to every volunteer with open work, and to every supervisor, of a municipality."""

from __future__ import annotations

from datetime import date

from bot.chat.replies import Button, Reply, Text
from bot.i18n import _
from bot.people.menus import CONTINUE, MENU, PROGRESS, REXRAY
from bot.pushes.digest import days_left
from bot.pushes.schedule import deadline_days
from storage.models import Round


def due_deadlines(found: Round | None, today: date, offsets: tuple[int, ...]) -> list[tuple[str, date]]:
    """The round's deadlines that are a reminder offset away today."""
    if found is None:
        return []
    named = (("survey", found.survey_deadline), ("resolution", found.resolution_deadline))
    return [(name, day) for name, day in named if day is not None and deadline_days(day, today, offsets) is not None]


def for_volunteers(deadlines: list[tuple[str, date]], today: date, rexray: bool) -> list[Reply]:
    """The reminder for volunteers who still have work."""
    lines = [days_left(name, day, today) for name, day in deadlines]
    buttons = ((Button(_(REXRAY.label), text=_(REXRAY.command)),) if rexray else ()) + (
        Button(_(CONTINUE.label), text=_(CONTINUE.command)),
        Button(_(MENU.label), text=_(MENU.command)),
    )
    return [Text(_("Reminder: {deadlines}\nYou still have households waiting. Please finish them before then.", deadlines="\n".join(lines)), buttons)]


def for_supervisors(deadlines: list[tuple[str, date]], today: date) -> list[Reply]:
    """The reminder for supervisors."""
    lines = [days_left(name, day, today) for name, day in deadlines]
    text = _("Reminder: {deadlines}\nTap \"Progress\" to see how far your area has come.", deadlines="\n".join(lines))
    return [Text(text, (Button(_(PROGRESS.label), text=_(PROGRESS.command)), Button(_(MENU.label), text=_(MENU.command))))]

"""A supervisor nudges an idle volunteer from the progress view: one friendly push, at most once a day."""

from __future__ import annotations

from bot.chat.effects import SendQueued
from bot.chat.replies import Button, Reply, Text
from bot.handlers.access import refusal
from bot.handlers.context import EventContext
from bot.i18n import _
from bot.quiet_hours import is_quiet, quiet_ends
from bot.people import policy
from bot.people.menus import CONTINUE, MENU, REXRAY, menu_buttons
from bot.pushes.schedule import Kind, local_day
from storage.models import Person
from storage.push_records import chat_ids
from storage.rexray import worklist


def nudge(ctx: EventContext, person: Person, volunteer_id: int) -> list[Reply]:
    """Queue a reminder to a volunteer of the supervisor's area and say so."""
    # Here, not at the top: the pushes' planning reads the progress view of bot.handlers.
    from bot.pushes.dispatch import enqueue
    from bot.pushes.planning import Planned

    target = ctx.session.get(Person, volunteer_id)
    if target is None or policy.manage_person(person, target) is not None:
        return refusal(policy.Denied.NOT_YOURS, person.role)
    chat = chat_ids(ctx.session, [target.id]).get(target.id)
    if chat is None:
        return [Text(_("{name} cannot receive messages from this account (deactivated, or has blocked it).", name=target.full_name), menu_buttons(person.role))]
    message = _reminder(ctx, person, target)
    # A nudge tapped in the quiet hours is the morning's: claimed for that day, held until then.
    morning = quiet_ends(ctx.now, ctx.config.quiet_hours, ctx.config.zone)
    queued = enqueue(ctx.session, Planned(Kind.NUDGE, (target.id,), (chat,), [message]), local_day(morning, ctx.config.zone), ctx.now)
    if queued is None:
        return [Text(_("{name} has already been reminded today.", name=target.full_name), menu_buttons(person.role))]
    if is_quiet(ctx.now, ctx.config.quiet_hours, ctx.config.zone):
        # Queued, not sent: the outbox holds scheduled pushes through the quiet hours.
        at = f"{morning.hour:02d}:{morning.minute:02d}"
        return [Text(_("It is quiet hours now: {name} gets the reminder at {time}.", name=target.full_name, time=at), menu_buttons(person.role))]
    ctx.effects.append(SendQueued(queued.outbox_id, queued.retry_key, chat, tuple(queued.messages)))
    return [Text(_("A reminder was sent to {name}.", name=target.full_name), menu_buttons(person.role))]


def _reminder(ctx: EventContext, supervisor: Person, target: Person) -> Text:
    """The reminder: households to revisit (Re-X-ray) lead when there are any, else the drafts to finish."""
    _page, to_revisit = worklist(ctx.session, target.id, limit=0)
    if to_revisit:
        words = _(
            "{supervisor}, your supervisor, reminds you: {count} households are waiting for your Re-X-ray visit. Tap “Re-X-ray” to see them.",
            supervisor=supervisor.full_name, count=to_revisit,
        )
        return Text(words, (Button(_(REXRAY.label), text=_(REXRAY.command)), Button(_(CONTINUE.label), text=_(CONTINUE.command)), Button(_(MENU.label), text=_(MENU.command))))
    words = _("{supervisor}, your supervisor, reminds you: households are waiting for you. Tap \"Continue\" to finish a survey you started.", supervisor=supervisor.full_name)
    return Text(words, (Button(_(CONTINUE.label), text=_(CONTINUE.command)), Button(_(MENU.label), text=_(MENU.command))))

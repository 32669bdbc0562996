"""A supervisor nudges an idle volunteer from the progress view: one friendly push, at most once a day."""

from __future__ import annotations

from bot.chat.replies import Button, Reply, Text
from bot.delivery.notify import notify
from bot.handlers.access import refusal
from bot.handlers.context import EventContext
from bot.i18n import _
from bot.quiet_hours import local_clock, quiet_ends
from bot.people import policy
from bot.people.menus import CONTINUE, MENU, REXRAY, menu_buttons
from bot.pushes.keys import retry_key
from bot.pushes.schedule import Kind, local_day
from storage.models import Person
from storage.push_records import chat_ids, claim, link
from storage.rexray import worklist


def nudge(ctx: EventContext, person: Person, volunteer_id: int) -> list[Reply]:
    """Queue a reminder to a volunteer of the supervisor's area and say so."""
    target = ctx.session.get(Person, volunteer_id)
    if target is None or policy.manage_person(person, target) is not None:
        return refusal(policy.Denied.NOT_YOURS, person.role)
    if chat_ids(ctx.session, [target.id]).get(target.id) is None:
        return [Text(_("{name} cannot receive messages from this account (deactivated, or has blocked it).", name=target.full_name), menu_buttons(person.role))]
    # A nudge tapped in the quiet hours is the morning's: claimed for that day (once a day), held until then.
    day = local_day(quiet_ends(ctx.now, ctx.config.quiet_hours, ctx.config.zone), ctx.config.zone)
    won = claim(ctx.session, [(target.id, Kind.NUDGE, day, retry_key(Kind.NUDGE, target.id, day))], ctx.now)
    if not won:
        return [Text(_("{name} has already been reminded today.", name=target.full_name), menu_buttons(person.role))]
    notice = notify(ctx, [target.id], [_reminder(ctx, person, target)])
    assert notice is not None  # the chat was there a moment ago, in this transaction
    link(ctx.session, [(won[(target.id, Kind.NUDGE)], notice.outbox_ids[0])])
    if notice.held:
        at = local_clock(notice.when, ctx.config.zone)
        return [Text(_("It is quiet hours now: {name} gets the reminder at {time}.", name=target.full_name, time=at), menu_buttons(person.role))]
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

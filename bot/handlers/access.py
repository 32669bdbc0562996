"""The Thai answer to each refusal: says what the user may do, never what was refused."""

from __future__ import annotations

from bot.handlers.context import EventContext
from bot.handlers.dialog import EntryHandler, PostbackHandler
from bot.i18n import _
from bot.people import policy
from bot.people.menus import menu_buttons
from bot.people.policy import Denied
from bot.chat.replies import Reply, Text


def registration_explanation() -> Text:
    """What an unregistered user may do: read what the bot is and how to register."""
    return Text(
        _(
            "This LINE account is for registered community volunteers and municipal staff of the ThaiQM "
            "household survey.\n\nTo use it, tap \"Register\" and enter the invite code you received from "
            "your municipality. If you have no code, please contact the municipal officer in charge of ThaiQM."
        ),
        menu_buttons(None),
    )


def refusal(reason: Denied, role: str | None = None) -> list[Reply]:
    """The answer for a refused request."""
    if reason is Denied.UNREGISTERED:
        return [registration_explanation()]
    if reason is Denied.DEACTIVATED:
        return [
            Text(
                _(
                    "Your account has been deactivated, so you can no longer use the survey. "
                    "If you think this is a mistake, please contact your supervisor or the municipality."
                )
            )
        ]
    if reason is Denied.NOT_ALLOWED:
        return [Text(_("Sorry, your role does not include this function."), menu_buttons(role))]
    return [Text(_("Sorry, this is not in your area or your list of households, so it cannot be shown or changed."), menu_buttons(role))]


def supervisors_command(handler) -> EntryHandler:  # type: ignore[no-untyped-def]
    """Wrap a typed command for supervisors: the policy decides before the handler runs."""

    def entry(ctx: EventContext, argument: str) -> list[Reply]:
        person = ctx.person()
        if (refused := policy.may_supervise(person)) is not None:
            return refusal(refused, person.role if person else None)
        return handler(ctx, person, argument)

    return entry


def supervisors_route(handler) -> PostbackHandler:  # type: ignore[no-untyped-def]
    """Wrap a supervisors' button: the policy decides first; data we did not make is a stale button."""

    def route(ctx: EventContext, params: dict[str, str], _line_params: dict[str, str]) -> list[Reply]:
        person = ctx.person()
        if (refused := policy.may_supervise(person)) is not None:
            return refusal(refused, person.role if person else None)
        try:
            return handler(ctx, person, params)
        except (KeyError, ValueError):  # forged or mangled data: never a 500, nothing shown
            return refusal(policy.Denied.NOT_YOURS, person.role)

    return route

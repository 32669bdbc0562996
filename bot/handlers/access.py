"""The Thai answer to each refusal: says what the user may do, never what was refused."""

from __future__ import annotations

from bot.i18n import _
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

"""Help and the polite answers for anything the bot cannot use."""

from __future__ import annotations

from bot.handlers.context import EventContext
from bot.i18n import _
from bot.replies import Button, Reply, Text


def main_buttons() -> tuple[Button, ...]:
    """The buttons every stranded user is offered."""
    return (
        Button(_("Register"), text=_("register")),
        Button(_("Help"), text=_("help")),
    )


def help_text() -> Text:
    """What the bot is and how to start."""
    return Text(
        _(
            "How to use this LINE account:\n"
            "• \"register\" – register as a volunteer or member of staff with an invite code\n"
            "• \"help\" – show this message again\n\n"
            "Questions about the survey go to the municipal officer in charge of ThaiQM."
        ),
        main_buttons(),
    )


def not_understood() -> Text:
    """A polite answer to a text the bot does not know."""
    return Text(
        _("Sorry, I did not understand that message. Tap a button below or type \"help\"."),
        main_buttons(),
    )


def on_help(ctx: EventContext) -> list[Reply]:
    """Answer "help"."""
    return [help_text()]


def on_unusable_message(ctx: EventContext, kind: str) -> list[Reply]:
    """Answer a sticker, picture, sound, video, file or location the bot cannot use here."""
    text = _(
        "Thank you for the {kind}. This bot works with text and the buttons it shows; "
        "please type your answer or tap a button.",
        kind=kind,
    )
    return [Text(text, main_buttons())]


def on_stale_postback(ctx: EventContext) -> list[Reply]:
    """Answer a tap on a button that no longer does anything."""
    return [Text(_("That button is no longer in use. Please choose again below."), main_buttons())]


def on_group_chat(ctx: EventContext) -> list[Reply]:
    """The survey holds personal data: it only works in a one-to-one chat."""
    return [Text(_("This bot works only in a one-to-one chat. Please add it as a friend and chat with it directly."))]


def cannot_use() -> Text:
    """A short pointer to help for an event the bot has no use for."""
    return Text(_("This bot cannot use that. Type \"help\" to see what it can do."), main_buttons())


def on_other_event(ctx: EventContext) -> list[Reply]:
    """Any other event that carries a reply token gets a short pointer to help."""
    return [cannot_use()]

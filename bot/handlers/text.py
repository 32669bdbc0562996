"""Typed text: commands first, then whatever dialog the user is in."""

from __future__ import annotations

from bot.handlers import accounts, help, survey
from bot.handlers.context import EventContext
from bot.i18n import _
from bot.chat.replies import Reply


def normalize(text: str) -> str:
    """Fold a typed command for comparison: trimmed, lower-case, single spaces."""
    return " ".join(text.split()).casefold()


def on_text(ctx: EventContext, text: str) -> list[Reply]:
    """Answer a typed message."""
    # Registration, menu and the gate for the unregistered come first, so an unregistered
    # user's typing never reaches the survey; then the survey (with its own help), so an
    # answer that starts like a supervision command is still an answer; then supervision.
    if (answer := accounts.on_text(ctx, text)) is not None:
        return answer
    if (answer := survey.on_text(ctx, text)) is not None:
        return answer
    if (answer := accounts.on_supervision_text(ctx, text)) is not None:
        return answer
    command = normalize(text)
    if command in (normalize(_("help")), "help"):
        return help.on_help(ctx)
    return [help.not_understood(ctx.person())]

"""Typed text: commands first, then whatever dialog the user is in."""

from __future__ import annotations

from bot.handlers import accounts, help
from bot.handlers.context import EventContext
from bot.i18n import _
from bot.replies import Reply


def normalize(text: str) -> str:
    """Fold a typed command for comparison: trimmed, lower-case, single spaces."""
    return " ".join(text.split()).casefold()


def on_text(ctx: EventContext, text: str) -> list[Reply]:
    """Answer a typed message."""
    command = normalize(text)
    if command in (normalize(_("help")), "help"):
        return help.on_help(ctx)
    if (answer := accounts.on_text(ctx, text)) is not None:  # registration, menu, supervision, unregistered gate
        return answer
    return [help.not_understood()]

"""The conversation layer: one registry of dialogs, asked for every typed text, message and button.

    typed text ──► register (anywhere), menu ──► deactivated: refused
               ──► the user's dialog: its entries, its fallback (cancel/help/back), its answer
               ──► unregistered: refused for members' commands
               ──► every dialog's entries ──► help ──► "not understood"

The user's dialog comes from their conversation row, so an answer typed mid-survey that
begins like a supervision command is still an answer, and "survey" mid-survey starts anew.
"""

from __future__ import annotations

from bot.chat import postback
from bot.chat.replies import Reply
from bot.chat.text_input import fold
from bot.handlers import approval, confirm_codes, erasure, export_request, help, household, registration, rexray, rexray_visit, supervision, survey
from bot.handlers.access import refusal
from bot.handlers.context import EventContext
from bot.handlers.dialog import Dialog, argument_of, fallback_of
from bot.people import policy
from storage.conversations import conversation_of

# In order: entries are tried dialog by dialog, so no word may belong to two of them.
DIALOGS: tuple[Dialog, ...] = (
    registration.DIALOG, survey.DIALOG, supervision.DIALOG, rexray.DIALOG, rexray_visit.DIALOG, erasure.DIALOG, confirm_codes.DIALOG, household.DIALOG,
    approval.DIALOG, export_request.DIALOG,
)
BY_NAME = {dialog.name: dialog for dialog in DIALOGS}
ROUTES = {route: (dialog, handler) for dialog in DIALOGS for route, handler in dialog.routes.items()}


def on_text(ctx: EventContext, text: str) -> list[Reply]:
    """Answer a typed message."""
    command = fold(text)
    for dialog in DIALOGS:
        for entry in dialog.entries:
            if entry.anywhere and (argument := entry.match(command)) is not None:
                return entry.handler(ctx, argument)
    fallback = fallback_of(command)
    if fallback == "menu":  # a household linked by its code has a menu of its own
        return household.linked_menu(ctx, "menu") or help.on_menu(ctx.person())
    standing = policy.standing(ctx.person())
    if standing is policy.Denied.DEACTIVATED:
        return refusal(standing)
    conversation = conversation_of(ctx.session, ctx.user.id)
    current = BY_NAME.get(conversation.dialog or "") if conversation is not None else None
    if current is not None and current.answer is not None:
        if (answer := _entry(current, ctx, command)) is not None:
            return answer
        handler = current.fallbacks.get(fallback or "")
        if handler is not None and (answer := handler(ctx, conversation)) is not None:
            return answer
        if (answer := current.answer(ctx, conversation, text)) is not None:
            return answer
    if standing is not None and _members_command(command):
        return refusal(standing)
    for dialog in DIALOGS:
        if (answer := _entry(dialog, ctx, command)) is not None:
            return answer
    if fallback == "help":
        return household.linked_menu(ctx, "help") or help.on_help(ctx)
    return household.linked_menu(ctx, "unknown") or [help.not_understood(ctx.person())]


def on_message(ctx: EventContext, kind: str, location: tuple[float, float] | None) -> list[Reply] | None:
    """A sticker, picture, location… goes to the user's dialog if it takes one; None otherwise."""
    conversation = conversation_of(ctx.session, ctx.user.id)
    current = BY_NAME.get(conversation.dialog or "") if conversation is not None else None
    if current is None or current.on_message is None:
        return None
    return current.on_message(ctx, kind, location)


def on_postback(ctx: EventContext, data: str, line_params: dict[str, str]) -> list[Reply]:
    """A tapped button reaches its dialog's route; data we did not make, or no longer use, is stale."""
    route, params = postback.decode(data)
    found = ROUTES.get(route)
    if found is None:
        return help.on_stale_postback(ctx)
    dialog, handler = found
    if dialog.members_only and (refused := policy.standing(ctx.person())) is not None:
        return refusal(refused)  # only registered, active people tap work buttons
    return handler(ctx, params, line_params)


def _entry(dialog: Dialog, ctx: EventContext, command: str) -> list[Reply] | None:
    """The answer of the dialog's entry this text is, if it is one."""
    for entry in dialog.entries:
        if (argument := entry.match(command)) is not None:
            return entry.handler(ctx, argument)
    return None


def _members_command(command: str) -> bool:
    """True for an entry word of a members' dialog, with or without something after it."""
    return any(
        entry.pattern is None and argument_of(command, entry.words) is not None
        for dialog in DIALOGS
        if dialog.members_only
        for entry in dialog.entries
    )

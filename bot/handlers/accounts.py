"""People's commands in the chat: register, menu, supervision, and the gate for everyone else.

`bot.handlers.text` asks `on_text` first; None means "not mine, carry on" (survey commands of
registered users). Unregistered and deactivated users get their explanation for every other
command, so survey commands never reach them.
"""

from __future__ import annotations

from bot.people import policy
from bot.handlers import registration, supervision
from bot.handlers.access import refusal
from bot.handlers.context import EventContext
from bot.i18n import _
from bot.people.menus import MENUS, menu_buttons
from bot.chat.replies import Reply, Text
from bot.chat.text_input import fold
from storage.models import Person
from storage.registration import draft_of


def on_text(ctx: EventContext, text: str) -> list[Reply] | None:
    """Answer register and menu, the registration dialog, and gate everything for the unregistered."""
    command = fold(text)
    person = ctx.person()
    # "register" and "menu" work in every step of the registration too (a tap on the rich menu).
    if _is(command, "register"):
        return registration.on_register(ctx)
    if _is(command, "menu"):
        return on_menu(person)
    if person is None and (draft := draft_of(ctx.session, ctx.user.id)) is not None:
        return registration.on_answer(ctx, draft, text)
    if (refused := policy.standing(person)) is not None:
        # Deactivated people get their answer for everything; the unregistered for every work
        # command (other texts fall through to "not understood", which points to "register").
        if refused is policy.Denied.DEACTIVATED or _is_work_command(command):
            return refusal(refused)
    return None


def on_supervision_text(ctx: EventContext, text: str) -> list[Reply] | None:
    """Supervision commands (asked after the survey, so a survey answer is never taken for one)."""
    command = fold(text)
    person = ctx.person()
    if policy.standing(person) is not None:
        return None
    assert person is not None
    for name, handler in SUPERVISION_COMMANDS.items():
        argument = _argument(command, name)
        if argument is not None:
            if (refused := policy.may_supervise(person)) is not None:
                return refusal(refused, person.role)
            return handler(ctx, person, argument)
    return None


def on_menu(person: Person | None) -> list[Reply]:
    """The role's main menu as quick replies (the guest menu when not registered)."""
    if policy.standing(person) is not None:
        return [Text(_("Main menu: register with your invite code to use the survey."), menu_buttons(None))]
    assert person is not None
    return [Text(_("Main menu: choose what you want to do."), menu_buttons(person.role))]


def gate_postback(ctx: EventContext) -> list[Reply] | None:
    """Buttons of the survey and supervision work only for active registered people."""
    refused = policy.standing(ctx.person())
    return refusal(refused) if refused is not None else None


def _is_work_command(command: str) -> bool:
    """True for a command of any role's menu or a supervision command (with or without an argument)."""
    return any(_argument(command, word) is not None for word in WORK_COMMANDS)


def _is(command: str, message_id: str) -> bool:
    """True when a typed command is this command, in Thai or English."""
    return command in (fold(_(message_id)), message_id)


def _argument(command: str, message_id: str) -> str | None:
    """What follows a command ("" when nothing does), or None when the text is another command."""
    for word in (fold(_(message_id)), message_id):
        if command == word:
            return ""
        if command.startswith(word + " "):
            return command[len(word) + 1 :]
    return None


def _supervisor_route(handler):  # type: ignore[no-untyped-def]
    """Wrap a supervision postback: the policy decides before the handler runs."""

    def route(ctx: EventContext, params: dict[str, str], _line_params: dict[str, str]) -> list[Reply]:
        person = ctx.person()
        if (refused := policy.may_supervise(person)) is not None:
            return refusal(refused, person.role if person else None)
        try:
            return handler(ctx, person, params)
        except (KeyError, ValueError):  # data we did not make: treat it as a stale button
            return refusal(policy.Denied.NOT_YOURS, person.role)

    return route


SUPERVISION_COMMANDS = {
    "volunteers": lambda ctx, person, argument: supervision.list_volunteers(ctx, person),
    "deactivate": supervision.ask_deactivate,
    "reassign": supervision.ask_reassign,
    "invite code": lambda ctx, person, argument: supervision.make_invite(ctx, person),
}

# Commands only registered people may use: every role's menu except register, menu and help.
WORK_COMMANDS = tuple(
    dict.fromkeys(
        [item.command for items in MENUS.values() for item in items if item.command not in ("register", "menu", "help")]
        + list(SUPERVISION_COMMANDS)
    )
)

ROUTES = {
    "sup.off": _supervisor_route(lambda ctx, person, p: supervision.confirm_deactivate(ctx, person, int(p["p"]))),
    "sup.off.ok": _supervisor_route(lambda ctx, person, p: supervision.do_deactivate(ctx, person, int(p["p"]))),
    "sup.move": _supervisor_route(lambda ctx, person, p: supervision.pick_new_volunteer(ctx, person, int(p["h"]))),
    "sup.move.to": _supervisor_route(lambda ctx, person, p: supervision.do_reassign(ctx, person, int(p["h"]), int(p["p"]))),
}

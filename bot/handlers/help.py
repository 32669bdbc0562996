"""Help and the polite answers for anything the bot cannot use."""

from __future__ import annotations

from bot.people import menus, policy
from bot.handlers.context import EventContext
from bot.i18n import N_, _
from bot.people.menus import menu_buttons, person_menu
from bot.chat.replies import Button, Reply, Text
from storage.models import Person

# What each command does, for the help of a registered person; the command word itself comes
# from the menu, so the help always names the word the bot understands.
SURVEY_HELP = (
    (menus.SURVEY, N_("• \"{command}\" – start surveying a household")),
    (menus.CONTINUE, N_("• \"{command}\" – continue a survey that was paused")),
    (menus.MY_SURVEYS, N_("• \"{command}\" – list and search the households you surveyed (\"search 12/3\")")),
    (menus.AWAITING_CONFIRMATION, N_("• “{command}” – households whose problems recorded as solved await their own confirmation")),
    (menus.CONFIRMATION_CODE, N_("• “{command} 12/3” – a code for the household to confirm from its own LINE")),
)
SUPERVISION_HELP = (
    (menus.PROGRESS, N_("• \"{command}\" – see the survey's progress in your area (add a community's name for just that one)")),
    (menus.VOLUNTEERS, N_("• \"{command}\" – see the volunteers of your area")),
    (menus.REASSIGN, N_("• \"{command}\" – move a household to another volunteer (find it by house number or the head's name)")),
    (menus.DEACTIVATE, N_("• \"{command}\" – stop a volunteer from using the survey")),
    (menus.INVITE, N_("• \"{command}\" – make an invite code for registration")),
    (menus.APPROVE, N_("• \"{command}\" – approve the records volunteers submitted, or send them back with a note")),
    (menus.EXPORT, N_("• \"{command}\" – download your area's approved records as an Excel file")),
)
COMMON_HELP = (
    (menus.MENU, N_("• \"{command}\" – show your menu")),
    (menus.HELP, N_("• \"{command}\" – show this message again")),
)


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


def registered_help_text(person: Person) -> Text:
    """What an active registered person can do, with their role's menu."""
    entries = SURVEY_HELP if policy.may_survey(person) is None else ()
    if policy.may_supervise(person) is None:
        entries += SUPERVISION_HELP
    lines = [_(line, command=_(item.command)) for item, line in entries + COMMON_HELP]
    return Text(
        _(
            "What you can do here:\n{commands}\n\nQuestions about the survey go to the municipal officer in charge of ThaiQM.",
            commands="\n".join(lines),
        ),
        menu_buttons(person_menu(person)),
    )


def buttons_for(person: Person | None) -> tuple[Button, ...]:
    """The role's menu for an active registered person, the register/help pair for anyone else."""
    return menu_buttons(person_menu(person)) if person is not None and policy.standing(person) is None else main_buttons()


def not_understood(person: Person | None = None) -> Text:
    """A polite answer to a text the bot does not know, with the buttons this person can use."""
    return Text(
        _("Sorry, I did not understand that message. Tap a button below or type \"help\"."),
        buttons_for(person),
    )


def on_help(ctx: EventContext) -> list[Reply]:
    """Answer "help": a registered person's commands, or how to register."""
    person = ctx.person()
    if person is not None and policy.standing(person) is None:
        return [registered_help_text(person)]
    return [help_text()]


def on_menu(person: Person | None) -> list[Reply]:
    """The role's main menu as quick replies (the guest menu when not registered)."""
    if policy.standing(person) is not None:
        return [Text(_("Main menu: register with your invite code to use the survey."), menu_buttons(None))]
    assert person is not None
    return [Text(_("Main menu: choose what you want to do."), menu_buttons(person_menu(person)))]


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

"""The household's side: it links its LINE with a volunteer's code and confirms its problems were solved.

    code (typed, or sent by the link) ─► wrong ×5: locked 15 min; used / expired: said so
        ─► linked to another household? ─► "move here?" yes / no
        ─► linked: the household rich menu; each claimed-resolved problem:
             [confirmed as solved] ─► kept
             [not solved yet] ─► a comment, typed or by voice, or none ─► reopened; volunteer and
                                 supervisors told at once (in the quiet hours: at their end)
    "my problems": every problem of the household and its status; "contact volunteer": a push
        (in the quiet hours: queued for their end, and the household told when it goes).

The household is no registered person: its LINE user is linked to one household at a time
(household_links). It reads only its own problems, by their names in the form and a status
in everyday words: never an ID, a note, or anything of another household. A button naming a
problem of another household gets the same answer as one that no longer exists.
"""

from __future__ import annotations

import logging

import re
from datetime import datetime, timedelta

from bot.chat.replies import Button, Card, CardRow, Cards, Reply, Text
from bot.chat.text_input import digits
from bot.handlers import confirm_codes, help
from bot.delivery.notify import notify
from bot.handlers.confirm_common import CODE_WORD, ROUTE, data, house_label, problem_name, status_word
from bot.handlers.context import EventContext
from bot.handlers.dialog import Dialog, Entry
from bot.quiet_hours import local_clock
from bot.i18n import N_, _
from bot.people.menus import menu_buttons
from bot.people.rich_menu_links import link_rich_menu
from storage import audit, confirmations, conversations
from storage.confirmation_models import ConfirmationCode, HouseholdLink
from storage.models import Conversation, Household, HouseholdProblem
from storage.statuses import ConfirmationAnswer

log = logging.getLogger(__name__)

HOUSEHOLD = "household"  # the dialog's name in the conversation, and the rich menu's role
BARE_CODE = re.compile(r"^([0-9๐-๙]{6})$")
CONTACT_EVERY = timedelta(hours=1)
COMMENT = "comment:"  # the step of a comment on a problem: comment:<problem id>


def on_code(ctx: EventContext, argument: str) -> list[Reply]:
    """A code typed or sent by the link: link this LINE to its household, or say why not."""
    if ctx.person() is not None:
        return [Text(_("This code is for the household's own LINE: please give it to the household."))]
    code_text = digits(argument) or ""
    if len(code_text) != confirmations.CODE_DIGITS:
        return [Text(_("A confirmation code has 6 digits. Please type the code the volunteer gave you."))]
    if (until := confirmations.locked_until(ctx.session, ctx.user.id, ctx.now)) is not None:
        return [_locked(ctx, until)]
    if confirmations.closed_everywhere(ctx.session, ctx.now):
        log.warning("confirmation codes: too many wrong codes from all accounts lately; code entry closed for a while")
        return [Text(_("Confirmation codes cannot be checked just now. Please send the code again in 15 minutes."))]
    code, problem = confirmations.find_code(ctx.session, code_text, ctx.now)
    if code is None:
        if (until := confirmations.record_wrong_code(ctx.session, ctx.user.id, ctx.now)) is not None:
            return [_locked(ctx, until)]
        return [Text(_("This confirmation code is not correct. Please check it and type it again."))]
    if problem is confirmations.CodeProblem.USED:
        return [Text(_("This confirmation code has already been used. If you need to link this LINE again, please ask your volunteer for a new code."))]
    if problem is confirmations.CodeProblem.EXPIRED:
        return [Text(_("This confirmation code has expired (a code works for 14 days). Please ask your volunteer for a new code."))]
    link = confirmations.link_of(ctx.session, ctx.user.id)
    if link is not None and link.household_id != code.household_id:
        conversations.enter(ctx.session, ctx.user.id, HOUSEHOLD, ctx.now, step="move", draft_id=code.id)
        return [_ask_move()]
    return _linked(ctx, code)


def _linked(ctx: EventContext, code: ConfirmationCode) -> list[Reply]:
    """Link, give the household its menu, and show what waits for its answer."""
    confirmations.use_code(ctx.session, ctx.user.id, code, ctx.now)
    audit.record(ctx.session, "household.link", ctx.now, household_id=code.household_id, line_user=ctx.user.id, code=code.id)
    conversations.leave(ctx.session, ctx.user.id, ctx.now, HOUSEHOLD)
    link_rich_menu(ctx, HOUSEHOLD)
    return _waiting(ctx, code.household_id, _("Thank you. This LINE is now linked to your household's record."))


def on_move(ctx: EventContext, move: bool) -> list[Reply]:
    """The answer to "link this LINE to the new household instead?"."""
    conversation = conversations.conversation_of(ctx.session, ctx.user.id)
    if conversation is None or conversation.dialog != HOUSEHOLD or conversation.step != "move":
        return help.on_stale_postback(ctx)
    code_id = conversation.draft_id
    conversations.leave(ctx.session, ctx.user.id, ctx.now, HOUSEHOLD)
    if not move:
        return [Text(_("Nothing changed: this LINE stays linked to the household it was linked to."), _buttons())]
    code = ctx.session.get(ConfirmationCode, code_id or 0)
    if code is None or code.used_at is not None or confirmations.aware(code.expires_at) <= ctx.now:
        return [Text(_("This confirmation code can no longer be used. Please ask your volunteer for a new code."))]
    return _linked(ctx, code)


def _ask_move() -> Text:
    """This LINE is linked to one household: the code is of another."""
    return Text(
        _("This LINE is already linked to another household. A LINE account can be linked to one household at a time. Link it to the household of this code instead?"),
        (Button(_("Yes, link the new one"), kind="postback", data=data("move"), text=_("Yes, link the new one")),
         Button(_("No, keep the linked one"), kind="postback", data=data("stay"), text=_("No, keep the linked one"))),
    )


def _waiting(ctx: EventContext, household_id: int, said: str) -> list[Reply]:
    """What was said, and the problems waiting for the household's answer (each with its two buttons)."""
    household = ctx.session.get(Household, household_id)
    assert household is not None
    left = confirmations.claimed_problems(ctx.session, household_id)
    if not left:
        return [Text(said + "\n\n" + _("No problem is waiting for your confirmation now. Tap “My problems” any time to see how your problems stand."), _buttons())]
    cards = tuple(
        Card(problem_name(household, p), (CardRow(_("Recorded by the volunteer as"), status_word(p.status)),), (
            Button(_("Yes, it is solved"), kind="postback", data=data("yes", p=p.id), text=_("Yes, it is solved")),
            Button(_("Not solved yet"), kind="postback", data=data("no", p=p.id), text=_("Not solved yet")),
        ))
        for p in left
    )
    ask = _("The volunteer recorded these problems of your household as solved. Please tell us for each whether it really is.")
    return [Text(said + "\n\n" + ask), Cards(_("Problems to confirm"), cards, _buttons())]


def _own_problem(ctx: EventContext, problem_id: str) -> tuple[HouseholdLink, HouseholdProblem] | None:
    """The linked household's problem this button names (None for any other, or no link)."""
    link = confirmations.link_of(ctx.session, ctx.user.id)
    problem = ctx.session.get(HouseholdProblem, int(problem_id)) if problem_id.isdigit() else None
    if link is None or problem is None or problem.household_id != link.household_id:
        return None
    return link, problem


def _claimed_own(ctx: EventContext, problem_id: str) -> tuple[HouseholdLink, HouseholdProblem] | list[Reply]:
    """The household's own problem still waiting for its answer; else what to say (not yours, answered already)."""
    owned = _own_problem(ctx, problem_id)
    if owned is None:
        return _not_yours(ctx)
    link, problem = owned
    if not confirmations.is_claimed(ctx.session, problem.id):
        return _waiting(ctx, link.household_id, _("This problem has already been answered. Thank you."))
    return link, problem


def answer(ctx: EventContext, problem_id: str, solved: bool) -> list[Reply]:
    """"Yes, it is solved" is kept at once; "not solved yet" asks for a comment first."""
    owned = _claimed_own(ctx, problem_id)
    if isinstance(owned, list):
        return owned
    link, problem = owned
    if solved:
        confirmations.record_answer(ctx.session, problem, ConfirmationAnswer.CONFIRMED, ctx.now, line_user_pk=ctx.user.id)
        return _waiting(ctx, link.household_id, _("Thank you: you confirmed that “{problem}” is solved.", problem=_name(ctx, problem)))
    conversations.enter(ctx.session, ctx.user.id, HOUSEHOLD, ctx.now, step=f"{COMMENT}{problem.id}")
    return [Text(
        _("“{problem}” is not solved yet. What is still wrong? Type a few words or send a voice message, or send without a comment.", problem=_name(ctx, problem)),
        (Button(_("Send without comment"), kind="postback", data=data("skip"), text=_("Send without comment")),),
    )]


def not_solved(ctx: EventContext, comment: str | None, voice: bool = False) -> list[Reply] | None:
    """The comment (or none) on a problem not solved: reopen it and tell the volunteer and supervisors."""
    conversation = conversations.conversation_of(ctx.session, ctx.user.id)
    if conversation is None or conversation.dialog != HOUSEHOLD or not (conversation.step or "").startswith(COMMENT):
        return None
    problem_id = (conversation.step or "")[len(COMMENT):]
    conversations.leave(ctx.session, ctx.user.id, ctx.now, HOUSEHOLD)
    owned = _claimed_own(ctx, problem_id)
    if isinstance(owned, list):
        return owned
    link, problem = owned
    comment = " ".join(comment.split())[:1000] if comment else None
    confirmations.record_answer(ctx.session, problem, ConfirmationAnswer.NOT_RESOLVED, ctx.now, line_user_pk=ctx.user.id, comment=comment or None, voice=voice)
    household = ctx.session.get(Household, link.household_id)
    assert household is not None
    words = _("voice message received") if voice else (comment or _("no comment"))
    text = _(
        "{household} said in LINE that “{problem}” is not solved yet. Their comment: “{comment}”. It is reopened as not solved.",
        household=house_label(household), problem=problem_name(household, problem), comment=words,
    )
    people = ([household.volunteer_id] if household.volunteer_id else []) + confirmations.supervisors_of(ctx.session, household)
    notice = notify(ctx, people, [Text(text)])
    if notice is not None and notice.held:
        told = _("Thank you. The problem is reopened; your volunteer will be told in the morning.")
    else:
        told = _("Thank you. The problem is reopened and your volunteer has been told.")
    return _waiting(ctx, link.household_id, told)


def on_answer(ctx: EventContext, conversation: Conversation, text: str) -> list[Reply] | None:
    """A typed comment, or a typed reply to the question about moving the link."""
    if conversation.step == "move":
        return [_ask_move()]
    return not_solved(ctx, text)


def on_message(ctx: EventContext, kind: str, _location: tuple[float, float] | None) -> list[Reply] | None:
    """A voice message as the comment is kept as "voice message received"; other things are not comments."""
    return not_solved(ctx, None, voice=True) if kind == _("voice message") else None


def my_problems(ctx: EventContext) -> list[Reply]:
    """Every problem of the linked household and how it stands now."""
    link = confirmations.link_of(ctx.session, ctx.user.id)
    if link is None:
        return _not_linked()
    household = ctx.session.get(Household, link.household_id)
    assert household is not None
    problems = confirmations.problems_of(ctx.session, household.id)
    if not problems:
        return [Text(_("No problem of your household is recorded."), _buttons())]
    lines = "\n".join(f"• {problem_name(household, p)}: {status_word(p.status)}" for p in problems)
    said = _("Your household's problems and how they stand:\n{lines}", lines=lines)
    # Those still waiting for its answer come with their buttons.
    return _waiting(ctx, household.id, said) if confirmations.claimed_problems(ctx.session, household.id) else [Text(said, _buttons())]


def contact(ctx: EventContext) -> list[Reply]:
    """Ask the volunteer to get in touch: a push, at most once an hour; in the quiet hours it waits for the morning."""
    link = confirmations.link_of(ctx.session, ctx.user.id)
    if link is None:
        return _not_linked()
    if link.contacted_at is not None and confirmations.aware(link.contacted_at) + CONTACT_EVERY > ctx.now:
        return [Text(_("Your volunteer has already been asked to contact you. Please wait for them to get in touch."), _buttons())]
    household = ctx.session.get(Household, link.household_id)
    assert household is not None
    text = _("{household} asks you to get in touch with them (from the household's LINE).", household=house_label(household))
    # The volunteer's request; the supervisors', when the volunteer cannot be reached in LINE.
    notice = notify(ctx, [household.volunteer_id], [Text(text)]) if household.volunteer_id else None
    if notice is None:
        notice = notify(ctx, confirmations.supervisors_of(ctx.session, household), [Text(text)])
    if notice is None:
        return [Text(_("Sorry, no volunteer can be reached through LINE now. Please contact the municipality."), _buttons())]
    link.contacted_at = notice.when  # asked once: a second tap (tonight, or within the hour) is not sent again
    if not notice.held:
        return [Text(_("Your volunteer has been asked to contact you."), _buttons())]
    at = local_clock(notice.when, ctx.config.zone)
    return [Text(_("It is night now: your volunteer will be asked at {time} in the morning to contact you.", time=at), _buttons())]


def linked_menu(ctx: EventContext, asked: str) -> list[Reply] | None:
    """"menu", "help" or a text not understood, for a linked household (None for anyone else: the usual answer)."""
    if ctx.person() is not None or confirmations.link_of(ctx.session, ctx.user.id) is None:
        return None
    if asked == "menu":
        return [Text(_("Main menu: choose what you want to do."), _buttons())]
    if asked == "unknown":
        return [Text(_("Sorry, I did not understand that message. Tap a button below or type \"help\"."), _buttons())]
    return [Text(_(
        "What you can do here:\n• “My problems” – see your household's problems and how they stand, and confirm those recorded as solved\n"
        "• “Contact volunteer” – ask your volunteer to get in touch\n\nTo link this LINE to another household, send the code its volunteer gave you."
    ), _buttons())]


def on_cancel(ctx: EventContext) -> list[Reply]:
    """"cancel" while commenting: nothing is sent, the problem still waits for an answer."""
    conversations.leave(ctx.session, ctx.user.id, ctx.now, HOUSEHOLD)
    return [Text(_("Cancelled: nothing was sent. The problem still waits for your answer."), _buttons())]


def _buttons() -> tuple[Button, ...]:
    """The household's menu as quick replies."""
    return menu_buttons(HOUSEHOLD)


def _name(ctx: EventContext, problem: HouseholdProblem) -> str:
    """The problem's name in the form of its household."""
    household = ctx.session.get(Household, problem.household_id)
    return problem_name(household, problem) if household is not None else ""


def _not_yours(ctx: EventContext) -> list[Reply]:
    """A button for a problem that is not this household's (or no longer exists): the same answer, nothing told."""
    if confirmations.link_of(ctx.session, ctx.user.id) is None:
        return _not_linked()
    return [Text(_("That button is no longer in use. Tap “My problems” to see your household's problems."), _buttons())]


def _not_linked() -> list[Reply]:
    """A LINE user not linked to any household."""
    return [Text(_("This LINE is not linked to a household yet. Please send the 6-digit confirmation code your volunteer gave you."))]


def _locked(ctx: EventContext, until: datetime) -> Text:
    """Too many wrong codes: when this LINE may try again."""
    at = local_clock(until, ctx.config.zone)
    return Text(_("A wrong confirmation code was entered too many times. For security, please try again after {time}.", time=at))


def on_postback(ctx: EventContext, params: dict[str, str], line_params: dict[str, str]) -> list[Reply]:
    """Every confirmation button, the household's and the volunteer's."""
    action = params.get("a", "")
    number = {key: int(params[key]) if params.get(key, "").isdigit() else 0 for key in ("h", "w", "p")}
    if action in ("yes", "no"):
        return answer(ctx, params.get("p", ""), action == "yes")
    if action == "skip":
        return not_solved(ctx, None) or help.on_stale_postback(ctx)
    if action in ("move", "stay"):
        return on_move(ctx, action == "move")
    if action == "code":
        return confirm_codes.request_code(ctx, number["h"])
    if action == "witness":
        return confirm_codes.start_witness(ctx, number["h"])
    if action == "wday":
        return confirm_codes.witness_day(ctx, number["w"], line_params.get("date") or params.get("d", ""))
    if action in ("wy", "wn"):
        chosen = ConfirmationAnswer.CONFIRMED if action == "wy" else ConfirmationAnswer.NOT_RESOLVED
        return confirm_codes.witness_answer(ctx, number["w"], number["p"], chosen)
    return help.on_stale_postback(ctx)


DIALOG = Dialog(
    name=HOUSEHOLD,
    entries=(
        Entry((CODE_WORD,), on_code, argument=True),
        Entry((), on_code, pattern=BARE_CODE),
        Entry((N_("my problems"),), lambda ctx, _argument: my_problems(ctx)),
        Entry((N_("contact volunteer"),), lambda ctx, _argument: contact(ctx)),
    ),
    answer=on_answer,
    on_message=on_message,
    # "back" while commenting is "cancel": the problems wait, unanswered.
    fallbacks={"cancel": lambda ctx, _c: on_cancel(ctx), "back": lambda ctx, _c: on_cancel(ctx), "help": lambda ctx, _c: linked_menu(ctx, "help")},
    routes={ROUTE: on_postback},
    members_only=False,
)

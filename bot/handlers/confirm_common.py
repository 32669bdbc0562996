"""What both sides of household confirmation share: problem names in plain Thai, status words, pushes.

The household reads its problems by the form's own labels and a status in everyday words,
never a code, a note or anything about the record. Pushes to the volunteer and the supervisors
go through the outbox with the event, and only outside the quiet hours (the morning digest
reads problem_history for the night's answers).
"""

from __future__ import annotations

from bot.chat import postback
from bot.chat.effects import Push
from bot.chat.replies import Text
from bot.dialogs.form import current_form, forms
from bot.handlers.context import EventContext
from bot.i18n import N_, _
from bot.quiet_hours import is_quiet
from storage.models import Household, HouseholdProblem
from storage.people import pushable_chat_ids
from storage.statuses import ProblemStatus

ROUTE = "hc"
# What the household sends before its code (the link puts "confirmation code 123456" in the chat).
CODE_WORD = N_("confirmation code")

# The status of a problem as the household reads it.
STATUS_WORDS = {
    ProblemStatus.FOUND: N_("recorded at the survey, not followed up yet"),
    ProblemStatus.HELPED: N_("helped: the problem was solved"),
    ProblemStatus.SELF_RESOLVED: N_("solved by the household itself"),
    ProblemStatus.IN_PROGRESS: N_("help is under way"),
    ProblemStatus.NOT_RESOLVED: N_("not solved yet"),
    ProblemStatus.NOT_APPLICABLE: N_("no longer a problem"),
}


def data(action: str, **params: object) -> str:
    """Postback data of a confirmation button."""
    return postback.encode(ROUTE, a=action, **params)


def problem_name(household: Household, problem: HouseholdProblem) -> str:
    """The problem as the form names it, in Thai (a neutral phrase if the form no longer has it)."""
    # An imported record (an earlier round's file) has no form of its own: the current one names its codes.
    form = forms().get((household.form_id, household.form_version)) or current_form()
    for question in form.questions():
        if question.problems:
            for choice in question.choices:
                if choice.code == problem.code:
                    return _(choice.label)
    return _("A problem recorded in the survey")


def status_word(status: str) -> str:
    """The problem's status in everyday Thai."""
    return _(STATUS_WORDS.get(status, STATUS_WORDS[ProblemStatus.FOUND]))


def quiet_now(ctx: EventContext) -> bool:
    """True during the quiet hours, when nothing is pushed."""
    return is_quiet(ctx.now, ctx.config.quiet_hours, ctx.config.zone)


def push_to(ctx: EventContext, person_ids: list[int], text: str) -> int:
    """Push a text to these people (those who may get pushes) after the commit; how many chats."""
    chats = pushable_chat_ids(ctx.session, person_ids)
    for chat_id in chats:
        ctx.effects.append(Push(chat_id, (Text(text),)))
    return len(chats)


def house_label(household: Household) -> str:
    """How a volunteer or supervisor recognises the household: house number and head's name."""
    return _("house no. {house} ({head})", house=household.house_no or "-", head=household.head_name or "-")

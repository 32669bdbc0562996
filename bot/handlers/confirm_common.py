"""What both sides of household confirmation share: problem names in plain Thai, status words, pushes.

The household reads its problems by the form's own labels and a status in everyday words,
never a code, a note or anything about the record. The volunteer and the supervisors are told
with notify (bot/delivery/notify.py): at once, or at the end of the quiet hours.
"""

from __future__ import annotations

from bot.chat import postback
from bot.dialogs.form import current_form, forms
from bot.i18n import N_, _
from storage.models import Household, HouseholdProblem
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


def house_label(household: Household) -> str:
    """How a volunteer or supervisor recognises the household: house number and head's name."""
    return _("house no. {house} ({head})", house=household.house_no or "-", head=household.head_name or "-")

"""A volunteer's drafts: offered again before a new household, dropped when empty, deleted on request."""

from __future__ import annotations

import hashlib
import re
from typing import Callable

from bot.chat.replies import Button, Reply, Text
from bot.chat.text_input import fold
from bot.dialogs.answers import format_date_be, normalize_digits
from bot.dialogs.form import get_form
from bot.handlers.context import EventContext
from bot.handlers.survey_records import records_for
from bot.handlers.survey_view import data, short
from bot.i18n import _
from storage import conversations, drafts, surveys
from storage.models import Conversation, Household, Person
from storage.statuses import HouseholdStatus


def draft_name(household: Household) -> str:
    """How a draft is listed: house number and head's name (or that they are not given yet)."""
    house = household.house_no or _("no house number yet")
    head = household.head_name or _("head not named yet")
    return _("House {house} · {head}", house=house, head=head)


def day_of(ctx: EventContext, household: Household) -> str:
    """The day a record was last worked on (submitted, else saved), in the Thai way."""
    moment = household.submitted_at if household.status == HouseholdStatus.SUBMITTED and household.submitted_at else household.updated_at
    return format_date_be(moment.astimezone(ctx.config.zone).date()) if moment else "-"


def empty(ctx: EventContext, household: Household) -> bool:
    """A draft with no household data yet (nothing but consent and respondent)."""
    if household.status != HouseholdStatus.DRAFT or household.submitted_at is not None:
        return False
    preamble = records_for(get_form(household.form_id, household.form_version)).preamble
    return drafts.is_empty(ctx.session, household.id, preamble)


def drop_empty(ctx: EventContext, person: Person, keep: int | None = None) -> None:
    """Delete the volunteer's empty drafts (leaving them for another, or starting anew); nothing was entered in them."""
    for draft in surveys.drafts_for(ctx.session, person.id):
        if draft.id != keep and empty(ctx, draft):
            drafts.delete_draft(ctx.session, draft, ctx.now)


def offer(ctx: EventContext, person: Person) -> list[Reply] | None:
    """Before a new household: offer the paused draft(s) to continue; None when there is none."""
    leave_list(ctx)  # its buttons are not numbered: a number typed now is not a choice from an earlier list
    drop_empty(ctx, person)
    waiting = surveys.drafts_for(ctx.session, person.id)
    if not waiting:
        return None
    new = Button(_("Start a new household"), kind="postback", data=data(waiting[0].id, "new"), text=_("Start a new household"))
    if len(waiting) == 1:
        draft = waiting[0]
        return [Text(
            _("You have an unfinished survey: {name}, last saved on {date}. Continue it, or start a new household?", name=draft_name(draft), date=day_of(ctx, draft)),
            (Button(short(_("Continue this survey")), kind="postback", data=data(draft.id, "open"), text=_("Continue this survey")), new),
        )]
    return [Text(
        _("You have {count} unfinished surveys. Continue one of them, or start a new household?", count=len(waiting)),
        (Button(_("Continue"), text=_("continue")), new),
    )]


# conversations.step while a numbered list of drafts waits for the volunteer's choice, with a
# fingerprint of the list shown: a number typed after the drafts changed must not open another one.
PICK = "pick:"
# Quick-reply buttons: LINE shows at most 13, one per listed draft.
LISTED = 12
# "2", "2.", "ข้อ 2", "รายการที่ 2": the number of a listed draft, typed.
TYPED_NUMBER = re.compile(r"^(?:ข้อ|รายการที่|ที่|no\.?)?\s*(\d{1,3})\s*\.?$")
# Typed at the list, these words close it (there is no question to pause, cancel or go back from).
CLOSING_COMMANDS = ("pause", "cancel", "back")


def listing(ctx: EventContext, person: Person, waiting: list[Household], note: str | None = None) -> list[Reply]:
    """The numbered list of drafts to continue: a typed number or a tap opens one (none stays in hand meanwhile)."""
    shown = waiting[:LISTED]
    # Out of the draft in hand: a number typed now chooses from the list, it does not answer that draft's question.
    conversations.enter(ctx.session, ctx.user.id, surveys.SURVEY, ctx.now, step=PICK + _fingerprint(shown))
    lines = [note] if note else []
    lines.append(_("You have {count} unfinished surveys. Which one do you want to continue?", count=len(waiting)))
    buttons = []
    for number, draft in enumerate(shown, start=1):
        name = draft_name(draft)
        lines.append(f"{number}. {name}")
        buttons.append(Button(short(f"{number}. {name}"), kind="postback", data=data(draft.id, "open"), text=name))
    if len(waiting) > LISTED:
        lines.append(_("The {listed} most recent are listed; find the others in \"My surveys\".", listed=LISTED))
    lines.append(_("Type its number, or tap it below."))
    return [Text("\n".join(lines), tuple(buttons))]


def at_list(
    ctx: EventContext, person: Person, conversation: Conversation, text: str, command: str | None,
    open_draft: Callable[[EventContext, Person, Household], list[Reply]],
) -> list[Reply] | None:
    """What is typed at the list of drafts: a number opens that draft, pause/cancel/back close the list; None otherwise."""
    if not (conversation.step or "").startswith(PICK):
        return None
    match = TYPED_NUMBER.match(fold(normalize_digits(text)))
    if command in CLOSING_COMMANDS:
        leave_list(ctx)
        return [Text(_("Nothing was opened; your unfinished surveys are kept. Type \"resume\" to see them again."), (Button(_("Resume"), text=_("resume")),))]
    if match is None:
        return None
    waiting = surveys.drafts_for(ctx.session, person.id)
    if not waiting:
        leave_list(ctx)
        return none_waiting()
    if conversation.step != PICK + _fingerprint(waiting[:LISTED]):
        return listing(ctx, person, waiting, _("Your unfinished surveys have changed since the list was shown; here it is again."))
    number = int(match[1])
    if 1 <= number <= min(len(waiting), LISTED):
        return open_draft(ctx, person, waiting[number - 1])
    return listing(ctx, person, waiting, _("There is no survey number {number} in the list.", number=number))


def none_waiting() -> list[Reply]:
    """The answer when the volunteer has no unfinished survey to continue."""
    return [Text(_("You have no unfinished survey. Type \"survey\" to start a new household."), (Button(_("Start a survey"), text=_("survey")),))]


def leave_list(ctx: EventContext) -> None:
    """Close the list of drafts, if it is open (what is typed next is not a choice from it)."""
    conversation = conversations.conversation_of(ctx.session, ctx.user.id)
    if conversation is not None and (conversation.step or "").startswith(PICK):
        conversations.leave(ctx.session, ctx.user.id, ctx.now, surveys.SURVEY)


def _fingerprint(shown: list[Household]) -> str:
    """A short fingerprint of the listed drafts, in order (fits conversations.step)."""
    return hashlib.blake2s(",".join(str(draft.id) for draft in shown).encode(), digest_size=8).hexdigest()


def ask_delete(ctx: EventContext, person: Person, household: Household | None) -> list[Reply]:
    """"Delete draft": ask first, naming the draft; submitted records are not deleted this way."""
    if household is None:
        return [Text(_("No survey is open. Open the draft you want to delete from \"My surveys\" first."), (Button(_("My surveys"), text=_("my surveys")),))]
    refused = _not_deletable(person, household)
    if refused is not None:
        return refused
    return [Text(
        _("Delete the unfinished survey of {name}? Every answer entered for it will be deleted. This cannot be undone.", name=draft_name(household)),
        (
            Button(short(_("Yes, delete it")), kind="postback", data=data(household.id, "delete_yes"), text=_("Yes, delete it")),
            Button(short(_("No, keep it")), kind="postback", data=data(household.id, "open"), text=_("No, keep it")),
        ),
    )]


def delete(ctx: EventContext, person: Person, household: Household) -> list[Reply]:
    """The confirmed deletion of one's own unsubmitted draft (audited)."""
    refused = _not_deletable(person, household)
    if refused is not None:
        return refused
    name = draft_name(household)
    drafts.delete_draft(ctx.session, household, ctx.now, actor_id=person.id)
    return [Text(_("The unfinished survey of {name} was deleted.", name=name), (Button(_("Start a survey"), text=_("survey")), Button(_("My surveys"), text=_("my surveys"))))]


def _not_deletable(person: Person, household: Household) -> list[Reply] | None:
    """Why this record cannot be deleted by this person, or None."""
    if household.status == HouseholdStatus.SUBMITTED or household.submitted_at is not None:
        return [Text(
            _("A submitted record cannot be deleted. To change it, tap \"Correct this record\"."),
            (Button(short(_("Correct this record")), kind="postback", data=data(household.id, "reopen"), text=_("Correct this record")),),
        )]
    if household.status != HouseholdStatus.DRAFT or household.volunteer_id != person.id:
        return [Text(_("Only your own unfinished surveys can be deleted."))]
    return None

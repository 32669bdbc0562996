"""The household survey in the chat: start, answer, pause, resume, review, submit, reopen.

The dialog itself is `bot.dialogs.engine`; this module loads a draft's stored answers,
hands the engine one input, stores what it returns (in the event's transaction) and
renders the outcome. The dialog pointer lives on the household row; which draft is in hand
is the user's conversation (bot.handlers.conversation).
"""

from __future__ import annotations

import functools
import re


from bot.chat.text_input import fold
from bot.dialogs.answers import normalize_digits
from bot.dialogs.engine import REVIEW, Cursor, Outcome
from bot.dialogs.form import Question, get_form
from bot.dialogs.inputs import Input, button_input
from bot.dialogs.prompts import Msg
from bot.handlers.context import EventContext
from bot.handlers.dialog import Dialog, Entry
from bot.handlers import survey_drafts, survey_duplicates, survey_list
from bot.handlers.survey_drafts import draft_name as _draft_name
from bot.handlers.survey_records import records_for
from bot.handlers.survey_state import load_draft, round_form, save_cursor
from bot.handlers.survey_view import ROUTE, render, short
from bot.i18n import N_, _
from bot.people import policy
from bot.handlers.access import refusal
from bot.people.policy import can_edit_household
from bot.chat.replies import Button, Reply, Text
from storage import approval, surveys
from storage.models import Conversation, Household, Person
from storage.statuses import ApprovalStatus, HouseholdStatus

# A submitted record stays submitted while corrected: it is "being corrected" while in someone's hand.
IN_HAND_STATUSES = (HouseholdStatus.DRAFT, HouseholdStatus.SUBMITTED)
EDIT_MEMBER = re.compile(r"^(?:แก้ไขสมาชิกคนที่|แก้ไขสมาชิก|edit member)\s*(\d+)$")
# A receipt carries its round's name (storage/rounds.py ROUND_NAME): 2566, or 2567-2.
CORRECT_RECEIPT = re.compile(r"^(?:แก้ไข|correct)\s*(qm-\d{4}(?:[.-]\d{1,2})?-\d{6})$")


@functools.cache  # the catalog is the process's: built once, not for every typed answer
def _commands() -> dict[str, str]:
    """Typed control words (Thai from the catalog, and English) to engine commands."""
    words = {
        "back": _("Back"), "pause": _("Pause"), "cancel": _("Cancel"), "help": _("Help"), "skip": _("Skip"),
        "done": _("Done"), "keep": _("Keep answer"), "submit": _("Submit"), "detail": _("Add a detail"),
    }
    table = {name: name for name in words}
    table.update({fold(text): name for name, text in words.items()})
    return table


# -- what the conversation layer calls (see DIALOG at the end) ----------------------------


def on_answer(ctx: EventContext, conversation: Conversation, text: str) -> list[Reply] | None:
    """A typed answer or control word for the draft in hand; None when no draft is in hand."""
    held = _held_draft(ctx)
    if held is None and (person := _surveyor(ctx)) is not None:
        return survey_drafts.at_list(ctx, person, conversation, text, _commands().get(fold(text)), _open)
    if held is None or isinstance(held, list):
        return held
    person, household = held
    word = fold(text)
    match = EDIT_MEMBER.match(normalize_digits(word))
    if match:
        return _edit_member(ctx, person, household, int(match[1]))
    command = _commands().get(word)
    given = Input("command", value=command) if command else Input("text", text=text)
    return _run(ctx, person, household, given)


def on_postback(ctx: EventContext, params: dict[str, str], line_params: dict[str, str]) -> list[Reply]:
    """A tapped survey button: answer, toggle, control, edit, open a draft, reopen a record."""
    person = _surveyor(ctx)
    if person is None:
        return _refusal(ctx)
    action, value, slot = params.get("a", ""), params.get("v", ""), params.get("s")
    if action == "new":
        return start(ctx, fresh=True)
    household = ctx.session.get(Household, int(params["h"])) if params.get("h", "").isdigit() else None
    if household is None or not can_edit_household(person, household):
        return [Text(_("That button is no longer in use. Please choose again below."))]
    if action == "open":
        return _open(ctx, person, household)
    if action == "reopen":
        return _reopen(ctx, person, household)
    if action in ("delete", "delete_yes"):
        return (survey_drafts.ask_delete if action == "delete" else survey_drafts.delete)(ctx, person, household)
    if action in ("dup_same", "dup_other"):
        return _duplicate_answer(ctx, person, household, action, value)
    active = surveys.active_household(ctx.session, person.id)
    if household.status not in IN_HAND_STATUSES or active is None or active.id != household.id:
        return _other_draft(ctx, person, household, active)
    if action == "refuse_yes":
        consent = _consent(household)
        return _run(ctx, person, household, Input("option", value=(consent.refuse_on or "") if consent else "", slot=slot), refusal_confirmed=True)
    given = button_input(action, value, slot, line_params.get("date", ""))
    return _run(ctx, person, household, given)


def on_message(ctx: EventContext, kind: str, location: tuple[float, float] | None = None) -> list[Reply] | None:
    """A location answers a location question; anything else mid-survey gets a reminder."""
    held = _held_draft(ctx)
    if held is None or isinstance(held, list):
        return held
    person, household = held
    if location is not None:
        return _run(ctx, person, household, Input("location", value=f"{location[0]:.6f},{location[1]:.6f}"))
    reminder = _("Thank you for the {kind}. The survey of this household is in progress; here is the current question again.", kind=kind)
    engine, cursor, answers, env = load_draft(ctx, household)
    return render(engine.show(cursor, answers, env), household.id, [reminder])


def _in_hand(ctx: EventContext, person: Person | None) -> Household | None:
    """The draft (or submitted record under correction) the person holds; None when none is open."""
    household = surveys.draft_in_hand(ctx.session, person) if person else None
    return household if household is not None and household.status in IN_HAND_STATUSES else None


def _held_draft(ctx: EventContext) -> tuple[Person, Household] | list[Reply] | None:
    """The surveyor and the draft they hold, asked of the policy again at every step.

    None when no draft is in hand; the answer to give when the draft is no longer theirs.
    """
    person = _surveyor(ctx)
    household = _in_hand(ctx, person)
    if person is None or household is None:
        return None
    if not can_edit_household(person, household):
        return _taken_away(ctx, person)
    return person, household


def _taken_away(ctx: EventContext, person: Person) -> list[Reply]:
    """The draft in hand is no longer the person's (moved, or out of their area): drop it, show nothing of it."""
    surveys.set_active(ctx.session, person.id, None, ctx.now)
    return [Text(_("The survey you were working on is no longer assigned to you, so nothing was recorded. Type \"survey\" to start a new household."), (Button(_("Start a survey"), text=_("survey")),))]


# -- starting, resuming, reopening -------------------------------------------------------


def start(ctx: EventContext, fresh: bool = False) -> list[Reply]:
    """A new household: a draft on the current form, beginning with consent (a paused draft is offered first)."""
    person = _surveyor(ctx)
    if person is None:
        return _refusal(ctx)
    if not fresh and (offered := survey_drafts.offer(ctx, person)) is not None:
        return offered
    survey_drafts.drop_empty(ctx, person)
    form, round_name = round_form(ctx, person)
    previous = surveys.active_household(ctx.session, person.id)
    kept = [_("Your survey of {name} is kept as a draft; type \"resume\" to go back to it.", name=_draft_name(previous))] if previous is not None and previous.status == HouseholdStatus.DRAFT else []
    household = surveys.create_household(ctx.session, person, form.id, form.version, round_name, ctx.now)
    surveys.set_active(ctx.session, person.id, household.id, ctx.now)
    engine, cursor, answers, env = load_draft(ctx, household)
    outcome = engine.start(answers, env)
    save_cursor(household, outcome.cursor)
    intro = _("A new household survey. Answers are saved as you go: type \"pause\" to stop and \"resume\" to continue later.")
    return render(outcome, household.id, kept + [intro])


def resume(ctx: EventContext) -> list[Reply]:
    """Continue a draft: the only one directly, or a list to choose from."""
    person = _surveyor(ctx)
    if person is None:
        return _refusal(ctx)
    drafts = surveys.drafts_for(ctx.session, person.id)
    if not drafts:
        return survey_drafts.none_waiting()
    if len(drafts) == 1:
        return _open(ctx, person, drafts[0])
    return survey_drafts.listing(ctx, person, drafts)


def correct(ctx: EventContext, receipt: str) -> list[Reply]:
    """"แก้ไข QM-2566-000123": the volunteer or a supervisor reopens a submitted household."""
    person = _surveyor(ctx)
    if person is None:
        return _refusal(ctx)
    household = surveys.by_receipt(ctx.session, receipt)
    if household is None or not can_edit_household(person, household):
        return [Text(_("No household with receipt {receipt} is open to you. Please check the number.", receipt=receipt))]
    return _reopen(ctx, person, household)


def _open(ctx: EventContext, person: Person, household: Household) -> list[Reply]:
    """Put a draft in hand and show where it stands (a Re-X-ray visit's record opens as that visit)."""
    if household.revisit_of is not None:
        from bot.handlers import rexray_visit  # it builds on this module

        return rexray_visit.open_visit(ctx, person, household)
    if household.status == HouseholdStatus.SUBMITTED:
        return [Text(_("This household was submitted with receipt {receipt}. To correct it, tap \"Correct this record\".", receipt=household.receipt_no), (Button(_("Correct this record"), kind="postback", data=_data(household.id, "reopen"), text=_("Correct this record")),))]
    if household.status != HouseholdStatus.DRAFT:
        return [Text(_("This survey was closed and cannot be continued."))]
    survey_drafts.drop_empty(ctx, person, keep=household.id)  # an empty draft left for another is not kept
    surveys.set_active(ctx.session, person.id, household.id, ctx.now)
    engine, cursor, answers, env = load_draft(ctx, household)
    return render(engine.show(cursor, answers, env), household.id, [_("Continuing the survey of {name}.", name=_draft_name(household))])


def _reopen(ctx: EventContext, person: Person, household: Household) -> list[Reply]:
    """Open a submitted household for correction at its review; it stays submitted (and counted) meanwhile.

    Every change is written at once and kept in its history (answer_changes), so pausing or
    cancelling a correction ends it without losing or undoing anything submitted.
    """
    if household.status != HouseholdStatus.SUBMITTED:
        return _open(ctx, person, household)
    save_cursor(household, Cursor(state=REVIEW))
    survey_drafts.drop_empty(ctx, person)
    surveys.set_active(ctx.session, person.id, household.id, ctx.now)
    engine, cursor, answers, env = load_draft(ctx, household)
    return render(engine.show(cursor, answers, env), household.id, [_("Correcting the record with receipt {receipt}. It stays submitted; every change is recorded.", receipt=household.receipt_no)])


def _other_draft(ctx: EventContext, person: Person, household: Household, active: Household | None) -> list[Reply]:
    """A tap on a button of a draft not in hand: change nothing, offer to open it."""
    if household.status != HouseholdStatus.DRAFT:
        return _open(ctx, person, household)
    return [Text(
        _("That button belongs to another survey ({name}), so nothing was changed. Open that survey?", name=_draft_name(household)),
        (Button(short(_("Open that survey")), kind="postback", data=_data(household.id, "open"), text=_("Open that survey")),),
    )]


def _edit_member(ctx: EventContext, person: Person, household: Household, member_no: int) -> list[Reply]:
    """แก้ไขสมาชิกคนที่ N: go through that member's answers again."""
    engine, cursor, answers, env = load_draft(ctx, household)
    outcome = engine.edit_member(cursor, answers, member_no, env)
    save_cursor(household, outcome.cursor)
    return render(outcome, household.id)


# -- one step -----------------------------------------------------------------------------


def _run(ctx: EventContext, person: Person, household: Household, given: Input, refusal_confirmed: bool = False) -> list[Reply]:
    """Apply one input to a draft: store the answers and the pointer, say what comes next."""
    rows = surveys.answer_rows(ctx.session, household.id)
    engine, cursor, answers, env = load_draft(ctx, household, rows)
    outcome = engine.step(cursor, answers, given, env)
    consent = engine.form.consent
    if outcome.event == "refused" and not refusal_confirmed and consent is not None and any(key != (consent.code, 0) for key in rows):
        return _confirm_refusal(household, cursor)  # nothing stored until the volunteer confirms
    records = records_for(engine.form)
    for key, value in outcome.writes:
        surveys.write_answer(ctx.session, household, rows, key, value, person_id=person.id, now=ctx.now, projection=records.projections.get(key[0]), sensitive=key[0] in records.sensitive)
    save_cursor(household, outcome.cursor)
    extra = survey_duplicates.warn(ctx, person, household) if any(key[0] in records.duplicate_codes for key, _v in outcome.writes) else []
    closing = _close(ctx, person, household, outcome)
    if closing is not None:
        return closing
    if household.status == HouseholdStatus.SUBMITTED and outcome.cursor.confirm_cancel and outcome.notes:
        # The engine's question speaks of a draft; a correction's cancel ends only the correction.
        outcome.notes[-1] = Msg(N_("End this correction? The record stays submitted with the changes made so far; nothing submitted is discarded."))
    replies = render(outcome, household.id)
    return extra + replies


def _close(ctx: EventContext, person: Person, household: Household, outcome: Outcome) -> list[Reply] | None:
    """The end of a draft (refused, cancelled, submitted) or a pause."""
    event = outcome.event
    correcting = household.status == HouseholdStatus.SUBMITTED
    if correcting and event in ("paused", "cancelled"):
        # Ending a correction: the record stays submitted with the changes already recorded.
        save_cursor(household, Cursor(state=REVIEW))
        surveys.set_active(ctx.session, person.id, None, ctx.now)
        return [Text(
            _("The correction has ended. The record with receipt {receipt} stays submitted; changes already made are recorded in its history. To correct it again, tap \"Correct this record\".", receipt=household.receipt_no),
            (Button(_("Start a survey"), text=_("survey")), Button(short(_("Correct this record")), kind="postback", data=_data(household.id, "reopen"), text=_("Correct this record"))),
        )]
    if event == "paused":
        surveys.set_active(ctx.session, person.id, None, ctx.now)
        return [Text(_("The survey is paused and every answer is saved. Type \"resume\" to continue where you stopped."), (Button(_("Resume"), text=_("resume")),))]
    if event == "refused":
        form = get_form(household.form_id, household.form_version)
        surveys.keep_only_refusal(ctx.session, household, form.consent.code if form.consent else "", records_for(form).refusal_clears, ctx.now)
        surveys.set_active(ctx.session, person.id, None, ctx.now)
        return [Text(_("The household did not consent. Only the refusal (area, date and volunteer) is recorded. Thank you."), (Button(_("Start a survey"), text=_("survey")),))]
    if event == "cancelled":
        household.status = HouseholdStatus.CANCELLED
        surveys.set_active(ctx.session, person.id, None, ctx.now)
        return [Text(_("The survey was cancelled. Its answers are kept as a cancelled draft."), (Button(_("Start a survey"), text=_("survey")),))]
    if event == "submitted" and correcting and approval.unchanged_since_review(ctx.session, household):
        return _submitted_unchanged(ctx, person, household)
    if event == "submitted":
        receipt = surveys.submit(household, ctx.now)
        surveys.set_active(ctx.session, person.id, None, ctx.now)
        return [Text(
            _("Thank you. The survey of {name} was submitted.\nReceipt number: {receipt}", name=_draft_name(household), receipt=receipt),
            (Button(_("Start a survey"), text=_("survey")), Button(short(_("Correct this record")), kind="postback", data=_data(household.id, "reopen"), text=_("Correct this record"))),
        )]
    return None


def _submitted_unchanged(ctx: EventContext, person: Person, household: Household) -> list[Reply]:
    """A correction submitted without a change: an approved record stays approved; one sent back goes to the supervisor again as it was."""
    surveys.set_active(ctx.session, person.id, None, ctx.now)
    buttons = (Button(_("Start a survey"), text=_("survey")), Button(short(_("Correct this record")), kind="postback", data=_data(household.id, "reopen"), text=_("Correct this record")))
    if household.approval == ApprovalStatus.APPROVED:
        return [Text(_("Nothing was changed, so the record with receipt {receipt} stays approved.", receipt=household.receipt_no), buttons)]
    receipt = surveys.submit(household, ctx.now)
    return [Text(_("Nothing was changed in the record with receipt {receipt}. It was sent to the supervisor again as it was.", receipt=receipt), buttons)]


def _confirm_refusal(household: Household, cursor: Cursor) -> list[Reply]:
    """A "no" to consent after data was entered deletes that data: ask first."""
    return [Text(
        _("The household no longer consents? Then every answer already entered for it (names, ID numbers, members and problems) will be deleted and only the refusal (area, date and volunteer) is kept. This cannot be undone."),
        (
            Button(short(_("Yes, record the refusal")), kind="postback", data=_data(household.id, "refuse_yes", cursor.slot), text=_("Yes, record the refusal")),
            Button(short(_("No, keep the answers")), kind="postback", data=_data(household.id, "refuse_no", cursor.slot), text=_("No, keep the answers")),
        ),
    )]


def _consent(household: Household) -> Question | None:
    """The consent question of the draft's form version, if it has one."""
    return get_form(household.form_id, household.form_version).consent


def _duplicate_answer(ctx: EventContext, person: Person, household: Household, action: str, value: str) -> list[Reply]:
    """The answer to a duplicate warning: open the existing record (an empty draft dropped), or go on."""
    other = survey_duplicates.other_of(ctx, person, household, value)
    if other is None:
        return [Text(_("That button is no longer in use. Please choose again below."))]
    if action == "dup_same":
        if other.status == HouseholdStatus.DRAFT:
            return _open(ctx, person, other)
        kept = [] if survey_drafts.empty(ctx, household) else [_("Your survey of {name} is kept as a draft; type \"resume\" to go back to it.", name=_draft_name(household))]
        survey_drafts.drop_empty(ctx, person)
        surveys.set_active(ctx.session, person.id, None, ctx.now)
        return [Text(t) for t in kept] + _open(ctx, person, other)
    note = survey_duplicates.different(ctx, household, other.id)
    active = surveys.active_household(ctx.session, person.id)
    if active is None or active.id != household.id:
        return [Text(note)]
    engine, cursor, answers, env = load_draft(ctx, household)
    return render(engine.show(cursor, answers, env), household.id, [note])


def _delete_in_hand(ctx: EventContext) -> list[Reply]:
    """"Delete draft" typed: ask about the draft in hand."""
    person = _surveyor(ctx)
    return survey_drafts.ask_delete(ctx, person, _in_hand(ctx, person)) if person is not None else _refusal(ctx)


def _surveyor(ctx: EventContext) -> Person | None:
    """The registered person behind this LINE user, if the policy lets them survey."""
    person = ctx.person()
    return person if policy.may_survey(person) is None else None  # refuses the deactivated too


def _refusal(ctx: EventContext) -> list[Reply]:
    """Why this LINE user may not survey, answered as everywhere else."""
    person = ctx.person()
    return refusal(policy.may_survey(person) or policy.Denied.NOT_ALLOWED, person.role if person else None)


def _data(household_id: int, action: str, slot: str | None = None) -> str:
    """Postback data for draft-level buttons (with the question's slot when it answers one)."""
    from bot.chat import postback

    return postback.encode(ROUTE, h=household_id, a=action) if slot is None else postback.encode(ROUTE, h=household_id, a=action, s=slot)


DIALOG = Dialog(
    name=surveys.SURVEY,
    entries=(
        Entry(("survey",), lambda ctx, _argument: start(ctx)),
        Entry(("resume", "continue"), lambda ctx, _argument: resume(ctx)),
        Entry((N_("delete draft"),), lambda ctx, _argument: _delete_in_hand(ctx)),
        *survey_list.ENTRIES,
        Entry((), lambda ctx, receipt: correct(ctx, receipt.upper()), pattern=CORRECT_RECEIPT),
    ),
    answer=on_answer,
    # The engine's own commands for the draft in hand (a command's English word is its name).
    fallbacks={name: (lambda ctx, conversation, name=name: on_answer(ctx, conversation, name)) for name in ("cancel", "help", "back")},
    on_message=on_message,
    routes={ROUTE: on_postback, survey_list.ROUTE: survey_list.on_postback},
)

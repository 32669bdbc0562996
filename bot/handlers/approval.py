"""Supervisors approve submitted surveys and Re-X-rays, or send them back with a note; the volunteer is told.

Postback routes (data built with bot.chat.postback.encode):
    apr.view    h=<household id>     the record's review card, with approve and send back
    apr.ok      h=<household id>     approve it
    apr.back    h=<household id>     ask for the note, then send it back
    apr.all     p=<volunteer id>     ask to approve all of a volunteer's awaiting records
    apr.all.ok  p=<volunteer id>     approve them
Typed: "approve" lists the area's records awaiting approval, by volunteer. While the note is
asked for, the dialog's step is "note" and its draft the household. Every decision is
bot.people.policy's; every approval and send-back is written to the audit log.
"""

from __future__ import annotations

from bot.chat import postback
from bot.chat.replies import Button, Card, CardRow, Cards, Reply, Text
from bot.chat.text_input import fold
from bot.delivery.notify import notify
from bot.dialogs.form import current_form
from bot.exports.layout import STATUS_WORDS
from bot.exports.sheets import Labels
from bot.handlers import survey_view
from bot.handlers.access import refusal, supervisors_command, supervisors_route
from bot.handlers.context import EventContext
from bot.handlers.dialog import Dialog, Entry
from bot.handlers.reassign import house_of
from bot.handlers.survey_state import load_draft
from bot.handlers.survey_view import short, tr
from bot.quiet_hours import local_clock
from bot.i18n import _
from bot.people import policy
from bot.people.menus import menu_buttons, menu_for
from storage import approval, audit, conversations, rexray
from storage.models import Conversation, Household, Person
from storage.statuses import ApprovalStatus, RexrayStatus

DIALOG_NAME = "approval"
NOTE_STEP = "sendback_note"
MAX_CARDS = 10
ROWS_PER_CARD = 8
MAX_NOTE = 500


def _list_button() -> Button:
    """Back to the list of records awaiting approval."""
    return Button(_("Records to approve"), text=_("approve"))


def show_list(ctx: EventContext, person: Person, argument: str = "") -> list[Reply]:
    """The area's records awaiting approval: a card per volunteer, a row per record with its button, approve-all at the foot."""
    conversations.leave(ctx.session, ctx.user.id, ctx.now, DIALOG_NAME)
    waiting = approval.awaiting(ctx.session, person.municipality_id, _community(person))
    if not waiting:
        return [Text(_("No record of your area is awaiting approval."), menu_buttons(person.role))]
    by_volunteer: dict[int | None, list[approval.Awaiting]] = {}
    for item in waiting:
        by_volunteer.setdefault(item.volunteer_id, []).append(item)
    cards = tuple(_volunteer_card(items) for items in list(by_volunteer.values())[:MAX_CARDS])
    more = len(by_volunteer) - len(cards)
    text = _("{count} records of your area are awaiting approval. Tap a record to see it, or approve all of a volunteer's records at once.", count=len(waiting))
    replies: list[Reply] = [Cards(text, cards, menu_buttons(person.role))]
    if more:
        replies.insert(0, Text(_("…and records of {count} more volunteers; approve these first to see them.", count=more)))
    return replies


def _volunteer_card(items: list[approval.Awaiting]) -> Card:
    """One volunteer's awaiting records."""
    first = items[0]
    rows = tuple(
        CardRow(
            item.house_no or "-",
            _("{head} ({community}), Re-X-ray, {problems} problems", head=item.head_name or "-", community=item.community or "-", problems=item.problems) if item.rexray
            else _("{head} ({community}), survey, {problems} problems", head=item.head_name or "-", community=item.community or "-", problems=item.problems),
            Button(_("View"), kind="postback", data=postback.encode("apr.view", h=item.household_id), text=_("View {house}", house=item.house_no or "-")),
        )
        for item in items[:ROWS_PER_CARD]
    )
    if len(items) > ROWS_PER_CARD:
        rows += (CardRow("", _("…and {count} more", count=len(items) - ROWS_PER_CARD)),)
    title = _("{name}: {count} awaiting approval", name=first.volunteer or "-", count=len(items))
    buttons = (Button(short(_("Approve all {count}", count=len(items))), kind="postback", data=postback.encode("apr.all", p=first.volunteer_id or 0), text=_("Approve all {count}", count=len(items))),) if first.volunteer_id else ()
    return Card(title, rows, buttons)


def view(ctx: EventContext, person: Person, household_id: int) -> list[Reply]:
    """A record as its volunteer reviewed it before submitting, with approve and send back."""
    household = _awaiting(ctx, person, household_id)
    if isinstance(household, list):
        return household
    cards = _rexray_cards(ctx, household) if approval.is_rexray(household) else _survey_cards(ctx, household)
    decide = (
        Button(_("Approve"), kind="postback", data=postback.encode("apr.ok", h=household.id), text=_("Approve")),
        Button(_("Send back"), kind="postback", data=postback.encode("apr.back", h=household.id), text=_("Send back")),
        _list_button(),
    )
    return [Cards(_("Record {house} awaiting approval", house=house_of(household)), cards), Text(_("Approve this record, or send it back to the volunteer with a note?"), decide)]


def _survey_cards(ctx: EventContext, household: Household) -> tuple[Card, ...]:
    """The survey's review, one card per section, without edit buttons."""
    engine, _cursor, answers, env = load_draft(ctx, household)
    review = engine.review(answers, env)
    return tuple(Card(tr(section.title), tuple(CardRow(tr(item.label), ", ".join(tr(part) for part in item.value)) for item in section.items)) for section in review.sections)


def _rexray_cards(ctx: EventContext, household: Household) -> tuple[Card, ...]:
    """The Re-X-ray: the household, then each recorded problem with what was found."""
    rows = [CardRow(_("Head of household"), household.head_name or "-"), CardRow(_("House number"), household.house_no or "-")]
    labels = Labels(current_form())
    for problem in rexray.earlier_problems(ctx.session, household.id):
        words = _(STATUS_WORDS[problem.status]) if problem.status in STATUS_WORDS else "-"
        rows.append(CardRow(labels.problems.get(problem.code, "-"), words + (f" – {problem.note}" if problem.note else "")))
    return (Card(_("Re-X-ray of house {house}", house=house_of(household)), tuple(rows)),)


def approve_one(ctx: EventContext, person: Person, household_id: int) -> list[Reply]:
    """Approve a record and offer the next one."""
    household = _awaiting(ctx, person, household_id)
    if isinstance(household, list):
        return household
    approval.approve(household, person.id, ctx.now)
    audit.record(ctx.session, "household.approve", ctx.now, actor_id=person.id, subject_id=household.volunteer_id, household_id=household.id)
    left = approval.awaiting(ctx.session, person.municipality_id, _community(person))
    text = _("Record {house} is approved.", house=house_of(household))
    if not left:
        return [Text(text + "\n" + _("No record of your area is awaiting approval."), menu_buttons(person.role))]
    following = left[0]
    buttons = (Button(short(_("Next: {house}", house=following.house_no or "-")), kind="postback", data=postback.encode("apr.view", h=following.household_id), text=_("View {house}", house=following.house_no or "-")), _list_button())
    return [Text(text + "\n" + _("{count} records are still awaiting approval.", count=len(left)), buttons)]


def confirm_all(ctx: EventContext, person: Person, volunteer_id: int) -> list[Reply]:
    """Ask before approving all of a volunteer's awaiting records."""
    volunteer = ctx.session.get(Person, volunteer_id)
    if volunteer is None or policy.manage_person(person, volunteer) is not None:
        return refusal(policy.Denied.NOT_YOURS, person.role)
    items = approval.awaiting(ctx.session, person.municipality_id, _community(person), volunteer_id)
    if not items:
        return [Text(_("{name} has no record awaiting approval.", name=volunteer.full_name), (_list_button(),))]
    buttons = (Button(_("Yes, approve all"), kind="postback", data=postback.encode("apr.all.ok", p=volunteer_id), text=_("Yes, approve all")), Button(_("No"), text=_("approve")))
    return [Text(_("Approve all {count} records of {name} awaiting approval? Tap a record in the list first if you want to see it.", count=len(items), name=volunteer.full_name), buttons)]


def approve_all(ctx: EventContext, person: Person, volunteer_id: int) -> list[Reply]:
    """Approve every awaiting record of a volunteer in the supervisor's area."""
    volunteer = ctx.session.get(Person, volunteer_id)
    if volunteer is None or policy.manage_person(person, volunteer) is not None:
        return refusal(policy.Denied.NOT_YOURS, person.role)
    approved = 0
    for item in approval.awaiting(ctx.session, person.municipality_id, _community(person), volunteer_id):
        household = _locked(ctx, item.household_id)
        if household is not None and policy.household_access(person, household) is None and approval.approve(household, person.id, ctx.now):
            audit.record(ctx.session, "household.approve", ctx.now, actor_id=person.id, subject_id=volunteer_id, household_id=household.id)
            approved += 1
    return [Text(_("{count} records of {name} are approved.", count=approved, name=volunteer.full_name), (_list_button(), *menu_buttons(person.role)[:3]))]


def ask_note(ctx: EventContext, person: Person, household_id: int) -> list[Reply]:
    """Sending back needs a note: what should the volunteer correct?"""
    household = _awaiting(ctx, person, household_id)
    if isinstance(household, list):
        return household
    conversations.enter(ctx.session, ctx.user.id, DIALOG_NAME, ctx.now, step=NOTE_STEP, draft_id=household.id)
    return [Text(_("What should the volunteer correct in record {house}? Type your note; it is sent to the volunteer with the record.", house=house_of(household)), (_cancel_button(),))]


def on_answer(ctx: EventContext, conversation: Conversation, text: str) -> list[Reply] | None:
    """The typed note: send the record back with it and tell the volunteer."""
    person = ctx.person()
    if conversation.step != NOTE_STEP or conversation.draft_id is None or person is None or policy.may_supervise(person) is not None:
        return None
    if fold(text) in {fold(_(item.command)) for item in menu_for(person.role)} or _is_command(text):
        conversations.leave(ctx.session, ctx.user.id, ctx.now, DIALOG_NAME)  # a command is not a note: nothing is sent back
        return None
    note = " ".join(text.split())[:MAX_NOTE]
    household = _awaiting(ctx, person, conversation.draft_id)
    conversations.leave(ctx.session, ctx.user.id, ctx.now, DIALOG_NAME)
    if isinstance(household, list):
        return household
    approval.send_back(household, person.id, note, ctx.now)
    if approval.is_rexray(household):
        household.rexray_status = RexrayStatus.STARTED  # back on the volunteer's list of households to revisit
    audit.record(ctx.session, "household.send_back", ctx.now, actor_id=person.id, subject_id=household.volunteer_id, household_id=household.id)
    notice = notify(ctx, [household.volunteer_id], [_notice(household, note)]) if household.volunteer_id else None
    if notice is None:
        told = _("The volunteer cannot be told in LINE (no longer active, or has blocked this account); please tell them yourself.")
    elif notice.held:
        told = _("It is quiet hours now: the volunteer is told at {time}.", time=local_clock(notice.when, ctx.config.zone))
    else:
        told = _("The volunteer has been told.")
    return [Text(_("Record {house} was sent back with your note.", house=house_of(household)) + "\n" + told, (_list_button(), *menu_buttons(person.role)[:3]))]


def _is_command(text: str) -> bool:
    """True when the text is one of the bot's typed commands ("progress North community" too)."""
    from bot.handlers.conversation import DIALOGS  # the registry imports this module

    command = fold(text)
    return any(entry.match(command) is not None for dialog in DIALOGS for entry in dialog.entries)


def _leaving_note(handler):  # type: ignore[no-untyped-def]
    """Any other approval button ends a note step left open, so later words are never taken for its note."""

    def route(ctx: EventContext, person: Person, params: dict[str, str]) -> list[Reply]:
        conversations.leave(ctx.session, ctx.user.id, ctx.now, DIALOG_NAME)
        return handler(ctx, person, params)

    return route


def _notice(household: Household, note: str) -> Text:
    """What the volunteer reads: which record, the note, and the button to correct it."""
    if approval.is_rexray(household):
        button = Button(short(_("Revisit to correct")), kind="postback", data=postback.encode("rx", a="visit", h=household.id), text=_("Revisit to correct"))
        return Text(_("The supervisor sent back your Re-X-ray of house {house} ({head}) for correction:\n“{note}”\nTap “Revisit to correct” to correct it.", house=house_of(household), head=household.head_name or "-", note=note), (button,))
    button = Button(short(_("Correct this record")), kind="postback", data=survey_view.data(household.id, "reopen"), text=_("Correct this record"))
    return Text(_("The supervisor sent back the survey with receipt {receipt} (house {house}) for correction:\n“{note}”\nTap “Correct this record”, correct it and submit it again.", receipt=household.receipt_no or "-", house=house_of(household), note=note), (button,))


def on_cancel(ctx: EventContext, conversation: Conversation) -> list[Reply] | None:
    """"cancel" while writing a note: nothing is sent back."""
    if conversation.step != NOTE_STEP:
        return None
    conversations.leave(ctx.session, ctx.user.id, ctx.now, DIALOG_NAME)
    person = ctx.person()
    return [Text(_("Nothing was sent back; the record is still awaiting approval."), (_list_button(), *menu_buttons(person.role if person else None)[:3]))]


def on_help(ctx: EventContext, conversation: Conversation) -> list[Reply] | None:
    """"help" while writing a note: what to type."""
    if conversation.step != NOTE_STEP:
        return None
    return [Text(_("Type what the volunteer should correct, or tap \"Cancel\"."), (_cancel_button(),))]


def _cancel_button() -> Button:
    """Stop sending back."""
    return Button(_("Cancel"), text=_("cancel"))


def _community(person: Person) -> int | None:
    """The supervisor's community (None: the whole municipality, or an admin)."""
    return None if person.role == "admin" else person.community_id


def _locked(ctx: EventContext, household_id: int) -> Household | None:
    """The household, its row locked until the event commits: two supervisors (or "approve all" and a
    send-back) deciding at once are taken one after the other, and the second sees the first's decision."""
    return ctx.session.get(Household, household_id, with_for_update=True, populate_existing=True)


def _awaiting(ctx: EventContext, person: Person, household_id: int) -> Household | list[Reply]:
    """The household if it is the supervisor's and awaiting approval; else the answer to give."""
    household = _locked(ctx, household_id)
    if household is None or policy.household_access(person, household) is not None:
        return refusal(policy.Denied.NOT_YOURS, person.role)
    if household.approval != ApprovalStatus.AWAITING:
        done = _("Record {house} is no longer awaiting approval (approved or sent back already).", house=house_of(household))
        return [Text(done, (_list_button(),))]
    return household




DIALOG = Dialog(
    name=DIALOG_NAME,
    entries=(Entry(("approve",), supervisors_command(show_list), argument=True),),
    answer=on_answer,
    fallbacks={"cancel": on_cancel, "help": on_help, "back": on_cancel},
    routes={
        "apr.view": supervisors_route(_leaving_note(lambda ctx, person, p: view(ctx, person, int(p["h"])))),
        "apr.ok": supervisors_route(_leaving_note(lambda ctx, person, p: approve_one(ctx, person, int(p["h"])))),
        "apr.back": supervisors_route(lambda ctx, person, p: ask_note(ctx, person, int(p["h"]))),
        "apr.all": supervisors_route(_leaving_note(lambda ctx, person, p: confirm_all(ctx, person, int(p["p"])))),
        "apr.all.ok": supervisors_route(_leaving_note(lambda ctx, person, p: approve_all(ctx, person, int(p["p"])))),
    },
)

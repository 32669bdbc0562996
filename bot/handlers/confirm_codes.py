"""The volunteer's side of household confirmation: codes for the household's LINE, and witnessed answers.

    "request confirmation code 12/3" ─► one of my households ─► code, link and QR picture
    "awaiting confirmation" ─► my households with claimed-resolved problems ─► [code] [witnessed]
    witnessed: name ─► relation ─► day ─► each problem: confirmed / not solved

A code is 6 digits, once, 14 days, for one household, stored as a keyed hash. The link opens
the chat with the bot with "confirmation code 123456" ready to send; its QR picture is served
by the app under a sealed token. A household without LINE answers in person: the volunteer
records who answered, their relation to the household and when.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from bot.chat.replies import Button, Card, CardRow, Cards, Reply, Text
from bot.chat.text_input import fold, person_name
from bot.dialogs.answers import normalize_digits
from bot.handlers.access import refusal
from bot.delivery.notify import notify
from bot.handlers.confirm_common import CODE_WORD, data, house_label, problem_name, status_word
from bot.handlers.context import EventContext
from bot.handlers.dialog import Dialog, Entry
from bot.quiet_hours import local_clock
from bot.i18n import N_, _
from bot.line.images import qr_image
from bot.people import policy
from storage import audit, confirmations, conversations
from storage.confirmation_models import ConfirmationWitness
from storage.models import Conversation, Household, HouseholdProblem
from storage.statuses import ConfirmationAnswer

WITNESS = "witness"  # the dialog's name in the conversation
RELATIONS = (N_("Head of household"), N_("Spouse"), N_("Son or daughter"), N_("Father or mother"), N_("Relative"), N_("Other member"))
MAX_RELATION = 100
AWAITING_CARDS = 10  # one carousel


def code_button(household_id: int) -> Button:
    """The button that asks for a household's confirmation code (for any view of a household)."""
    return Button(_("Confirmation code"), kind="postback", data=data("code", h=household_id), text=_("Confirmation code"))


def witness_button(household_id: int) -> Button:
    """The button that records a household's answers given in person."""
    return Button(_("Confirm without LINE"), kind="postback", data=data("witness", h=household_id), text=_("Confirm without LINE"))


def confirmation_link(basic_id: str, code: str) -> str:
    """The LINE link that opens the chat with the bot with the code ready to send."""
    return f"https://line.me/R/oaMessage/{quote(basic_id, safe='@')}/?{quote(_(CODE_WORD) + ' ' + code)}"


def request_code(ctx: EventContext, household_id: int) -> list[Reply]:
    """A new code for a household the person may see: the code, the link and its QR picture."""
    person, household = ctx.person(), ctx.session.get(Household, household_id)
    if household is None or household.forgotten_at is not None:
        return refusal(policy.Denied.NOT_YOURS, person.role if person else None)
    if (refused := policy.household_access(person, household)) is not None:
        return refusal(refused, person.role if person else None)
    assert person is not None
    code = confirmations.issue_code(ctx.session, household.id, person.id, ctx.now)
    audit.record(ctx.session, "household.code", ctx.now, actor_id=person.id, household_id=household.id)
    waiting = len(confirmations.claimed_problems(ctx.session, household.id))
    lines = [
        _("Confirmation code for {household}: {code}", household=house_label(household), code=code),
        _("It works once, for 14 days. Ask someone of the household to add this LINE account as a friend and send the code."),
    ]
    if waiting:
        lines.append(_("They will then see the {count} problem(s) recorded as solved and confirm each.", count=waiting))
    else:
        lines.append(_("No problem of this household awaits confirmation now; with the code they can follow their problems and contact you."))
    replies: list[Reply] = []
    if ctx.config.line_basic_id:
        link = confirmation_link(ctx.config.line_basic_id, code)
        lines.append(_("Or send them this link, which opens the chat with the code ready to send:\n{link}", link=link))
        if (image := qr_image(ctx.config.public_base_url, link, ctx.now)) is not None:
            lines.append(_("Or let them scan the QR code below with their phone's LINE."))
            replies.append(image)
    return [Text("\n\n".join(lines)), *replies]


def on_typed_request(ctx: EventContext, argument: str) -> list[Reply]:
    """"request confirmation code 12/3": the code of one of my households; without a house number, my list."""
    person = ctx.person()
    if (refused := policy.may_survey(person)) is not None or person is None:
        return refusal(refused or policy.Denied.NOT_ALLOWED, person.role if person else None)
    house_no = " ".join(normalize_digits(argument).split())
    if not house_no:
        return awaiting(ctx)
    found = confirmations.own_households(ctx.session, person.id, house_no)
    if not found:
        return [Text(_("None of your households has house number “{house}”. Type “request confirmation code” and the house number, e.g. “request confirmation code 12/3”.", house=house_no))]
    if len(found) == 1:
        return request_code(ctx, found[0].id)
    cards = tuple(Card(house_label(h), (CardRow(_("Round"), h.round_name),), (code_button(h.id),)) for h in found)
    return [Cards(_("Which household?"), cards)]


def awaiting(ctx: EventContext) -> list[Reply]:
    """The person's households whose problems wait for the household's confirmation."""
    person = ctx.person()
    if (refused := policy.may_survey(person)) is not None or person is None:
        return refusal(refused or policy.Denied.NOT_ALLOWED, person.role if person else None)
    rows = confirmations.households_awaiting(ctx.session, person.id, limit=None)
    if not rows:
        return [Text(_("None of your households has problems awaiting its confirmation."))]
    cards = tuple(
        Card(house_label(h), (CardRow(_("Problems recorded as solved"), str(count)),), (code_button(h.id), witness_button(h.id)))
        for h, count in rows[:AWAITING_CARDS]
    )
    heading = _("Households to confirm that their problems were solved: {count}", count=len(rows))
    hint = _("Give the household a code for its own LINE, or record its answers given in person.")
    if len(rows) > AWAITING_CARDS:
        hint += "\n" + _("The first {shown} are shown; for another, type “request confirmation code” and its house number.", shown=AWAITING_CARDS)
    return [Text(heading + "\n" + hint), Cards(heading, cards)]


# -- witnessed confirmation -------------------------------------------------------------


def start_witness(ctx: EventContext, household_id: int) -> list[Reply]:
    """Begin recording a household's answers given in person: who answers first."""
    person, household = ctx.person(), ctx.session.get(Household, household_id)
    if household is None or household.forgotten_at is not None or policy.household_access(person, household) is not None:
        return refusal(policy.Denied.NOT_YOURS, person.role if person else None)
    if not confirmations.claimed_problems(ctx.session, household.id):
        return [Text(_("No problem of this household awaits confirmation now."))]
    conversations.enter(ctx.session, ctx.user.id, WITNESS, ctx.now, step="name", draft_id=household.id)
    return [Text(_("Confirmation in person for {household}. Who answers for the household? Type their first name and surname.", household=house_label(household)), (_cancel(),))]


def on_answer(ctx: EventContext, conversation: Conversation, text: str) -> list[Reply] | None:
    """The name, the relation or the day of a witnessed confirmation."""
    if conversation.step == "rename":  # "back" from the relation: the name again, on the same record
        witness = _witness(ctx, conversation.draft_id)
        if witness is not None and (name := person_name(text)) is not None:
            witness.name, conversation.step = name, "relation"
            return [_ask_relation()]
    if conversation.step in ("name", "rename"):
        name = person_name(text)
        if name is None:
            return [_ask_name()]
        if conversation.step == "rename":
            return [_ask_name()]
        household = ctx.session.get(Household, conversation.draft_id or 0)
        if household is None or policy.household_access(ctx.person(), household) is not None:
            conversations.leave(ctx.session, ctx.user.id, ctx.now, WITNESS)
            return refusal(policy.Denied.NOT_YOURS)
        witness = confirmations.start_witness(ctx.session, household.id, ctx.person().id, name, ctx.now)  # type: ignore[union-attr]
        conversation.step, conversation.draft_id = "relation", witness.id
        return [_ask_relation()]
    witness = _witness(ctx, conversation.draft_id)
    if witness is None:
        conversations.leave(ctx.session, ctx.user.id, ctx.now, WITNESS)
        return None
    if conversation.step == "relation":
        relation = " ".join(text.split())[:MAX_RELATION]
        if not relation:
            return [_ask_relation()]
        confirmations.witness_on(witness, relation=relation)
        conversation.step = "day"
        return [_ask_day(ctx, witness)]
    if fold(text) == fold(_("Today")):
        return witness_day(ctx, witness.id, ctx.now.astimezone(ctx.config.zone).date().isoformat())
    return [Text(_("Please tap “Today” or choose the day with “Another day”.")), _ask_day(ctx, witness)]


def witness_day(ctx: EventContext, witness_id: int, day: str) -> list[Reply]:
    """The day the household answered (not in the future): then its problems, one by one."""
    witness = _witness(ctx, witness_id)
    if witness is None:
        return refusal(policy.Denied.NOT_YOURS)
    try:
        picked = date.fromisoformat(day)
    except ValueError:
        return [_ask_day(ctx, witness)]
    if picked > ctx.now.astimezone(ctx.config.zone).date():
        return [Text(_("That day is in the future. Please choose the day the household answered.")), _ask_day(ctx, witness)]
    confirmations.witness_on(witness, day=picked)
    conversations.leave(ctx.session, ctx.user.id, ctx.now, WITNESS)
    return _witness_problems(ctx, witness, _("Recorded: {name} ({relation}), {day}.", name=witness.name, relation=witness.relation, day=picked.strftime("%d/%m/") + str(picked.year + 543)))


def witness_answer(ctx: EventContext, witness_id: int, problem_id: int, answer: ConfirmationAnswer) -> list[Reply]:
    """One problem answered in person; not solved reopens it and tells the supervisors."""
    witness = _witness(ctx, witness_id)
    problem = ctx.session.get(HouseholdProblem, problem_id)
    if witness is None or witness.witnessed_on is None or problem is None or problem.household_id != witness.household_id:
        return refusal(policy.Denied.NOT_YOURS)
    household = ctx.session.get(Household, witness.household_id)
    assert household is not None
    if not confirmations.is_claimed(ctx.session, problem.id):
        return _witness_problems(ctx, witness, _("This problem was already answered."))
    confirmations.record_answer(ctx.session, problem, answer, ctx.now, witness=witness)
    if answer is ConfirmationAnswer.CONFIRMED:
        said = _("Recorded: “{problem}” confirmed as solved.", problem=problem_name(household, problem))
    else:
        said = _("Recorded: “{problem}” is not solved; it is reopened.", problem=problem_name(household, problem))
        notice = notify(ctx, confirmations.supervisors_of(ctx.session, household), [Text(_(
            "{household} said in person that “{problem}” is not solved yet (recorded by {volunteer}). It is reopened as not solved.",
            household=house_label(household), problem=problem_name(household, problem), volunteer=ctx.person().full_name,  # type: ignore[union-attr]
        ))])
        if notice is not None and notice.held:
            said += "\n" + _("It is quiet hours now: the supervisors are told at {time}.", time=local_clock(notice.when, ctx.config.zone))
    return _witness_problems(ctx, witness, said)


def _witness_problems(ctx: EventContext, witness: ConfirmationWitness, said: str) -> list[Reply]:
    """What was recorded, and the problems still to answer with their two buttons."""
    household = ctx.session.get(Household, witness.household_id)
    assert household is not None
    left = confirmations.claimed_problems(ctx.session, household.id)
    if not left:
        return [Text(said + "\n" + _("Every problem of this household is answered. Thank you."))]
    cards = tuple(
        Card(problem_name(household, p), (CardRow(_("Recorded status"), status_word(p.status)),), (
            Button(_("Confirmed as solved"), kind="postback", data=data("wy", w=witness.id, p=p.id), text=_("Confirmed as solved")),
            Button(_("Not solved yet"), kind="postback", data=data("wn", w=witness.id, p=p.id), text=_("Not solved yet")),
        ))
        for p in left
    )
    return [Text(said + "\n" + _("Please ask about each problem below and tap the household's answer.")), Cards(_("Problems to confirm"), cards)]


def _witness(ctx: EventContext, witness_id: int | None) -> ConfirmationWitness | None:
    """A witness record this person is making (another volunteer's is nobody's business here)."""
    person = ctx.person()
    witness = ctx.session.get(ConfirmationWitness, witness_id or 0)
    if witness is None or person is None or policy.standing(person) is not None or witness.volunteer_id != person.id:
        return None
    return witness


def _ask_name() -> Text:
    """Who answers for the household."""
    return Text(_("Please type the first name and surname of who answers, separated by a space."), (_cancel(),))


def _question(ctx: EventContext, conversation: Conversation) -> Text:
    """The question of the step the volunteer is at."""
    witness = _witness(ctx, conversation.draft_id) if conversation.step in ("relation", "day") else None
    if witness is None:
        return _ask_name()
    return _ask_relation() if conversation.step == "relation" else _ask_day(ctx, witness)


def on_help(ctx: EventContext, conversation: Conversation) -> list[Reply] | None:
    """"help": what this is, and the same question again."""
    return [Text(_("You are recording a household's answers given in person. Answer the question below, or type “cancel” to stop.")), _question(ctx, conversation)]


def on_back(ctx: EventContext, conversation: Conversation) -> list[Reply] | None:
    """"back": the question before (the name is asked again for the same record)."""
    if conversation.step == "day":
        conversation.step = "relation"
    elif conversation.step == "relation":
        conversation.step = "rename"
    conversation.updated_at = ctx.now
    return [_question(ctx, conversation)]


def _ask_relation() -> Text:
    """The witness's relation to the household: buttons for the usual ones, or typed."""
    buttons = tuple(Button(_(relation), text=_(relation)) for relation in RELATIONS)
    return Text(_("What is their relation to the household? Tap one or type it."), buttons + (_cancel(),))


def _ask_day(ctx: EventContext, witness: ConfirmationWitness) -> Text:
    """When the household answered: today, or a day picked."""
    today = ctx.now.astimezone(ctx.config.zone).date().isoformat()
    return Text(_("When did the household answer?"), (
        Button(_("Today"), kind="postback", data=data("wday", w=witness.id, d=today), text=_("Today")),
        Button(_("Another day"), kind="date", data=data("wday", w=witness.id), max=today),
        _cancel(),
    ))


def _cancel() -> Button:
    """Stop recording."""
    return Button(_("Cancel"), text=_("cancel"))


def on_cancel(ctx: EventContext, conversation: Conversation) -> list[Reply] | None:
    """"cancel": stop recording; answers already recorded stay."""
    conversations.leave(ctx.session, ctx.user.id, ctx.now, WITNESS)
    return [Text(_("Stopped recording the confirmation in person."))]


DIALOG = Dialog(
    name=WITNESS,
    entries=(
        Entry((N_("request confirmation code"),), on_typed_request, argument=True),
        Entry((N_("awaiting confirmation"),), lambda ctx, _argument: awaiting(ctx)),
    ),
    answer=on_answer,
    fallbacks={"cancel": on_cancel, "help": on_help, "back": on_back},
)

"""The Re-X-ray visit in the chat: a household of the earlier round revisited on the Re-X-ray form.

    worklist card "Start the visit" (rx a=visit h=<household>) ──► a visit record (a draft on the
    form, revisit_of the household) ──► the engine, one answer at a time, saved as given
    ──► still there? ──► each recorded problem: status, networks, help, agency, date, note
    ──► new problems ──► review ──► Submit: statuses (with history), new problems, the household
    verified (or gone) and the receipt number

The questions, their order and conditions are the form's (bot/forms/rexray-2566.yaml); where
an answer is recorded is the form's `record:`. This module gives the engine the household's
problems as a list, stores what it returns and renders it, as the survey does for a household.
A paused visit resumes from its card or "continue" (the survey's drafts list it).
"""

from __future__ import annotations

from dataclasses import replace

from bot.chat.replies import Button, Reply, Text
from bot.dialogs.engine import Cursor, Engine, Outcome
from bot.dialogs.form import Form, forms
from bot.dialogs.inputs import Env, Input, button_input
from bot.dialogs.prompts import Msg
from bot.handlers import rexray_results, survey
from bot.handlers.confirm_codes import code_button, witness_button
from bot.handlers.context import EventContext
from bot.handlers.dialog import Dialog, argument_of
from bot.handlers.survey_drafts import draft_name
from bot.handlers.survey_state import load_draft, save_cursor
from bot.handlers.survey_view import render, short
from bot.i18n import N_, _
from bot.people.menus import CONTINUE, HELP, MENU, REXRAY, REXRAY_VOLUNTEER, menu_for, person_menu
from storage import confirmations, conversations, rexray, surveys
from storage.conversations import conversation_of
from storage.models import Conversation, Household, Person
from storage.rounds import current_round
from storage.statuses import HouseholdStatus, RexrayStatus

ROUTE = "rv"
NAME = "rexray_visit"
# A form's purpose that makes it the Re-X-ray visit (bot/dialogs/form.py PURPOSES).
PURPOSE = "rexray"
NO_LONGER = N_("That button is no longer in use. Please choose again below.")
# The visit's review is no survey's: it says so where the chat list and notifications show it.
REVIEW_HEADING = N_("Review of the Re-X-ray visit")


# -- starting and resuming ------------------------------------------------------------------


def begin(ctx: EventContext, person: Person, household_id: str) -> list[Reply]:
    """The worklist card's button: start the visit of one of the volunteer's households, or resume it."""
    earlier = _record(ctx, household_id)
    if earlier is None or earlier.volunteer_id != person.id or earlier.rexray_status is None or earlier.forgotten_at is not None or earlier.revisit_of is not None:
        return [Text(_(NO_LONGER), _worklist_button())]  # another's household, or forged data: nothing of it is shown
    if earlier.rexray_status == RexrayStatus.DONE:
        return [Text(_("The Re-X-ray of house {house} was verified already.", house=earlier.house_no or "-"), _worklist_button())]
    revisit = rexray.open_revisit(ctx.session, earlier.id)
    if revisit is not None and revisit.volunteer_id == person.id:
        return open_visit(ctx, person, revisit)
    if revisit is not None:  # begun by the volunteer it was assigned to before: theirs no more
        revisit.status, revisit.updated_at = HouseholdStatus.CANCELLED, ctx.now
    form, round_name = rexray_form(ctx, person)
    revisit = rexray.begin_revisit(ctx.session, earlier, person, form.id, form.version, round_name, ctx.now)
    kept = _kept_survey(ctx, person)
    _hold(ctx, person, revisit)
    problems = rexray_results.earlier_problems(ctx.session, earlier, round_name)
    # What an earlier check recorded, and the new problems a visit of this round (sent back since) added.
    offered = rexray_results.earlier_answers(form, problems) + rexray_results.new_problem_answers(form, rexray_results.found_this_round(ctx.session, earlier, round_name))
    rows: dict = {}
    for key, value in offered:  # what an earlier check recorded: the volunteer keeps it with one tap where unchanged
        surveys.write_answer(ctx.session, revisit, rows, key, value, person_id=None, now=ctx.now)
    engine, _cursor, answers, env = load_visit(ctx, revisit, rows)
    outcome = engine.start(answers, env)
    save_cursor(revisit, outcome.cursor)
    intro = [_(
        "Re-X-ray visit of house {house} (head of household {head}): {count} problems were recorded in {round}. Answers are saved as you go: type \"pause\" to stop and \"continue\" to carry on later.",
        house=earlier.house_no or "-", head=earlier.head_name or "-", count=len(problems), round=earlier.round_name,
    )]
    if offered:
        intro.append(_("What an earlier check recorded is shown as the current answer: where it is unchanged, tap \"Keep answer\"."))
    return render(outcome, revisit.id, kept + intro, route=ROUTE, heading=REVIEW_HEADING)


def open_visit(ctx: EventContext, person: Person, revisit: Household) -> list[Reply]:
    """Put a visit in hand and show where it stands (from its card, "continue" or the drafts list)."""
    if revisit.status != HouseholdStatus.DRAFT or not _theirs(ctx, person, revisit) or revisitor(ctx) is None:
        return _closed(revisit)
    kept = _kept_survey(ctx, person)
    _hold(ctx, person, revisit)
    engine, cursor, answers, env = load_visit(ctx, revisit)
    return render(engine.show(cursor, answers, env), revisit.id, kept + [_("Continuing the Re-X-ray visit of {name}.", name=draft_name(revisit))], route=ROUTE, heading=REVIEW_HEADING)


def rexray_form(ctx: EventContext, person: Person) -> tuple[Form, str]:
    """The Re-X-ray form of the person's current round (the newest Re-X-ray form when the round has none), and the round."""
    round_name = current_round(ctx.session, person.municipality_id).name
    candidates = [form for form in forms().values() if form.purpose == PURPOSE]
    of_round = [form for form in candidates if form.round == round_name] or candidates
    return max(of_round, key=lambda form: tuple(int(p) if p.isdigit() else 0 for p in form.version.split("."))), round_name


def load_visit(ctx: EventContext, revisit: Household, rows: dict | None = None) -> tuple[Engine, Cursor, dict, Env]:
    """The visit's engine, pointer and answers, and the household's earlier problems as the form's list."""
    engine, cursor, answers, env = load_draft(ctx, revisit, rows)
    earlier = ctx.session.get(Household, revisit.revisit_of) if revisit.revisit_of else None
    items = rexray_results.earlier_items(ctx.session, engine.form, earlier, revisit.round_name) if earlier is not None else ()
    return engine, cursor, answers, replace(env, lists={rexray_results.EARLIER: items})


# -- answering ------------------------------------------------------------------------------


def on_answer(ctx: EventContext, conversation: Conversation, text: str) -> list[Reply] | None:
    """A typed answer or control word for the visit in hand; None when no visit is in hand."""
    held = _held(ctx, conversation)
    if held is None or isinstance(held, list):
        return held
    person, revisit = held
    word = survey.fold(text)
    if argument_of(word, ("resume", "continue"), False) is not None:
        return open_visit(ctx, person, revisit)
    if _menu_command(word):
        return None  # a tile of the menu (Re-X-ray, survey, my surveys): its dialog answers; the visit stays as it is
    command = survey._commands().get(word)
    return _run(ctx, person, revisit, Input("command", value=command) if command else Input("text", text=text))


def on_postback(ctx: EventContext, params: dict[str, str], line_params: dict[str, str]) -> list[Reply]:
    """A tapped button of a visit: answer, toggle, date, control, edit, open."""
    person = revisitor(ctx)
    if person is None:
        return [Text(_("Re-X-ray is done by the volunteers of sub-district municipalities, which revisit the households of the earlier round."))]
    revisit = _record(ctx, params.get("h", ""))
    if revisit is None or revisit.revisit_of is None or revisit.volunteer_id != person.id:
        return [Text(_(NO_LONGER), _worklist_button())]
    action, value, slot = params.get("a", ""), params.get("v", ""), params.get("s")
    if action == "open":
        return open_visit(ctx, person, revisit)
    if revisit.status != HouseholdStatus.DRAFT:
        return _closed(revisit)
    if not _theirs(ctx, person, revisit):
        return _taken_away(ctx)
    conversation = conversation_of(ctx.session, ctx.user.id)
    if conversation is None or conversation.dialog != NAME or conversation.draft_id != revisit.id:
        return [Text(
            _("That button belongs to the Re-X-ray visit of {name}, which is not the one open now, so nothing was changed. Open that visit?", name=draft_name(revisit)),
            (Button(short(_("Open that visit")), kind="postback", data=_data(revisit.id, "open"), text=_("Open that visit")),),
        )]
    given = button_input(action, value, slot, line_params.get("date", ""))
    return _run(ctx, person, revisit, given)


def on_message(ctx: EventContext, kind: str, location: tuple[float, float] | None = None) -> list[Reply] | None:
    """A sticker, picture or location mid-visit: the current question again."""
    conversation = conversation_of(ctx.session, ctx.user.id)
    held = _held(ctx, conversation) if conversation is not None else None
    if held is None or isinstance(held, list):
        return held
    _person, revisit = held
    engine, cursor, answers, env = load_visit(ctx, revisit)
    reminder = _("Thank you for the {kind}. The Re-X-ray visit of this household is in progress; here is the current question again.", kind=kind)
    return render(engine.show(cursor, answers, env), revisit.id, [reminder], route=ROUTE, heading=REVIEW_HEADING)


def _run(ctx: EventContext, person: Person, revisit: Household, given: Input) -> list[Reply]:
    """Apply one input to the visit: store the answers and the pointer, say what comes next."""
    rows = surveys.answer_rows(ctx.session, revisit.id)
    engine, cursor, answers, env = load_visit(ctx, revisit, rows)
    outcome = engine.step(cursor, answers, given, env)
    for key, value in outcome.writes:
        surveys.write_answer(ctx.session, revisit, rows, key, value, person_id=person.id, now=ctx.now)
    save_cursor(revisit, outcome.cursor)
    closing = _close(ctx, person, revisit, engine, outcome, env)
    if closing is not None:
        return closing
    if outcome.cursor.confirm_cancel and outcome.notes:
        outcome.notes[-1] = Msg(N_("Cancel this Re-X-ray visit? Its answers are kept as a cancelled draft and the household goes back on your list to visit again."))
    return render(outcome, revisit.id, route=ROUTE, heading=REVIEW_HEADING)


def _close(ctx: EventContext, person: Person, revisit: Household, engine: Engine, outcome: Outcome, env: Env) -> list[Reply] | None:
    """The end of a visit (verified, cancelled) or a pause."""
    event = outcome.event
    if event not in ("paused", "cancelled", "submitted"):
        return None
    conversations.leave(ctx.session, ctx.user.id, ctx.now, NAME)
    if event == "paused":
        return [Text(
            _("The Re-X-ray visit is paused and every answer is saved. Type \"continue\", or tap the household's card in \"Re-X-ray\", to carry on where you stopped."),
            (Button(_("Resume"), text=_("continue")), *_worklist_button()),
        )]
    if event == "cancelled":
        rexray.cancel_revisit(ctx.session, revisit, ctx.now)
        return [Text(_("The Re-X-ray visit was cancelled. Its answers are kept as a cancelled draft; the household is back on your list."), _worklist_button())]
    earlier = ctx.session.get(Household, revisit.revisit_of)
    answers = surveys.answers_of(surveys.answer_rows(ctx.session, revisit.id))
    presence = rexray_results.record(ctx.session, engine, answers, env, earlier, revisit, person.id, ctx.now)
    receipt = revisit.receipt_no or ""
    if presence is not None:
        text = _("Thank you. The household of {name} is recorded as \"{presence}\"; its Re-X-ray is verified.\nReceipt number: {receipt}", name=draft_name(revisit), presence=presence, receipt=receipt)
    else:
        text = _("Thank you. The Re-X-ray of {name} is verified: the status of every recorded problem is saved.\nReceipt number: {receipt}", name=draft_name(revisit), receipt=receipt)
    claimed = len(confirmations.claimed_problems(ctx.session, earlier.id)) if earlier is not None and presence is None else 0
    if not claimed:
        return [Text(text, _worklist_button())]
    # Solved problems count once the household says so: the code (or an in-person answer) is the next step.
    ask = _("{count} problems are marked solved and wait for the household to confirm. Ask for a confirmation code for the household to send from its own LINE, or record its answer in person.", count=claimed)
    return [Text(f"{text}\n\n{ask}", (code_button(earlier.id), witness_button(earlier.id), *_worklist_button()))]


# -- whose visit ------------------------------------------------------------------------------


def _held(ctx: EventContext, conversation: Conversation) -> tuple[Person, Household] | list[Reply] | None:
    """The volunteer and the visit in their hand, asked again at every step (None: none in hand)."""
    if conversation.dialog != NAME or conversation.draft_id is None:
        return None
    revisit = ctx.session.get(Household, conversation.draft_id)
    person = revisitor(ctx)
    if revisit is None or revisit.status != HouseholdStatus.DRAFT or revisit.forgotten_at is not None:
        conversations.leave(ctx.session, ctx.user.id, ctx.now, NAME)
        return None
    if person is None or not _theirs(ctx, person, revisit):
        return _taken_away(ctx)
    return person, revisit


def _taken_away(ctx: EventContext) -> list[Reply]:
    """The visit in hand is no longer the person's: out of their hand, nothing of it shown."""
    conversations.leave(ctx.session, ctx.user.id, ctx.now, NAME)
    return [Text(_("The Re-X-ray visit you were working on is no longer assigned to you, so nothing was recorded."), _worklist_button())]


def _kept_survey(ctx: EventContext, person: Person) -> list[str]:
    """A household survey in hand stays a draft while the visit is open: say so."""
    held = surveys.active_household(ctx.session, person.id)
    if held is None or held.status != HouseholdStatus.DRAFT:
        return []
    return [_("Your survey of {name} is kept as a draft; type \"resume\" to go back to it.", name=draft_name(held))]


def _menu_command(word: str) -> bool:
    """Is a typed text one of the volunteer's menu commands (what a rich-menu tile sends)?"""
    own = (MENU.command, HELP.command, CONTINUE.command)  # answered by the fallbacks, or resuming the visit itself
    # "รีเอกซเรย์ 12/3" searches the worklist; the other tiles are a word alone.
    return any(argument_of(word, (item.command,), item is REXRAY) is not None for item in menu_for(REXRAY_VOLUNTEER) if item.command not in own)


def _theirs(ctx: EventContext, person: Person, revisit: Household) -> bool:
    """Is the visit the person's, of a household still assigned to them (a supervisor may have reassigned it)?"""
    earlier = ctx.session.get(Household, revisit.revisit_of) if revisit.revisit_of else None
    return revisit.volunteer_id == person.id and earlier is not None and earlier.volunteer_id == person.id and earlier.forgotten_at is None


def _hold(ctx: EventContext, person: Person, revisit: Household) -> None:
    """Put the visit in the person's hand, taking it out of anyone else's."""
    if person.line_user_id is None:
        return
    conversations.release_draft(ctx.session, NAME, revisit.id, ctx.now, keep=person.line_user_id)
    conversations.enter(ctx.session, person.line_user_id, NAME, ctx.now, draft_id=revisit.id)


def revisitor(ctx: EventContext) -> Person | None:
    """The active volunteer of a sub-district municipality behind this user."""
    person = ctx.person()
    return person if person is not None and person.active and person_menu(person) == REXRAY_VOLUNTEER else None


def _record(ctx: EventContext, given: str) -> Household | None:
    """The household record a button names (None for data no button of ours carries: a huge or odd number)."""
    return ctx.session.get(Household, int(given)) if given.isdecimal() and given.isascii() and len(given) <= 9 else None


def _closed(revisit: Household) -> list[Reply]:
    """A visit no longer answered: verified (with its receipt), or cancelled."""
    if revisit.status == HouseholdStatus.VERIFIED:
        return [Text(_("This Re-X-ray visit was verified with receipt {receipt}.", receipt=revisit.receipt_no), _worklist_button())]
    return [Text(_("This Re-X-ray visit was closed and cannot be continued."), _worklist_button())]


def _worklist_button() -> tuple[Button, ...]:
    """Back to the worklist."""
    return (Button(_("Re-X-ray"), text=_("re-x-ray")),)


def _data(revisit_id: int, action: str) -> str:
    """Postback data of a visit-level button."""
    from bot.chat import postback

    return postback.encode(ROUTE, h=revisit_id, a=action)


DIALOG = Dialog(
    name=NAME,
    answer=on_answer,
    # The engine's own commands for the visit in hand (a command's English word is its name).
    fallbacks={name: (lambda ctx, conversation, name=name: on_answer(ctx, conversation, name)) for name in ("cancel", "help", "back")},
    on_message=on_message,
    routes={ROUTE: on_postback},
)

"""Moving a household to another volunteer: find it by house number or head's name, pick the volunteer, or cancel.

The search is a step of the supervision dialog (conversations.step = "reassign"): what the supervisor
types next is looked up, until they pick a household, tap a menu entry, or cancel.
"""

from __future__ import annotations

from bot.chat import postback
from bot.chat.replies import Button, Reply, Text
from bot.chat.text_input import fold
from bot.handlers.access import refusal
from bot.handlers.context import EventContext
from bot.i18n import _
from bot.people import policy
from bot.people.menus import menu_buttons, menu_for
from storage import audit, conversations, surveys
from storage.models import Conversation, Household, Person
from storage.people import find_households, volunteers_in_area

DIALOG_NAME = "supervision"
STEP = "reassign"
MAX_PICK_BUTTONS = 12
MAX_LABEL = 20


def cancel_button() -> Button:
    """Stop reassigning."""
    return Button(_("Cancel"), text=_("cancel"))


def ask_reassign(ctx: EventContext, person: Person, argument: str) -> list[Reply]:
    """Start the search, or search at once for what follows the command."""
    conversations.enter(ctx.session, ctx.user.id, DIALOG_NAME, ctx.now, step=STEP)
    if argument.strip():
        return search(ctx, person, argument)
    return [Text(_("Which household do you want to move to another volunteer? Type its house number or part of the head's name."), (cancel_button(),))]


def on_answer(ctx: EventContext, conversation: Conversation, text: str) -> list[Reply] | None:
    """A typed search while in the step; a menu entry leaves the step and is carried out as usual."""
    person = ctx.person()
    if conversation.step != STEP or person is None or policy.may_supervise(person) is not None:
        return None
    if fold(text) in {fold(_(item.command)) for item in menu_for(person.role)}:
        conversations.leave(ctx.session, ctx.user.id, ctx.now, DIALOG_NAME)
        return None
    return search(ctx, person, text)


def search(ctx: EventContext, person: Person, typed: str) -> list[Reply]:
    """The open households of the area matching what was typed, as buttons to pick from."""
    typed = " ".join(typed.split())
    found = find_households(ctx.session, person.municipality_id, person.community_id if person.role != "admin" else None, typed, MAX_PICK_BUTTONS + 1)
    found = [row for row in found if policy.household_access(person, row[0]) is None]
    if not found:
        return [Text(_("No household in your area matches that. Type another house number or name, or tap \"Cancel\"."), (cancel_button(),))]
    if len(found) == 1:
        return pick_new_volunteer(ctx, person, found[0][0].id)
    shown = found[:MAX_PICK_BUTTONS]
    lines = [_("{number}. {house} – {head} ({community}), volunteer: {volunteer}", number=n, house=h.house_no or h.house_code or "-", head=h.head_name or "-", community=community or "-", volunteer=volunteer or "-") for n, (h, community, volunteer) in enumerate(shown, start=1)]
    more = [_("More households match; type more of the number or name to narrow the list.")] if len(found) > MAX_PICK_BUTTONS else []
    buttons = tuple(Button(_label(f"{n}. {h.house_no or h.house_code or '-'}"), kind="postback", data=postback.encode("sup.move", h=h.id), text=f"{n}. {h.house_no or h.house_code or '-'}") for n, (h, _c, _v) in enumerate(shown, start=1))
    return [Text("\n".join([_("Tap the household to move:"), *lines, *more]), buttons + (cancel_button(),))]


def pick_new_volunteer(ctx: EventContext, person: Person, household_id: int) -> list[Reply]:
    """The volunteers of the household's community (or municipality) to choose from."""
    household = ctx.session.get(Household, household_id)
    if household is None or policy.household_access(person, household) is not None:
        return refusal(policy.Denied.NOT_YOURS, person.role)
    candidates = [
        v
        for v in volunteers_in_area(ctx.session, household.municipality_id, household.community_id)
        if v.id != household.volunteer_id and policy.reassign_household(person, household, v) is None
    ]
    if not candidates:
        conversations.leave(ctx.session, ctx.user.id, ctx.now, DIALOG_NAME)
        return [Text(_("There is no other active volunteer in this household's community to move it to."), menu_buttons(person.role))]
    conversations.enter(ctx.session, ctx.user.id, DIALOG_NAME, ctx.now, step=STEP)
    buttons = tuple(
        Button(_label(v.full_name), kind="postback", data=postback.encode("sup.move.to", h=household.id, p=v.id), text=v.full_name)
        for v in candidates[:MAX_PICK_BUTTONS]
    )
    return [Text(_("Move household {house} to which volunteer?", house=house_of(household)), buttons + (cancel_button(),))]


def do_reassign(ctx: EventContext, person: Person, household_id: int, to_id: int) -> list[Reply]:
    """Move a household to another volunteer and record it."""
    household = ctx.session.get(Household, household_id)
    target = ctx.session.get(Person, to_id)
    if household is None or target is None or policy.reassign_household(person, household, target) is not None:
        return refusal(policy.Denied.NOT_YOURS, person.role)
    conversations.leave(ctx.session, ctx.user.id, ctx.now, DIALOG_NAME)
    previous = household.volunteer_id
    if previous != target.id:
        household.volunteer_id = target.id
        household.updated_at = ctx.now
        surveys.release_household(ctx.session, household.id, ctx.now)
        audit.record(
            ctx.session, "household.reassign", ctx.now, actor_id=person.id, subject_id=target.id, household_id=household.id, from_person_id=previous
        )
    return [Text(_("Household {house} is now assigned to {name}.", house=house_of(household), name=target.full_name), menu_buttons(person.role))]


def on_cancel(ctx: EventContext, conversation: Conversation) -> list[Reply] | None:
    """"cancel" while reassigning: nothing is moved."""
    if conversation.step != STEP:
        return None
    conversations.leave(ctx.session, ctx.user.id, ctx.now, DIALOG_NAME)
    person = ctx.person()
    return [Text(_("Reassigning cancelled; nothing was moved."), menu_buttons(person.role if person else None))]


def on_help(ctx: EventContext, conversation: Conversation) -> list[Reply] | None:
    """"help" while reassigning: what to type."""
    if conversation.step != STEP:
        return None
    return [Text(_("You are moving a household to another volunteer. Type its house number or part of the head's name, or tap \"Cancel\"."), (cancel_button(),))]


def house_of(household: Household) -> str:
    """How a supervisor recognises a household: house number, else house code, else its number."""
    return household.house_no or household.house_code or f"#{household.id}"


def _label(name: str) -> str:
    """A text shortened to fit a button."""
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"

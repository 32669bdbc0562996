"""Supervisors in the chat: their volunteers and counts, reassigning a household, deactivating, invites.

Postback routes (data built with bot.chat.postback.encode):
    sup.off     p=<person id>              ask to confirm deactivating a volunteer
    sup.off.ok  p=<person id>              deactivate
    sup.move    h=<household id>           choose the volunteer to move a household to
    sup.move.to h=<household id> p=<id>    move it
Typed commands (entries of the supervision dialog, which keeps no state of its own):
    volunteers, deactivate [number], reassign <house code or receipt>, invite code
Every decision is bot.people.policy's; every change is written to the audit log.
"""

from __future__ import annotations

from datetime import datetime, time, timezone

from sqlalchemy import or_, select

from bot.chat import postback
from bot.people import admin, policy
from bot.handlers import progress
from bot.handlers.access import refusal
from bot.handlers.context import EventContext
from bot.handlers.dialog import Dialog, Entry, EntryHandler, PostbackHandler
from bot.i18n import _
from bot.chat.listing import chunk_lines
from bot.people.menus import menu_buttons
from bot.chat.replies import Button, Reply, Text
from bot.people.rich_menu_links import unlink_rich_menu
from bot.chat.text_input import digits
from storage import audit, surveys
from storage.areas import names_of
from storage.invites import display_code
from storage.models import Household, Person
from storage.people import volunteer_counts, volunteers_in_area

MAX_PICK_BUTTONS = 12
MAX_LABEL = 20
# A code a supervisor makes in the chat: for volunteers of their area.
CHAT_INVITE_DAYS = 7
CHAT_INVITE_USES = 30


def list_volunteers(ctx: EventContext, person: Person) -> list[Reply]:
    """Each volunteer of the area with households submitted today and in total."""
    volunteers = volunteers_in_area(ctx.session, person.municipality_id, person.community_id)
    if not volunteers:
        return [Text(_("There are no active volunteers in your area yet. Type \"invite code\" to invite some."), menu_buttons(person.role))]
    counts = volunteer_counts(ctx.session, volunteers, _start_of_today(ctx))
    communities = names_of(ctx.session, (v.community_id for v in volunteers if v.community_id))
    lines = [
        _(
            "[{id}] {name} ({community}): today {today}, total {total}",
            id=row.person.id,
            name=row.person.full_name,
            community=communities.get(row.person.community_id or 0, "-"),
            today=row.today,
            total=row.total,
        )
        for row in counts
    ]
    texts, left_out = chunk_lines([_("Volunteers of your area and households submitted (today / total):"), *lines])
    replies: list[Reply] = [Text(text) for text in texts]
    if left_out:
        replies.append(Text(_("…and {count} more volunteers not shown.", count=left_out)))
    return replies[:-1] + [Text(replies[-1].text, menu_buttons(person.role))]


def ask_deactivate(ctx: EventContext, person: Person, argument: str) -> list[Reply]:
    """Choose a volunteer to deactivate (buttons, or the number in square brackets)."""
    number = digits(argument) if argument else None
    if number:
        return confirm_deactivate(ctx, person, int(number))
    volunteers = volunteers_in_area(ctx.session, person.municipality_id, person.community_id)
    if not volunteers:
        return [Text(_("There are no active volunteers in your area."), menu_buttons(person.role))]
    buttons = tuple(
        Button(_label(v.full_name), kind="postback", data=postback.encode("sup.off", p=v.id), text=v.full_name)
        for v in volunteers[:MAX_PICK_BUTTONS]
    )
    return [Text(_("Whom do you want to deactivate? Tap a name, or type \"deactivate\" and the number shown in the volunteer list."), buttons)]


def confirm_deactivate(ctx: EventContext, person: Person, target_id: int) -> list[Reply]:
    """Ask before deactivating: it cannot be undone in the chat."""
    target = ctx.session.get(Person, target_id)
    if target is None or policy.manage_person(person, target) is not None:
        return refusal(policy.Denied.NOT_YOURS, person.role)
    if not target.active:
        return [Text(_("{name} is already deactivated.", name=target.full_name), menu_buttons(person.role))]
    buttons = (
        Button(_("Yes, deactivate"), kind="postback", data=postback.encode("sup.off.ok", p=target.id)),
        Button(_("No"), text=_("menu")),
    )
    return [Text(_("Deactivate {name}? They will no longer be able to use the survey.", name=target.full_name), buttons)]


def do_deactivate(ctx: EventContext, person: Person, target_id: int) -> list[Reply]:
    """Deactivate a volunteer of the area and record it."""
    target = ctx.session.get(Person, target_id)
    if target is None or policy.manage_person(person, target) is not None:
        return refusal(policy.Denied.NOT_YOURS, person.role)
    if admin.deactivate_person(ctx.session, target, ctx.now, actor_id=person.id):
        unlink_rich_menu(ctx, target)
    return [Text(_("{name} has been deactivated.", name=target.full_name), menu_buttons(person.role))]


def ask_reassign(ctx: EventContext, person: Person, argument: str) -> list[Reply]:
    """Find the household to move by its house code or receipt number."""
    # Commands arrive case-folded; receipt numbers are stored upper-case (QM-2566-000001).
    reference = (digits(argument) or argument.strip().upper()) if argument else ""
    if not reference:
        return [Text(_("To move a household to another volunteer, type \"reassign\" followed by its house code or receipt number, e.g. \"reassign 12345678901\"."), menu_buttons(person.role))]
    household = ctx.session.scalars(
        select(Household)
        .where(Household.municipality_id == person.municipality_id)
        .where(or_(Household.house_code == reference, Household.receipt_no == reference))
        .order_by(Household.id.desc())  # the newest round's record of that house
    ).first()
    if household is None or policy.household_access(person, household) is not None:
        # Same answer whether it does not exist or is outside the area: nothing leaks.
        return [Text(_("No household with that number was found in your area."), menu_buttons(person.role))]
    return pick_new_volunteer(ctx, person, household.id)


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
        return [Text(_("There is no other active volunteer in this household's community to move it to."), menu_buttons(person.role))]
    buttons = tuple(
        Button(_label(v.full_name), kind="postback", data=postback.encode("sup.move.to", h=household.id, p=v.id), text=v.full_name)
        for v in candidates[:MAX_PICK_BUTTONS]
    )
    return [Text(_("Move household {house} to which volunteer?", house=_house(household)), buttons)]


def do_reassign(ctx: EventContext, person: Person, household_id: int, to_id: int) -> list[Reply]:
    """Move a household to another volunteer and record it."""
    household = ctx.session.get(Household, household_id)
    target = ctx.session.get(Person, to_id)
    if household is None or target is None or policy.reassign_household(person, household, target) is not None:
        return refusal(policy.Denied.NOT_YOURS, person.role)
    previous = household.volunteer_id
    if previous != target.id:
        household.volunteer_id = target.id
        household.updated_at = ctx.now
        surveys.release_household(ctx.session, household.id, ctx.now)
        audit.record(
            ctx.session, "household.reassign", ctx.now, actor_id=person.id, subject_id=target.id, household_id=household.id, from_person_id=previous
        )
    return [Text(_("Household {house} is now assigned to {name}.", house=_house(household), name=target.full_name), menu_buttons(person.role))]


def make_invite(ctx: EventContext, person: Person) -> list[Reply]:
    """A volunteer invite code for the supervisor's own area."""
    if (refused := policy.create_invite(person, "volunteer", person.municipality_id, person.community_id)) is not None:
        return refusal(refused, person.role)
    invite = admin.issue_invite(
        ctx.session, "volunteer", person.municipality_id, person.community_id, ctx.now, CHAT_INVITE_DAYS, CHAT_INVITE_USES, actor_id=person.id
    )
    until = invite.expires_at.astimezone(ctx.config.zone).strftime("%d/%m/") + str(invite.expires_at.astimezone(ctx.config.zone).year + 543)
    return [
        Text(
            _(
                "New invite code for volunteers of your area: {code}\nIt can register {uses} people and is valid until {date}. "
                "Volunteers add this LINE account, tap \"Register\" and type the code.",
                code=display_code(invite.code),
                uses=invite.max_uses,
                date=until,
            ),
            menu_buttons(person.role),
        )
    ]


def _start_of_today(ctx: EventContext) -> datetime:
    """Midnight of today in the municipality's time zone, in UTC (submitted_at is stored in UTC)."""
    local_day = ctx.now.astimezone(ctx.config.zone).date()
    return datetime.combine(local_day, time.min, tzinfo=ctx.config.zone).astimezone(timezone.utc)


def _house(household: Household) -> str:
    """How a supervisor recognises a household: house number, else house code, else its number."""
    return household.house_no or household.house_code or f"#{household.id}"


def _label(name: str) -> str:
    """A name shortened to fit a button."""
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"


def _command(handler) -> EntryHandler:  # type: ignore[no-untyped-def]
    """Wrap a typed supervision command: the policy decides before the handler runs."""

    def entry(ctx: EventContext, argument: str) -> list[Reply]:
        person = ctx.person()
        if (refused := policy.may_supervise(person)) is not None:
            return refusal(refused, person.role if person else None)
        return handler(ctx, person, argument)

    return entry


def _route(handler) -> PostbackHandler:  # type: ignore[no-untyped-def]
    """Wrap a supervision postback: the policy decides before the handler runs."""

    def route(ctx: EventContext, params: dict[str, str], _line_params: dict[str, str]) -> list[Reply]:
        person = ctx.person()
        if (refused := policy.may_supervise(person)) is not None:
            return refusal(refused, person.role if person else None)
        try:
            return handler(ctx, person, params)
        except (KeyError, ValueError):  # data we did not make: treat it as a stale button
            return refusal(policy.Denied.NOT_YOURS, person.role)

    return route


DIALOG = Dialog(
    name="supervision",
    entries=(
        Entry(("progress",), _command(progress.show), argument=True),
        Entry(("volunteers",), _command(lambda ctx, person, argument: list_volunteers(ctx, person)), argument=True),
        Entry(("deactivate",), _command(ask_deactivate), argument=True),
        Entry(("reassign",), _command(ask_reassign), argument=True),
        Entry(("invite code",), _command(lambda ctx, person, argument: make_invite(ctx, person)), argument=True),
    ),
    routes={
        "sup.off": _route(lambda ctx, person, p: confirm_deactivate(ctx, person, int(p["p"]))),
        "sup.off.ok": _route(lambda ctx, person, p: do_deactivate(ctx, person, int(p["p"]))),
        "sup.move": _route(lambda ctx, person, p: pick_new_volunteer(ctx, person, int(p["h"]))),
        "sup.move.to": _route(lambda ctx, person, p: do_reassign(ctx, person, int(p["h"]), int(p["p"]))),
    },
)

"""Supervisors in the chat: progress, their volunteers and counts, reassigning a household, deactivating, invites.

Postback routes (data built with bot.chat.postback.encode):
    sup.off     p=<person id>              ask to confirm deactivating a volunteer
    sup.off.ok  p=<person id>              deactivate
    sup.move    h=<household id>           choose the volunteer to move a household to (bot.handlers.reassign)
    sup.move.to h=<household id> p=<id>    move it
    sup.nudge   p=<person id>              remind an idle volunteer (bot.handlers.nudge), once a day
Typed commands (entries of the supervision dialog):
    progress [community], volunteers, deactivate [name], reassign [house number or name], invite code
The dialog keeps a step only while a supervisor searches for a household to reassign.
Every decision is bot.people.policy's; every change is written to the audit log.
"""

from __future__ import annotations

from bot.chat import postback
from bot.people import admin, policy
from bot.handlers import nudge, progress, reassign
from bot.handlers.access import refusal, supervisors_command, supervisors_route
from bot.handlers.context import EventContext
from bot.handlers.dialog import Dialog, Entry
from bot.i18n import _
from bot.chat.listing import chunk_lines
from bot.people.menus import menu_buttons
from bot.chat.replies import Button, Reply, Text
from bot.people.rich_menu_links import unlink_rich_menu
from storage.invites import display_code
from storage.models import Person
from storage.people import volunteers_in_area
from storage.progress import volunteer_activity

MAX_PICK_BUTTONS = 12
MAX_LABEL = 20
# A code a supervisor makes in the chat: for volunteers of their area.
CHAT_INVITE_DAYS = 7
CHAT_INVITE_USES = 30


def list_volunteers(ctx: EventContext, person: Person) -> list[Reply]:
    """Each volunteer of the area by name: community, submitted today and in total, drafts, last activity."""
    volunteers = volunteer_activity(ctx.session, person.municipality_id, person.community_id, progress.start_of_day(ctx.now, ctx.config.zone))
    if not volunteers:
        return [Text(_("There are no active volunteers in your area yet. Type \"invite code\" to invite some."), menu_buttons(person.role))]
    lines = [
        _(
            "{name} ({community}): today {today}, total {total}, drafts {drafts}, last active {date}",
            name=row.name,
            community=row.community or "-",
            today=row.submitted_today,
            total=row.submitted,
            drafts=row.drafts,
            date=progress.last_seen(row, ctx.config.zone),
        )
        for row in volunteers
    ]
    texts, left_out = chunk_lines([_("Volunteers of your area:"), *lines])
    replies: list[Reply] = [Text(text) for text in texts]
    if left_out:
        replies.append(Text(_("…and {count} more volunteers not shown.", count=left_out)))
    buttons = (Button(_("Deactivate"), text=_("deactivate")), *menu_buttons(person.role))
    return replies[:-1] + [Text(replies[-1].text, buttons)]


def ask_deactivate(ctx: EventContext, person: Person, argument: str) -> list[Reply]:
    """Choose a volunteer to deactivate: buttons, narrowed by a name typed after the command."""
    volunteers = volunteers_in_area(ctx.session, person.municipality_id, person.community_id)
    wanted = " ".join(argument.split()).casefold()
    if wanted:
        volunteers = [v for v in volunteers if wanted in v.full_name.casefold()]
        if len(volunteers) == 1:
            return confirm_deactivate(ctx, person, volunteers[0].id)
        if not volunteers:
            return [Text(_("No active volunteer of your area has that name."), menu_buttons(person.role))]
    if not volunteers:
        return [Text(_("There are no active volunteers in your area."), menu_buttons(person.role))]
    buttons = tuple(
        Button(_label(v.full_name), kind="postback", data=postback.encode("sup.off", p=v.id), text=v.full_name)
        for v in volunteers[:MAX_PICK_BUTTONS]
    )
    return [Text(_("Whom do you want to deactivate? Tap a name, or type \"deactivate\" and part of the name."), buttons)]


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


def _label(name: str) -> str:
    """A name shortened to fit a button."""
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"




DIALOG = Dialog(
    name="supervision",
    entries=(
        Entry(("progress",), supervisors_command(progress.show), argument=True),
        Entry(("volunteers",), supervisors_command(lambda ctx, person, argument: list_volunteers(ctx, person)), argument=True),
        Entry(("deactivate",), supervisors_command(ask_deactivate), argument=True),
        Entry(("reassign",), supervisors_command(reassign.ask_reassign), argument=True),
        Entry(("invite code",), supervisors_command(lambda ctx, person, argument: make_invite(ctx, person)), argument=True),
    ),
    answer=reassign.on_answer,
    fallbacks={"cancel": reassign.on_cancel, "help": reassign.on_help, "back": reassign.on_cancel},
    routes={
        "sup.off": supervisors_route(lambda ctx, person, p: confirm_deactivate(ctx, person, int(p["p"]))),
        "sup.off.ok": supervisors_route(lambda ctx, person, p: do_deactivate(ctx, person, int(p["p"]))),
        "sup.move": supervisors_route(lambda ctx, person, p: reassign.pick_new_volunteer(ctx, person, int(p["h"]))),
        "sup.move.to": supervisors_route(lambda ctx, person, p: reassign.do_reassign(ctx, person, int(p["h"]), int(p["p"]))),
        "sup.nudge": supervisors_route(lambda ctx, person, p: nudge.nudge(ctx, person, int(p["p"]))),
    },
)

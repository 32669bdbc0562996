"""Registration in the chat: invite code → name → phone → volunteer type → community → confirm.

    register ──► code ──► name ──► phone ──┬─► vtype ──► community ──► confirm ──► registered
                 │ wrong ×5: locked 15 min  │   (volunteers only; the community step is skipped
                 │ expired / used up: again └─► confirm   when the code names one)
    "cancel" ends it at any step, "back" asks the step before again, "help" explains and asks
    again; "edit" on the confirmation goes back to the name.

The step is the user's conversation row and the answers a RegistrationDraft row, so an answer
may come minutes later or reach another worker. Wrong answers get a Thai explanation and the
same question again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.dialogs.answers import mask_phone
from bot.handlers.access import refusal
from bot.handlers.context import EventContext
from bot.handlers.dialog import Dialog, Entry
from bot.i18n import N_, _
from bot.chat.listing import chunk_lines
from bot.people.menus import menu_buttons, person_menu
from bot.people.policy import standing
from bot.chat.replies import Button, Reply, Text
from bot.people.rich_menu_links import link_rich_menu
from bot.chat.text_input import digits, fold, person_name
from storage import audit
from storage.areas import communities_of
from storage.invites import consume_invite, find_invite, invite_problem, looks_like_code
from storage.models import Community, Conversation, InviteCode, Municipality, Person, RegistrationDraft
from storage.people import any_person_for_line_user
from storage.registration import REGISTRATION, clear_wrong_codes, draft_of, drop_draft, locked_until, record_wrong_code, start_draft
from storage.statuses import InviteProblem

log = logging.getLogger(__name__)

VOLUNTEER_TYPES = {
    "committee": N_("Community committee"),
    "osm": N_("Village health volunteer (OSM)"),
    "osb": N_("Local care volunteer (OSB)"),
    "othl": N_("Local earth-loving volunteer (OTHL)"),
    "other": N_("Other volunteer"),
}
# Short button labels (LINE allows 20 characters).
VOLUNTEER_TYPE_LABELS = {
    "committee": N_("Community committee (short)"),
    "osm": N_("OSM"),
    "osb": N_("OSB"),
    "othl": N_("OTHL"),
    "other": N_("Other"),
}
ROLE_NAMES = {"volunteer": N_("volunteer"), "supervisor": N_("supervisor"), "admin": N_("municipal administrator")}
MAX_COMMUNITY_BUTTONS = 12  # one place is kept for "cancel"
MAX_LABEL = 20


def cancel_button() -> Button:
    """Leave the registration."""
    return Button(_("Cancel"), text=_("cancel"))


def on_register(ctx: EventContext, _argument: str = "") -> list[Reply]:
    """Answer "register": start the dialog, or say why not."""
    person = any_person_for_line_user(ctx.session, ctx.user.id)
    if person is not None:
        if standing(person) is not None:
            return refusal(standing(person))  # type: ignore[arg-type]
        return [Text(_("You are already registered. Here is your menu."), menu_buttons(person_menu(person)))]
    if (until := locked_until(ctx.session, ctx.user.id, ctx.now)) is not None:
        return [_locked(ctx, until)]
    start_draft(ctx.session, ctx.user.id, ctx.now)
    return [_ask_code()]


def _ask_code() -> Text:
    """The first question: the invite code."""
    return Text(_("Registration. Please type the invite code you received from the municipality (8 letters and digits)."), (cancel_button(),))


def on_answer(ctx: EventContext, conversation: Conversation, text: str) -> list[Reply] | None:
    """Handle one answer of a registration in progress (None when there is none)."""
    held = _held(ctx)
    if held is None:
        return None
    draft, invite = held
    conversation.updated_at = ctx.now
    if conversation.step == "code" or invite is None:
        return _on_code(ctx, conversation, draft, text)
    step = STEPS.get(conversation.step or "")
    if step is None:  # a step this version no longer has: begin again rather than guess
        return on_register(ctx)
    return step(ctx, conversation, draft, invite, text)


def on_cancel(ctx: EventContext, conversation: Conversation) -> list[Reply] | None:
    """"cancel" at any step: forget the answers and end the dialog."""
    if _held(ctx) is None:
        return None
    drop_draft(ctx.session, ctx.user.id, ctx.now)
    return [Text(_("Registration cancelled. Tap \"Register\" whenever you want to start again."), menu_buttons(None))]


def on_help(ctx: EventContext, conversation: Conversation) -> list[Reply] | None:
    """"help" at any step: what this dialog is, and the same question again."""
    if (held := _held(ctx)) is None:
        return None
    note = Text(_("You are registering. Please answer the question below, or type \"cancel\" to stop registering."))
    return [note, _question(ctx, conversation.step or "code", *held)]


def on_back(ctx: EventContext, conversation: Conversation) -> list[Reply] | None:
    """"back" at any step: the question before this one again (the code step has none before it)."""
    if (held := _held(ctx)) is None:
        return None
    draft, invite = held
    step = conversation.step or "code"
    if invite is None or step not in PREVIOUS:
        step = "code"
    else:
        step = PREVIOUS[step] if step != "confirm" else _before_confirm(invite)
    conversation.step, conversation.updated_at = step, ctx.now
    return [_question(ctx, step, draft, invite)]


def _held(ctx: EventContext) -> tuple[RegistrationDraft, InviteCode | None] | None:
    """The registration in progress and its invite (None when there is none)."""
    draft = draft_of(ctx.session, ctx.user.id)
    if draft is None or ctx.person() is not None:
        return None
    draft.updated_at = ctx.now
    return draft, ctx.session.get(InviteCode, draft.invite_code_id) if draft.invite_code_id else None


def _on_code(ctx: EventContext, conversation: Conversation, draft: RegistrationDraft, text: str) -> list[Reply]:
    """Check the invite code; count wrong ones towards the lockout."""
    if (until := locked_until(ctx.session, ctx.user.id, ctx.now)) is not None:
        return [_locked(ctx, until)]
    if not looks_like_code(text):
        # Not a guess at a code (a name, a stray word): explain the format, count nothing.
        return [Text(_("An invite code has 8 letters and digits, e.g. ABCD-2345. Please type the code you received."), (cancel_button(),))]
    invite = find_invite(ctx.session, text)
    if invite is None:
        if (until := record_wrong_code(ctx.session, ctx.user.id, ctx.now)) is not None:
            return [_locked(ctx, until)]  # the draft stays: every answer until then gets this message
        return [Text(_("This invite code is not correct. Please check it and type it again."), (cancel_button(),))]
    if (problem := invite_problem(invite, ctx.now)) is not None:
        return [_code_unusable(problem)]
    # The wrong-code count is kept until a registration completes: clearing it here would let
    # anyone with a shared volunteer code (wrong ×4, right, cancel, again) guess other codes forever.
    draft.invite_code_id, conversation.step = invite.id, "name"
    area = _area_name(ctx, invite)
    role = _(ROLE_NAMES.get(invite.role, invite.role))
    return [
        Text(_("The code is valid: you are registering as {role} of {area}.", role=role, area=area)),
        _ask("name"),
    ]


def _on_name(ctx: EventContext, conversation: Conversation, draft: RegistrationDraft, invite: InviteCode, text: str) -> list[Reply]:
    """Take the full name."""
    name = person_name(text)
    if name is None:
        return [Text(_("Please type your first name and surname, separated by a space, without digits."), (cancel_button(),))]
    draft.full_name, conversation.step = name, "phone"
    return [_ask("phone")]


def _on_phone(ctx: EventContext, conversation: Conversation, draft: RegistrationDraft, invite: InviteCode, text: str) -> list[Reply]:
    """Take a Thai phone number: 9 or 10 digits starting with 0."""
    number = digits(text)
    if number is None or not (9 <= len(number) <= 10 and number.startswith("0")):
        return [Text(_("Please type a Thai phone number of 9 or 10 digits starting with 0, e.g. 0812345678."), (cancel_button(),))]
    draft.phone = number
    return _after_phone(ctx, conversation, draft, invite)


def _after_phone(ctx: EventContext, conversation: Conversation, draft: RegistrationDraft, invite: InviteCode) -> list[Reply]:
    """Volunteers choose their type next; other roles go straight to the confirmation."""
    if invite.role == "volunteer":
        conversation.step = "vtype"
        return [_ask("vtype")]
    conversation.step = "confirm"
    return [_confirmation(ctx, draft, invite)]


def _on_vtype(ctx: EventContext, conversation: Conversation, draft: RegistrationDraft, invite: InviteCode, text: str) -> list[Reply]:
    """Take the volunteer type from a button or typed name."""
    answer = fold(text).replace(".", "")
    for key in VOLUNTEER_TYPES:
        if answer in (fold(_(VOLUNTEER_TYPES[key])).replace(".", ""), fold(_(VOLUNTEER_TYPE_LABELS[key])).replace(".", "")):
            draft.volunteer_type = key
            break
    else:
        return [Text(_("Please choose your volunteer type with one of the buttons below."), _ask("vtype").buttons)]
    if invite.community_id is not None:
        draft.community_id, conversation.step = invite.community_id, "confirm"
        return [_confirmation(ctx, draft, invite)]
    conversation.step = "community"
    return [_ask_community(ctx, invite)]


def _on_community(ctx: EventContext, conversation: Conversation, draft: RegistrationDraft, invite: InviteCode, text: str) -> list[Reply]:
    """Take a community of the code's municipality, by number or name."""
    communities = communities_of(ctx.session, invite.municipality_id)
    answer = fold(text)
    number = digits(text)
    chosen = None
    if number is not None and number.isdigit() and 1 <= int(number) <= len(communities):
        chosen = communities[int(number) - 1]
    else:
        chosen = next((c for c in communities if fold(c.name) == answer or fold(_label(c.name)) == answer), None)
    if chosen is None:
        return [Text(_("That community is not in the list. Please type its number or tap its button.")), _ask_community(ctx, invite)]
    draft.community_id, conversation.step = chosen.id, "confirm"
    return [_confirmation(ctx, draft, invite)]


def _on_confirm(ctx: EventContext, conversation: Conversation, draft: RegistrationDraft, invite: InviteCode, text: str) -> list[Reply]:
    """Register on "confirm"; "edit" goes back to the name."""
    answer = fold(text)
    if answer == fold(_("edit")):
        conversation.step = "name"
        return [_ask("name")]
    if answer != fold(_("confirm")):
        return [Text(_("Please tap \"Confirm\" to register, \"Edit\" to change your answers or \"Cancel\".")), _confirmation(ctx, draft, invite)]
    if not consume_invite(ctx.session, invite.id, ctx.now):
        drop_draft(ctx.session, ctx.user.id, ctx.now)
        return [_code_unusable(invite_problem(invite, ctx.now) or InviteProblem.USED_UP)]
    person = Person(
        line_user_id=ctx.user.id,
        role=invite.role,
        volunteer_type=draft.volunteer_type if invite.role == "volunteer" else None,
        full_name=draft.full_name or "",
        phone=draft.phone,
        municipality_id=invite.municipality_id,
        community_id=draft.community_id if invite.role == "volunteer" else invite.community_id,
        active=True,
        created_at=ctx.now,
    )
    ctx.session.add(person)
    ctx.session.flush()
    audit.record(ctx.session, "register", ctx.now, actor_id=person.id, subject_id=person.id, invite_code_id=invite.id, role=invite.role)
    drop_draft(ctx.session, ctx.user.id, ctx.now)
    clear_wrong_codes(ctx.session, ctx.user.id)
    link_rich_menu(ctx, person_menu(person) or person.role)
    return [
        Text(
            _("Registration complete. Welcome, {name}. Use the menu below (or type \"menu\") to start.", name=person.full_name),
            menu_buttons(person_menu(person)),
        )
    ]


STEPS = {"name": _on_name, "phone": _on_phone, "vtype": _on_vtype, "community": _on_community, "confirm": _on_confirm}
# The step "back" returns to (the confirmation's depends on the invite: see _before_confirm).
PREVIOUS = {"name": "code", "phone": "name", "vtype": "phone", "community": "vtype", "confirm": "community"}


def _before_confirm(invite: InviteCode) -> str:
    """The step before the confirmation: the community, the volunteer type, or the phone."""
    if invite.role != "volunteer":
        return "phone"
    return "vtype" if invite.community_id is not None else "community"


def _question(ctx: EventContext, step: str, draft: RegistrationDraft, invite: InviteCode | None) -> Text:
    """The question of a step, asked again."""
    if step == "code" or invite is None:
        return _ask_code()
    if step == "community":
        return _ask_community(ctx, invite)
    if step == "confirm":
        return _confirmation(ctx, draft, invite)
    return _ask(step)


def _ask(step: str) -> Text:
    """The question of a step that needs no data."""
    if step == "name":
        return Text(_("Please type your first name and surname."), (cancel_button(),))
    if step == "phone":
        return Text(_("Please type your phone number (e.g. 0812345678)."), (cancel_button(),))
    buttons = tuple(Button(_(VOLUNTEER_TYPE_LABELS[key]), text=_(VOLUNTEER_TYPES[key])) for key in VOLUNTEER_TYPES)
    return Text(_("What kind of volunteer are you?"), buttons + (cancel_button(),))


def _ask_community(ctx: EventContext, invite: InviteCode) -> Text:
    """The communities of the code's municipality, numbered, with buttons for the first ones."""
    communities = communities_of(ctx.session, invite.municipality_id)
    if not communities:
        return Text(_("Your municipality has not set up its communities yet. Please contact the municipality, then register again."), (cancel_button(),))
    # One text, so the question and its buttons stay together; a very long list is cut (typing the name still works).
    [listing], _left_out = chunk_lines([f"{i}. {c.name}" for i, c in enumerate(communities, start=1)], max_texts=1)
    buttons = tuple(Button(_label(c.name), text=c.name) for c in communities[:MAX_COMMUNITY_BUTTONS])
    return Text(_("Which community do you work in? Type its number or tap its button:\n{listing}", listing=listing), buttons + (cancel_button(),))


def _confirmation(ctx: EventContext, draft: RegistrationDraft, invite: InviteCode) -> Text:
    """The answers to check before registering."""
    municipality = ctx.session.get(Municipality, invite.municipality_id)
    community_id = draft.community_id if invite.role == "volunteer" else invite.community_id
    community = ctx.session.get(Community, community_id) if community_id else None
    lines = [
        _("Name: {name}", name=draft.full_name),
        _("Phone: {phone}", phone=mask_phone(draft.phone or "")[0]),
        _("Role: {role}", role=_(ROLE_NAMES.get(invite.role, invite.role))),
    ]
    if draft.volunteer_type:
        lines.append(_("Volunteer type: {type}", type=_(VOLUNTEER_TYPES[draft.volunteer_type])))
    lines.append(_("Municipality: {name}", name=municipality.name if municipality else "-"))
    if community is not None:
        lines.append(_("Community: {name}", name=community.name))
    buttons = (Button(_("Confirm"), text=_("confirm")), Button(_("Edit"), text=_("edit")), cancel_button())
    return Text(_("Please check your details:\n{details}\n\nIs this correct?", details="\n".join(lines)), buttons)


def _area_name(ctx: EventContext, invite: InviteCode) -> str:
    """The area a code is for: the municipality, and the community when it names one."""
    municipality = ctx.session.get(Municipality, invite.municipality_id)
    name = municipality.name if municipality else "-"
    if invite.community_id is not None and (community := ctx.session.get(Community, invite.community_id)) is not None:
        return f"{community.name}, {name}"
    return name


def _code_unusable(problem: InviteProblem) -> Text:
    """An expired or used-up code says so, and how to get another."""
    if problem is InviteProblem.EXPIRED:
        text = _("This invite code has expired. Please ask the municipality or your supervisor for a new code, then type it here.")
    else:
        text = _("This invite code has already been used as many times as allowed. Please ask the municipality or your supervisor for a new code, then type it here.")
    return Text(text, (cancel_button(),))


def _locked(ctx: EventContext, until: datetime) -> Text:
    """Too many wrong codes: say when registration opens again."""
    local = until.astimezone(ctx.config.zone)
    return Text(
        _(
            "A wrong invite code was entered too many times. For security, registration is closed for 15 minutes. "
            "Please try again after {time}.",
            time=local.strftime("%H:%M"),
        )
    )


def _label(name: str) -> str:
    """A community name shortened to fit a button."""
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"


DIALOG = Dialog(
    name=REGISTRATION,
    entries=(Entry(("register",), on_register, anywhere=True),),  # a tap on the rich menu works in every step
    answer=on_answer,
    fallbacks={"cancel": on_cancel, "help": on_help, "back": on_back},
    members_only=False,
)

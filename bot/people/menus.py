"""The main menu of each role: one definition for the chat (`menu`) and the LINE rich menu."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import object_session

from bot.i18n import N_, _
from bot.chat.replies import Button
from storage.models import Municipality, Person

# Who has no Person row (or a deactivated one) gets the guest menu.
GUEST = "guest"
# A sub-district municipality's volunteers revisit the earlier round (Re-X-ray, thaiqm-form.md §1):
# their menu has it; city and town volunteers survey every household and do not.
REXRAY_KIND = "subdistrict"
REXRAY_VOLUNTEER = "volunteer_rexray"


@dataclass(frozen=True)
class MenuItem:
    """A menu entry: its label and the command text it sends (both message ids)."""

    label: str
    command: str


SURVEY = MenuItem(N_("Survey"), N_("survey"))
CONTINUE = MenuItem(N_("Continue"), N_("continue"))
MY_SURVEYS = MenuItem(N_("My surveys"), N_("my surveys"))
PROGRESS = MenuItem(N_("Progress"), N_("progress"))
VOLUNTEERS = MenuItem(N_("Volunteers"), N_("volunteers"))
REASSIGN = MenuItem(N_("Reassign"), N_("reassign"))
DEACTIVATE = MenuItem(N_("Deactivate"), N_("deactivate"))
INVITE = MenuItem(N_("Invite code"), N_("invite code"))
MENU = MenuItem(N_("Menu"), N_("menu"))
REGISTER = MenuItem(N_("Register"), N_("register"))
REXRAY = MenuItem(N_("Re-X-ray"), N_("re-x-ray"))
HELP = MenuItem(N_("Help"), N_("help"))
# Typed commands of household confirmation, named in the volunteers' help (no room on their rich menu).
CONFIRMATION_CODE = MenuItem(N_("Confirmation code"), N_("request confirmation code"))
AWAITING_CONFIRMATION = MenuItem(N_("Awaiting confirmation"), N_("awaiting confirmation"))
# A household's LINE, linked by its confirmation code (bot/handlers/household.py).
MY_PROBLEMS = MenuItem(N_("My problems"), N_("my problems"))
CONTACT_VOLUNTEER = MenuItem(N_("Contact volunteer"), N_("contact volunteer"))
# Approving is a supervisor's most frequent task: it has a tile. Exporting is a typed command named
# in their help (a rich menu holds six tiles).
APPROVE = MenuItem(N_("Approve"), N_("approve"))
EXPORT = MenuItem(N_("Export"), N_("export"))

MENUS: dict[str, tuple[MenuItem, ...]] = {
    GUEST: (REGISTER, HELP),
    # "Menu" is not an item of the menu itself (typing it still shows the menu).
    "volunteer": (SURVEY, CONTINUE, MY_SURVEYS, HELP),
    REXRAY_VOLUNTEER: (REXRAY, SURVEY, CONTINUE, MY_SURVEYS, HELP),
    # A rich menu holds six tiles: deactivating stays a typed command and a button of the volunteer list;
    # invite codes are made a few times a round, so "invite code" is a typed command named in the help.
    "supervisor": (APPROVE, PROGRESS, VOLUNTEERS, REASSIGN, SURVEY, HELP),
    "admin": (APPROVE, PROGRESS, VOLUNTEERS, REASSIGN, SURVEY, HELP),
    "household": (MY_PROBLEMS, CONTACT_VOLUNTEER, HELP),
}


def menu_key(role: str | None, municipality_kind: str | None) -> str | None:
    """Which menu a role gets in a kind of municipality (a key of MENUS, as rich menus are stored)."""
    return REXRAY_VOLUNTEER if role == "volunteer" and municipality_kind == REXRAY_KIND else role


def person_menu(person: Person | None) -> str | None:
    """The menu key of a registered person (None: the guest menu)."""
    if person is None:
        return None
    session = object_session(person)
    municipality = session.get(Municipality, person.municipality_id) if session is not None and person.role == "volunteer" else None
    return menu_key(person.role, municipality.kind if municipality is not None else None)


def menu_for(role: str | None) -> tuple[MenuItem, ...]:
    """The menu of a role (the guest menu for None or an unknown role)."""
    return MENUS.get(role or GUEST, MENUS[GUEST])


def menu_buttons(role: str | None) -> tuple[Button, ...]:
    """The role's menu as quick-reply buttons, in Thai."""
    return tuple(Button(_(item.label), text=_(item.command)) for item in menu_for(role))

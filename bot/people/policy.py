"""Who may see and change what: the one place access is decided.

Handlers never look at roles themselves: they ask here and, when refused, answer with
the reason's Thai text (bot/handlers/access.py). A refusal never says anything about the
thing refused beyond "you may not", so a denial leaks nothing.
"""

from __future__ import annotations

import enum

from storage.models import Household, LineUser, Person

# Roles that run the survey in the field, and roles that oversee an area.
SURVEY_ROLES = frozenset({"volunteer", "supervisor", "admin"})
SUPERVISING_ROLES = frozenset({"supervisor", "admin"})
# Who may hand out invite codes for which role.
INVITABLE_BY = {"admin": frozenset({"admin", "supervisor", "volunteer"}), "supervisor": frozenset({"volunteer"})}


class Denied(enum.Enum):
    """Why a request was refused; each reason has one Thai answer."""

    UNREGISTERED = "unregistered"
    DEACTIVATED = "deactivated"
    NOT_ALLOWED = "not_allowed"  # a role that cannot do this at all
    NOT_YOURS = "not_yours"  # outside the person's households or area


def standing(person: Person | None) -> Denied | None:
    """None for an active registered person, else why they may do nothing."""
    if person is None:
        return Denied.UNREGISTERED
    if not person.active:
        return Denied.DEACTIVATED
    return None


def may_survey(person: Person | None) -> Denied | None:
    """Survey commands (start, continue, list own households)."""
    if (refused := standing(person)) is not None:
        return refused
    return None if person.role in SURVEY_ROLES else Denied.NOT_ALLOWED  # type: ignore[union-attr]


def may_supervise(person: Person | None) -> Denied | None:
    """Supervision commands (volunteer list, reassignment, deactivation, invites)."""
    if (refused := standing(person)) is not None:
        return refused
    return None if person.role in SUPERVISING_ROLES else Denied.NOT_ALLOWED  # type: ignore[union-attr]


def in_area(person: Person, municipality_id: int, community_id: int | None) -> bool:
    """True when a place lies in the person's area (a municipality, or one community of it)."""
    if person.municipality_id != municipality_id:
        return False
    return person.community_id is None or person.role == "admin" or person.community_id == community_id


def household_access(person: Person | None, household: Household) -> Denied | None:
    """Volunteers their own or assigned households, supervisors their area, admins their municipality."""
    if (refused := standing(person)) is not None:
        return refused
    assert person is not None
    if person.role == "volunteer":
        mine = household.volunteer_id == person.id and person.municipality_id == household.municipality_id
        return None if mine else Denied.NOT_YOURS
    if person.role in SUPERVISING_ROLES:
        return None if in_area(person, household.municipality_id, household.community_id) else Denied.NOT_YOURS
    # The household role sees only its own problems, never survey records (a later issue).
    return Denied.NOT_ALLOWED


def can_view_household(person: Person | None, household: Household) -> bool:
    """True when the person may read this household's record."""
    return household_access(person, household) is None


def can_edit_household(person: Person | None, household: Household) -> bool:
    """Editing follows viewing: households (the role) never edit survey records."""
    return household_access(person, household) is None


def erase_household(actor: Person | None, household: Household) -> Denied | None:
    """Erasing a household's personal data on request: its area's supervisors and admins only."""
    if (refused := may_supervise(actor)) is not None:
        return refused
    return household_access(actor, household)


def manage_person(actor: Person | None, target: Person) -> Denied | None:
    """May the actor reassign work to, or deactivate, this volunteer?"""
    if (refused := may_supervise(actor)) is not None:
        return refused
    assert actor is not None
    if target.role != "volunteer" or not in_area(actor, target.municipality_id, target.community_id):
        return Denied.NOT_YOURS
    return None


def reassign_household(actor: Person | None, household: Household, to: Person) -> Denied | None:
    """A supervisor may move a household of their area to an active volunteer of the same area."""
    if (refused := may_supervise(actor)) is not None:
        return refused
    if household_access(actor, household) is not None:
        return Denied.NOT_YOURS
    if not to.active or manage_person(actor, to) is not None or to.municipality_id != household.municipality_id:
        return Denied.NOT_YOURS
    return None


def create_invite(actor: Person | None, role: str, municipality_id: int, community_id: int | None) -> Denied | None:
    """Admins invite any role in their municipality; supervisors invite volunteers to their area."""
    if (refused := may_supervise(actor)) is not None:
        return refused
    assert actor is not None
    if role not in INVITABLE_BY.get(actor.role, frozenset()):
        return Denied.NOT_ALLOWED
    return None if in_area(actor, municipality_id, community_id) else Denied.NOT_YOURS


def may_push(person: Person | None, line_user: LineUser | None) -> bool:
    """Pushes (reminders, notices) go only to active people who have not blocked the bot."""
    return person is not None and person.active and line_user is not None and line_user.active

"""Who may see and change what: the one place access is decided."""

from __future__ import annotations

from storage.models import Household, Person


def can_view_household(person: Person | None, household: Household) -> bool:
    """Volunteers see their own or assigned households, supervisors their area, admins their municipality."""
    if person is None or not person.active:
        return False
    if person.municipality_id != household.municipality_id:
        return False
    if person.role == "admin":
        return True
    if person.role == "supervisor":
        return person.community_id is None or person.community_id == household.community_id
    if person.role == "volunteer":
        return household.volunteer_id == person.id
    return False


def can_edit_household(person: Person | None, household: Household) -> bool:
    """Editing follows viewing, except that households (the role) never edit survey records."""
    return can_view_household(person, household) and person is not None and person.role != "household"

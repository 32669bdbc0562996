"""Changes to areas, invite codes and people that the chat and the CLI both make, each with its audit entry.

`actor_id` is the person who made the change in the chat, or None for the server
operator at the CLI. The caller owns the transaction; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import areas, audit, surveys
from storage.invites import create_invite
from storage.models import Community, InviteCode, Municipality, Person
from storage.people import deactivate


def create_municipality(session: Session, name: str, kind: str, tambon_code: str, now: datetime, actor_id: int | None = None) -> Municipality:
    """Add a municipality from the official tambon list (AreaError when it cannot be)."""
    municipality = areas.create_municipality(session, name, kind, tambon_code)
    audit.record(session, "municipality.create", now, actor_id=actor_id, municipality_id=municipality.id)
    return municipality


def add_community(
    session: Session, municipality: Municipality, name: str, target_households: int, moo: int | None, now: datetime, actor_id: int | None = None
) -> Community:
    """Add one community to a municipality (AreaError when it cannot be)."""
    community = areas.add_community(session, municipality, name, target_households, moo)
    audit.record(session, "community.create", now, actor_id=actor_id, community_id=community.id)
    return community


def import_communities(session: Session, source: TextIO, now: datetime, actor_id: int | None = None) -> tuple[int, list[str]]:
    """Add every community of a CSV or none; (added, errors by line)."""
    added, errors = areas.import_communities(session, source)
    if added:
        audit.record(session, "community.import", now, actor_id=actor_id, added=added)
    return added, errors


def community_named(session: Session, municipality: Municipality, name: str) -> int | None:
    """The id of a municipality's community by its name (spaces as typed do not matter)."""
    return session.scalars(
        select(Community.id).where(Community.municipality_id == municipality.id, Community.name == " ".join(name.split()))
    ).first()


def issue_invite(
    session: Session,
    role: str,
    municipality_id: int,
    community_id: int | None,
    now: datetime,
    valid_days: int,
    max_uses: int,
    actor_id: int | None = None,
) -> InviteCode:
    """A new invite code for a role and area, recorded in the audit log."""
    invite = create_invite(session, role, municipality_id, community_id, now, valid_days, max_uses, created_by_id=actor_id)
    audit.record(session, "invite.create", now, actor_id=actor_id, invite_code_id=invite.id, role=role)
    return invite


@dataclass(frozen=True)
class PersonLine:
    """A registered person as an operator lists them: no name, no phone."""

    id: int
    role: str
    community: str
    active: bool


def people_of(session: Session, municipality_id: int) -> list[PersonLine]:
    """Every registered person of a municipality, in registration order."""
    people = list(session.scalars(select(Person).where(Person.municipality_id == municipality_id).order_by(Person.id)))
    communities = areas.names_of(session, (p.community_id for p in people if p.community_id))
    return [PersonLine(p.id, p.role, communities.get(p.community_id or 0, "-"), p.active) for p in people]


def deactivate_person(session: Session, target: Person, now: datetime, actor_id: int | None = None) -> bool:
    """Stop a person and take any draft out of their hand; False when they were stopped already."""
    if not target.active:
        return False
    deactivate(target, now)
    surveys.release_person(session, target.id, now)
    audit.record(session, "person.deactivate", now, actor_id=actor_id, subject_id=target.id)
    return True


def activate_person(session: Session, target: Person, now: datetime, actor_id: int | None = None) -> bool:
    """Let a deactivated person work again; False when they were active."""
    if target.active:
        return False
    target.active, target.deactivated_at = True, None
    audit.record(session, "person.activate", now, actor_id=actor_id, subject_id=target.id)
    return True


def change_role(session: Session, target: Person, role: str, now: datetime, actor_id: int | None = None) -> bool:
    """Give a person another role (a volunteer type only stays with volunteers); False when unchanged."""
    if target.role == role:
        return False
    audit.record(session, "role.change", now, actor_id=actor_id, subject_id=target.id, old_role=target.role, new_role=role)
    target.role = role
    if role != "volunteer":
        target.volunteer_type = None
    return True

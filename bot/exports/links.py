"""Signed, expiring download links for a supervisor's export: bound to the person, the area they had when asking, and the stored file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from bot.people import policy
from storage.models import Person
from storage.sealed import keyring

VALID_FOR = timedelta(minutes=15)
SALT = "thaiqm-export-download"


@dataclass(frozen=True)
class Grant:
    """What a link allows: one person's export of one area (a municipality, or one community of it)."""

    person_id: int
    municipality_id: int
    community_id: int | None


class LinkExpired(Exception):
    """The link was signed by us but is older than VALID_FOR."""


class LinkInvalid(Exception):
    """The link was not signed by us (or was altered)."""


def _serializer() -> URLSafeTimedSerializer:
    """Signs with a secret derived from the data key (a rotated key ends the links of the old one, which live minutes anyway)."""
    return URLSafeTimedSerializer(keyring().digest(SALT), salt=SALT)


def grant_for(person: Person) -> Grant:
    """The area a supervisor may export: their community, or the whole municipality (admins, municipal supervisors)."""
    return Grant(person.id, person.municipality_id, None if person.role == "admin" else person.community_id)


def make_token(grant: Grant, export_id: int) -> str:
    """A signed token for a grant's stored file (the time of signing, when the file was ready, goes in it)."""
    return str(_serializer().dumps([grant.person_id, grant.municipality_id, grant.community_id, export_id]))


def read_token(token: str, max_age: timedelta = VALID_FOR) -> tuple[Grant, int]:
    """The grant of a token and the id of its stored file, or LinkExpired / LinkInvalid."""
    try:
        person_id, municipality_id, community_id, export_id = _serializer().loads(token, max_age=int(max_age.total_seconds()))
        return Grant(int(person_id), int(municipality_id), None if community_id is None else int(community_id)), int(export_id)
    except SignatureExpired:
        raise LinkExpired() from None
    except (BadSignature, ValueError, TypeError):  # a link of an earlier release (no file id) is not valid either
        raise LinkInvalid() from None


def still_holds(grant: Grant, person: Person | None) -> bool:
    """The person is the one the link was made for, still an active supervisor (or admin) of exactly that area."""
    if person is None or person.id != grant.person_id or policy.may_supervise(person) is not None:
        return False
    return grant_for(person) == grant

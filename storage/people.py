"""People: who a LINE user is, the volunteers of an area, and changes to them."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Iterable

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session

from storage import direct
from storage.attach import attached, found, loaded_columns
from storage.models import Conversation, Household, LineUser, Person
from storage.statuses import HouseholdStatus
from storage.remembered_answers import answers_aggregate, remember_answers
from storage.surveys import SURVEY


def person_for_line_user(session: Session, line_user_pk: int) -> Person | None:
    """The active person registered with this LINE user (by line_users.id), if any."""
    return session.scalars(select(Person).where(Person.line_user_id == line_user_pk, Person.active.is_(True))).first()


def any_person_for_line_user(session: Session, line_user_pk: int) -> Person | None:
    """The person registered with this LINE user, active or deactivated (policy tells them apart)."""
    return session.scalars(_PERSON_OF_LINE_USER, {"line_user_pk": line_user_pk}).first()


# Built once: every event of a registered person runs it.
_PERSON_OF_LINE_USER = select(Person).where(Person.line_user_id == bindparam("line_user_pk"))


def person_and_conversation(session: Session, line_user_pk: int) -> tuple[Person | None, Conversation | None, Household | None]:
    """As any_person_for_line_user, with the user's conversation row and survey draft loaded in the same statement.

    Nearly every event reads all three (who is writing, in which dialog, and mid-survey the
    draft in hand): one round trip instead of three. conversation_of and surveys.draft_in_hand
    then find the rows in the session, as long as the caller holds on to them (the session
    keeps its objects by weak reference). The draft's answers come too, kept for the step's
    surveys.answer_rows: a round trip fewer for every answer.
    """
    row = direct.read(session, _person_and_conversation(session.get_bind().dialect.name), {"line_user_pk": line_user_pk}).first()
    if row is None:
        return None, None, None
    person = attached(session, Person, row[:_PERSON_END])
    conversation_row, household_row = row[_PERSON_END:_CONVERSATION_END], row[_CONVERSATION_END:-1]
    conversation = attached(session, Conversation, conversation_row) if found(Conversation, conversation_row) else None
    household = attached(session, Household, household_row) if found(Household, household_row) else None
    if household is not None:
        remember_answers(session, household.id, row[-1])
    return person, conversation, household


# Where each model's columns end in the row of _person_and_conversation (the answers come last).
_PERSON_END = len(loaded_columns(Person))
_CONVERSATION_END = _PERSON_END + len(loaded_columns(Conversation))


@functools.cache
def _person_and_conversation(dialect: str) -> Select:
    """The person, their conversation, its survey draft and the draft's answers (built once per dialect).

    Read with Core and attached to the session (storage.attach): the ORM's own loading cost
    more than the statement.
    """
    # The survey's draft in hand is the household its conversation points to (as storage.surveys.active_household).
    columns = [column for model in (Person, Conversation, Household) for column in loaded_columns(model)]
    return (
        select(*columns, answers_aggregate(dialect, Household.id))
        .outerjoin(Conversation, Conversation.line_user_id == Person.line_user_id)
        .outerjoin(Household, (Household.id == Conversation.draft_id) & (Conversation.dialog == SURVEY))
        .where(Person.line_user_id == bindparam("line_user_pk"))
    )


def volunteers_in_area(session: Session, municipality_id: int, community_id: int | None) -> list[Person]:
    """Active volunteers of a municipality, or of one community of it."""
    query = select(Person).where(Person.role == "volunteer", Person.active.is_(True), Person.municipality_id == municipality_id)
    if community_id is not None:
        query = query.where(Person.community_id == community_id)
    return list(session.scalars(query.order_by(Person.id)))  # registration order: the same on every database


def deactivate(person: Person, now: datetime) -> None:
    """Stop a person: no access, no pushes; their households stay where they are."""
    person.active = False
    person.deactivated_at = now


def pushable_chat_ids(session: Session, person_ids: Iterable[int]) -> list[str]:
    """LINE chat ids of these people that may get a push: active person and a LINE user who has not blocked the bot."""
    ids = set(person_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            select(LineUser.line_user_id)
            .join(Person, Person.line_user_id == LineUser.id)
            .where(Person.id.in_(ids), Person.active.is_(True), LineUser.active.is_(True))
            .order_by(LineUser.line_user_id)
        )
    )


def find_households(session: Session, municipality_id: int, community_id: int | None, typed: str, limit: int) -> list[tuple[Household, str | None, str | None]]:
    """Open households of an area whose house number starts with, or head's name holds, what was typed.

    Also an exact house code or receipt number. Each with its community's and volunteer's names;
    the newest first (the current round's record of a house before an earlier one).
    """
    from storage.models import Community

    words = " ".join(typed.split())
    matches = [Household.house_no.startswith(words, autoescape=True), Household.head_name.contains(words, autoescape=True)]
    if words.isdigit():
        matches.append(Household.house_code == words)
    matches.append(Household.receipt_no == words.upper())
    query = (
        select(Household, Community.name, Person.full_name)
        .outerjoin(Community, Community.id == Household.community_id)
        .outerjoin(Person, Person.id == Household.volunteer_id)
        .where(Household.municipality_id == municipality_id, Household.status.in_((HouseholdStatus.DRAFT, HouseholdStatus.SUBMITTED)), Household.forgotten_at.is_(None))
        .where(or_(*matches))
    )
    if community_id is not None:
        query = query.where(Household.community_id == community_id)
    return [(household, community, volunteer) for household, community, volunteer in session.execute(query.order_by(Household.id.desc()).limit(limit))]

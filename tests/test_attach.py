"""Rows read with Core and attached to the session behave as rows the ORM loaded."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from storage import surveys
from storage.models import Household, Person
from storage.people import person_and_conversation
from tests.support.survey import make_volunteer

NOW = datetime(2024, 1, 15, 3, 0, tzinfo=timezone.utc)


def test_attached_objects_write_only_what_changed_and_open_sealed_values(db_engine):
    ids = make_volunteer(db_engine, "U" + "b" * 32)
    with Session(db_engine) as session, session.begin():
        person = session.get(Person, ids["person_id"])
        household = surveys.create_household(session, person, "thaiqm-2566", "1", "2566", NOW)
        household.head_national_id, household.house_no = "1101700203451", "12/3"
        surveys.set_active(session, person.id, household.id, NOW)
        line_user_pk, household_id = person.line_user_id, household.id
    updates: list[str] = []

    def seen(conn, cursor, statement, *rest):  # type: ignore[no-untyped-def]
        if statement.startswith("UPDATE"):
            updates.append(statement)

    event.listen(db_engine, "before_cursor_execute", seen)
    try:
        with Session(db_engine) as session, session.begin():
            found_person, conversation, in_hand = person_and_conversation(session, line_user_pk)
            assert found_person is not None and found_person.id == ids["person_id"]
            assert conversation is not None and conversation.draft_id == household_id
            assert in_hand is not None and in_hand.head_national_id == "1101700203451"  # opened, as the ORM opens it
            assert session.get(Household, household_id) is in_hand  # the session's own object: no second copy
            assert not session.dirty  # attached clean: nothing to write yet
            in_hand.house_no = "12/4"
        assert len(updates) == 1 and "house_no" in updates[0] and "head_national_id" not in updates[0]
    finally:
        event.remove(db_engine, "before_cursor_execute", seen)
    with db_engine.connect() as connection:
        assert connection.execute(select(Household.house_no).where(Household.id == household_id)).scalar() == "12/4"


def test_the_person_read_sees_what_the_event_changed_before_it(db_engine):
    """Like the ORM's autoflush: a draft put in hand earlier in the same event is the one read."""
    ids = make_volunteer(db_engine, "U" + "c" * 32)
    with Session(db_engine) as session, session.begin():
        person = session.get(Person, ids["person_id"])
        household = surveys.create_household(session, person, "thaiqm-2566", "1", "2566", NOW)
        surveys.set_active(session, person.id, household.id, NOW)  # not yet written: the read writes it first
        _person, _conversation, in_hand = person_and_conversation(session, person.line_user_id)
        assert in_hand is household


def test_a_model_the_orm_loads_differently_is_refused():
    from storage.attach import loaded_columns
    from storage.models import ExportFile

    with pytest.raises(TypeError, match="not a plain model"):
        loaded_columns(ExportFile)  # its file content is deferred: attaching would read it on every event

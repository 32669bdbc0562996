"""`thaiqm-bot rotate-key` and `db upgrade`: every personal value ends under the first key, resumably."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from bot.cli import main
from storage.crypto import Keyring, key_id_of, make_key_text
from storage.db import make_session_factory
from storage.models import Household, HouseholdMember, Person, SurveyAnswer
from storage.resealing import pending, reseal
from storage.sealed import Sensitive, use_keyring
from storage.surveys import find_duplicates
from tests.conftest import ACCESS_TOKEN, CHANNEL_SECRET, DATA_KEY
from tests.support.world import World

HEAD_ID, PHONE = "1103701234563", "0812345678"
OLD, NEW = DATA_KEY, make_key_text("k2")


@pytest.fixture
def stored_under_the_old_key(db_engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """A household, member, person and sensitive answer sealed with the old key; one phone still plain (before upgrade)."""
    use_keyring(Keyring.parse(OLD))
    world = World(db_engine)
    municipality = world.municipality()
    volunteer = world.person("volunteer", municipality)
    household = world.household(municipality, None, volunteer, "10030123456")
    with Session(db_engine) as session, session.begin():
        row = session.get(Household, household)
        row.head_national_id, row.phone = HEAD_ID, PHONE
        session.add(HouseholdMember(household_id=household, member_no=1, national_id=HEAD_ID))
        session.get(Person, volunteer).phone = PHONE
        session.execute(insert(SurveyAnswer.__table__).values(household_id=household, code="head_national_id", member_no=0, value=Sensitive(HEAD_ID), answered_at=datetime.now(timezone.utc)))
        # An answer written before encryption existed: plain in a sensitive question.
        session.execute(insert(SurveyAnswer.__table__).values(household_id=household, code="phone", member_no=0, value=PHONE, answered_at=datetime.now(timezone.utc)))
    return {"household": household, "municipality": municipality, "volunteer": volunteer}


def key_ids(db_engine) -> list[str | None]:  # type: ignore[no-untyped-def]
    """The key id of every stored personal value, read with plain SQL."""
    queries = (
        "SELECT head_national_id FROM households UNION ALL SELECT phone FROM households",
        "SELECT national_id FROM household_members UNION ALL SELECT phone FROM people WHERE phone IS NOT NULL",
        "SELECT value FROM survey_answers WHERE code IN ('head_national_id', 'phone')",
    )
    with db_engine.connect() as connection:
        return [key_id_of(value) for query in queries for (value,) in connection.execute(text(query))]


def test_rotate_key_reseals_everything_under_the_new_key_and_search_still_finds_the_household(stored_under_the_old_key, db_engine, database_url, line_api_url):
    assert set(key_ids(db_engine)) == {"test1", None}  # the plain answer from before encryption
    env = {"DATABASE_URL": database_url, "LINE_CHANNEL_SECRET": CHANNEL_SECRET, "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN, "LINE_API_BASE_URL": line_api_url, "DATA_KEY": f"{NEW},{OLD}"}
    result = CliRunner().invoke(main, ["rotate-key"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "6 value(s) resealed" in result.output
    assert set(key_ids(db_engine)) == {"k2"}
    # Readable with the new key alone, and the duplicate check finds the head's ID by its new hash.
    use_keyring(Keyring.parse(NEW))
    with Session(db_engine) as session:
        household = session.get(Household, stored_under_the_old_key["household"])
        assert (household.head_national_id, household.phone) == (HEAD_ID, PHONE)
        twin = Household(municipality_id=household.municipality_id, round_name=household.round_name, form_id="f", form_version="1", status="draft", head_national_id=HEAD_ID)
        assert [h.id for h in find_duplicates(session, twin, (("head_national_id",),))] == [household.id]
        assert session.get(Person, stored_under_the_old_key["volunteer"]).phone == PHONE
    use_keyring(Keyring.parse(DATA_KEY))


def test_an_interrupted_rotation_resumes_where_it_stopped(stored_under_the_old_key, db_engine):
    ring = Keyring.parse(f"{NEW},{OLD}")
    use_keyring(ring)
    factory = make_session_factory(db_engine)
    sensitive = {"head_national_id", "phone"}
    assert pending(factory, ring, sensitive) == 6

    def stop_after_two(done=[0]):  # type: ignore[no-untyped-def]
        done[0] += 1
        if done[0] > 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reseal(factory, ring, sensitive, lambda n: stop_after_two())
    left = pending(factory, ring, sensitive)
    assert 0 < left < 6
    assert reseal(factory, ring, sensitive) == left
    assert pending(factory, ring, sensitive) == 0 and set(key_ids(db_engine)) == {"k2"}
    use_keyring(Keyring.parse(DATA_KEY))

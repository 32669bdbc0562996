"""`thaiqm-bot demo`: a ready demo municipality, seeded once however often it runs."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import cli
from bot.demo import seed_database
from bot.emulator.personas import PERSONAS_BY_KEY
from bot.policy import can_view_household
from storage.models import Community, Household, LineUser, Municipality, Person


def counts(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Rows per demo table."""
    with Session(engine) as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in (Municipality, Community, Person, Household, LineUser)}


def test_demo_seeds_a_municipality_with_people_and_households(database_url, db_engine):
    assert seed_database(database_url) == "3 communities, 1 supervisor, 2 volunteers, 5 households"
    with Session(db_engine) as session:
        people = {p.role: p for p in session.scalars(select(Person))}
        statuses = sorted(h.status for h in session.scalars(select(Household)))
        friends = session.scalars(select(LineUser).where(LineUser.active.is_(True), LineUser.followed_at.is_not(None))).all()
    assert set(people) == {"supervisor", "volunteer", "household"}
    assert statuses == ["draft"] + ["submitted"] * 4
    assert {u.line_user_id for u in friends} == {p.line_user_id for p in PERSONAS_BY_KEY.values()}


def test_running_the_demo_seed_twice_changes_nothing(database_url, db_engine):
    seed_database(database_url)
    first = counts(db_engine)
    assert seed_database(database_url) == "3 communities, 1 supervisor, 2 volunteers, 5 households"
    assert counts(db_engine) == first == {"Municipality": 1, "Community": 3, "Person": 4, "Household": 5, "LineUser": 4}


def test_demo_people_see_what_the_access_policy_allows(database_url, db_engine):
    seed_database(database_url)
    with Session(db_engine) as session:
        people = {p.full_name: p for p in session.scalars(select(Person))}
        households = session.scalars(select(Household)).all()
        supervisor = next(p for p in people.values() if p.role == "supervisor")
        volunteers = [p for p in people.values() if p.role == "volunteer"]
        assert all(can_view_household(supervisor, h) for h in households)
        seen = [sum(can_view_household(v, h) for h in households) for v in volunteers]
    assert sorted(seen) == [1, 4]  # the draft belongs to the volunteer with three submitted


@pytest.fixture
def no_line_credentials(monkeypatch, database_url):  # type: ignore[no-untyped-def]
    """The environment of a newcomer: no LINE credentials, the test database."""
    monkeypatch.delenv("LINE_CHANNEL_SECRET", raising=False)
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("LINE_API_BASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    served: list[tuple[str, int]] = []
    monkeypatch.setattr("werkzeug.serving.run_simple", lambda host, port, app, **kw: served.append((host, port)))
    monkeypatch.setattr(cli, "_start_local_line", lambda config: None)
    return served


def test_demo_command_seeds_twice_and_prints_the_emulator_address(no_line_credentials, db_engine):
    for _ in range(2):
        result = CliRunner().invoke(cli.main, ["demo", "--port", "8123"])
        assert result.exit_code == 0, result.output
        assert "LINE emulator: open http://127.0.0.1:8123/emulator" in result.output
        assert "3 communities, 1 supervisor, 2 volunteers, 5 households" in result.output
    assert no_line_credentials == [("127.0.0.1", 8123)] * 2
    assert counts(db_engine)["Person"] == 4


def test_serve_in_local_mode_listens_on_loopback_only(no_line_credentials):
    result = CliRunner().invoke(cli.main, ["serve", "--host", "0.0.0.0", "--port", "8124"])
    assert result.exit_code == 0, result.output
    assert no_line_credentials == [("127.0.0.1", 8124)]
    assert "http://127.0.0.1:8124/emulator" in result.output


def test_demo_refuses_to_run_with_real_line_credentials(no_line_credentials, monkeypatch, db_engine):
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "real-secret")
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "real-token")
    result = CliRunner().invoke(cli.main, ["demo"])
    assert result.exit_code != 0
    assert "unset LINE_CHANNEL_SECRET" in result.output
    assert no_line_credentials == []
    assert counts(db_engine)["Municipality"] == 0


def test_serve_with_real_credentials_has_no_emulator_address(no_line_credentials, monkeypatch):
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "real-secret")
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "real-token")
    result = CliRunner().invoke(cli.main, ["serve", "--port", "8125"])
    assert result.exit_code == 0, result.output
    assert "/emulator" not in result.output

"""The app's repeated statements are prepared on PostgreSQL: same rows, one parse and plan per connection."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine, case, func, select, text

from bot.state import app_state
from storage.db import SERVING_TIMEOUT, make_engine
from storage.models import LineUser
from storage.prepared import translated
from tests.support.survey import make_volunteer


def prepared_on(engine: Engine) -> list[str]:
    """The statements prepared on the connection the pool hands out next (their text, PREPARE and all)."""
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT statement FROM pg_prepared_statements")).scalars())


@pytest.fixture
def postgresql_url(database_url: str) -> str:
    """The test database, when it is PostgreSQL (SQLite has nothing to prepare)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("prepared statements are PostgreSQL's")
    return database_url


@pytest.mark.once
def test_parameters_are_numbered_in_order_of_first_use_and_literal_percent_signs_kept():
    statement = "SELECT a FROM t WHERE a = %(x)s AND b LIKE 'x%%' AND c = %(y)s AND d = %(x)s AND e = '%%(z)s'"
    prepared = translated(statement, {"x": "INTEGER"})
    # A parameter of no known type is left for PostgreSQL to infer.
    assert prepared.prepare == f"PREPARE {prepared.name} (INTEGER, unknown) AS SELECT a FROM t WHERE a = $1 AND b LIKE 'x%' AND c = $2 AND d = $1 AND e = '%(z)s'"
    assert prepared.execute == f"EXECUTE {prepared.name} (%(x)s, %(y)s)"
    assert translated(statement).name == prepared.name != translated(statement + " ").name


def test_parameters_keep_the_types_their_literals_had(postgresql_url, db_engine):
    """`THEN 1` is an integer literal; an untyped `THEN $1` would be text, and `sum` of it fails."""
    with db_engine.begin() as connection:
        connection.execute(LineUser.__table__.insert(), [{"line_user_id": f"U{n}", "active": n % 2 == 0, "events_handled": 1} for n in range(3)])
    engine = make_engine(postgresql_url, timeout=SERVING_TIMEOUT, prepare_repeated=True)
    query = select(func.sum(case((LineUser.active, 1), else_=0)), func.max(LineUser.line_user_id)).where(LineUser.line_user_id.like("U%"))
    try:
        for _ in range(4):
            with engine.begin() as connection:
                assert connection.execute(query).one() == (2, "U2")
        assert any("(INTEGER, INTEGER, VARCHAR)" in statement for statement in prepared_on(engine))
    finally:
        engine.dispose()


def test_a_statement_run_a_few_times_is_prepared_and_gives_the_same_rows(postgresql_url, db_engine):
    with db_engine.begin() as connection:
        connection.execute(LineUser.__table__.insert(), [{"line_user_id": f"U{n}", "active": True, "events_handled": n} for n in range(3)])
    engine = make_engine(postgresql_url, timeout=SERVING_TIMEOUT, prepare_repeated=True)
    # A literal percent sign and a parameter used twice: both survive the translation.
    query = select(LineUser.line_user_id).where(LineUser.line_user_id.like("U%"), LineUser.events_handled >= 1, LineUser.line_user_id != "U1").order_by(LineUser.line_user_id)
    try:
        results = []
        for _ in range(6):
            with engine.begin() as connection:
                results.append(connection.execute(query).scalars().all())
        assert results == [["U2"]] * 6
        assert any("line_users.line_user_id LIKE" in statement for statement in prepared_on(engine))
    finally:
        engine.dispose()


@pytest.mark.unprepared
def test_a_statement_that_cannot_be_prepared_runs_unprepared_and_is_logged_without_its_text(postgresql_url, caplog):
    engine = make_engine(postgresql_url, timeout=SERVING_TIMEOUT, prepare_repeated=True)
    # A parameter tested only for NULL has no type PostgreSQL can infer for PREPARE (as text it runs).
    query = text("SELECT :secret IS NULL")
    try:
        with caplog.at_level(logging.WARNING, logger="storage.prepared"):
            for _ in range(5):
                with engine.begin() as connection:
                    assert connection.execute(query, {"secret": "1-2345-67890-12-3"}).scalar() is False
        (warning,) = [record.getMessage() for record in caplog.records if record.name == "storage.prepared"]
        assert "not prepared" in warning and "SELECT" not in warning
        assert not any("$1 IS NULL" in statement for statement in prepared_on(engine))
    finally:
        engine.dispose()


def test_the_survey_steps_statements_are_prepared_and_the_answers_stored(postgresql_url, app, line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    for text_ in ["สำรวจ", "1", "1", "วันนี้", "ข้าม"]:
        chat.say(text_)
    replies = [chat.say(house) for house in ["12/3", "ย้อนกลับ", "45/6", "ย้อนกลับ", "78/9"]]
    prepared = prepared_on(app_state(app).engine)
    # The event's claim, its person read and the outbox row: every step runs them.
    assert any("INSERT INTO processed_events" in statement for statement in prepared)
    assert any("FROM people LEFT OUTER JOIN conversations" in statement for statement in prepared)
    assert any("INSERT INTO outbox" in statement for statement in prepared)
    with db_engine.connect() as connection:
        stored = connection.execute(text("SELECT value FROM survey_answers WHERE code = 'house_no'")).scalar()
    assert stored == "78/9"
    # The first answer ran unprepared, the last prepared: the volunteer sees the same next question.
    assert replies[-1].text and replies[-1].buttons == replies[0].buttons

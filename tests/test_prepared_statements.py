"""The app's repeated statements are prepared on PostgreSQL: the same rows, one parse and plan per connection."""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Engine, case, func, select, text
from sqlalchemy.exc import OperationalError

from bot.state import app_state
from storage.db import SERVING_TIMEOUT, make_engine
from storage.models import LineUser, OutboxMessage
from storage import prepared
from storage.prepared import PreparedStatements, literal_type, translated
from tests.support.survey import make_volunteer


def runs_of_prepared(engine: Engine, fragment: str) -> int:
    """How often the statements holding `fragment` ran prepared, over every connection of the pool."""
    with ExitStack() as stack:  # all at once: each is another pooled connection
        connections = [stack.enter_context(engine.connect()) for _ in range(5)]
        return sum(
            connection.execute(text("SELECT coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements WHERE strpos(statement, :f) > 0"), {"f": fragment}).scalar_one()
            for connection in connections
        )


@pytest.fixture
def postgresql_url(database_url: str) -> str:
    """The test database, when it is PostgreSQL (SQLite has nothing to prepare)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("prepared statements are PostgreSQL's")
    return database_url


@pytest.fixture
def app_engine(postgresql_url: str):  # type: ignore[no-untyped-def]
    """An engine as the app makes it, with three users stored."""
    engine = make_engine(postgresql_url, timeout=SERVING_TIMEOUT, prepare_repeated=True)
    with engine.begin() as connection:
        connection.execute(LineUser.__table__.insert(), [{"line_user_id": f"U{n}", "active": n % 2 == 0, "events_handled": n} for n in range(3)])
    yield engine
    engine.dispose()


@pytest.mark.once
def test_parameters_are_numbered_in_order_of_first_use_and_literal_percent_signs_kept():
    statement = "SELECT a FROM t WHERE a = %(x)s AND b LIKE 'x%%' AND c = %(y)s AND d = %(x)s AND e = '%%(z)s'"
    prepared = translated(statement, ("integer", "unknown"))
    assert prepared.prepare == f"PREPARE {prepared.name} (integer, unknown) AS SELECT a FROM t WHERE a = $1 AND b LIKE 'x%' AND c = $2 AND d = $1 AND e = '%(z)s'"
    assert prepared.execute == f"EXECUTE {prepared.name} (%(x)s, %(y)s)"
    # The same text with other parameter types is another prepared statement.
    assert translated(statement, ("integer", "unknown")).name == prepared.name != translated(statement, ("bigint", "unknown")).name


@pytest.mark.once
def test_each_value_is_declared_as_the_type_its_literal_had():
    assert [literal_type(v) for v in ("ก", None, True, 1, 2**40, 10**30, 1.5, float("nan"), Decimal("2.5"))] == [
        "unknown", "unknown", "boolean", "integer", "bigint", "numeric", "numeric", "double precision", "numeric"
    ]
    assert literal_type(datetime(2026, 1, 1, tzinfo=timezone.utc)) == "timestamptz"
    assert literal_type(datetime(2026, 1, 1)) == "timestamp"
    assert literal_type(date(2026, 1, 1)) == "date"
    assert literal_type([1, 2]) is None and literal_type(b"x") is None  # such statements stay unprepared


def test_a_repeated_statement_runs_prepared_and_gives_the_same_rows(app_engine):
    # A literal percent sign, and a parameter used twice.
    query = select(LineUser.line_user_id).where(LineUser.line_user_id.like("U%"), LineUser.events_handled >= 1, LineUser.line_user_id != "U1")
    results = []
    for _ in range(6):
        with app_engine.begin() as connection:
            results.append(connection.execute(query).scalars().all())
    assert results == [["U2"]] * 6
    assert runs_of_prepared(app_engine, "line_users.line_user_id LIKE") > 0


def test_numbers_keep_the_meaning_their_literals_had(app_engine):
    # THEN 1 is an integer literal (an untyped THEN $1 would be text, and sum() of it fails);
    # a number past an integer's range finds no row, as the literal did, rather than failing.
    counted = select(func.sum(case((LineUser.active, 1), else_=0)), func.max(LineUser.line_user_id)).where(LineUser.line_user_id.like("U%"))
    for huge in (2**40, 10**30, 7, 10**30, 2**40, 10**30, 7):
        with app_engine.begin() as connection:
            assert connection.execute(counted).one() == (2, "U2")
            assert connection.execute(select(LineUser.line_user_id).where(LineUser.events_handled == huge)).all() == []
    assert runs_of_prepared(app_engine, "sum(CASE WHEN") > 0
    assert runs_of_prepared(app_engine, "line_users.events_handled = $1") > 0


def test_production_prepares_a_statement_after_its_third_run_only(postgresql_url, db_engine):
    engine = make_engine(postgresql_url, timeout=SERVING_TIMEOUT)
    PreparedStatements(prepare_after=3).install(engine)  # the production threshold (this run lowers the module's)
    query = select(LineUser.line_user_id).where(LineUser.events_handled == 5)
    try:
        prepared_after = []
        for _ in range(4):
            with engine.begin() as connection:
                connection.execute(query).all()
            prepared_after.append(runs_of_prepared(engine, "line_users.events_handled = $1"))
        assert prepared_after == [0, 0, 0, 1]  # asked for at the third run, prepared at the next checkout
    finally:
        engine.dispose()


@pytest.mark.unprepared
def test_a_statement_that_cannot_be_prepared_runs_unprepared_and_is_logged_without_its_text(app_engine, caplog):
    # A parameter tested only for NULL has no type PostgreSQL can infer for PREPARE (as a literal it runs).
    query = text("SELECT :secret IS NULL")
    with caplog.at_level(logging.WARNING, logger="storage.prepared"):
        for _ in range(5):
            with app_engine.begin() as connection:
                assert connection.execute(query, {"secret": "1-2345-67890-12-3"}).scalar() is False
    (warning,) = [record.getMessage() for record in caplog.records if record.name == "storage.prepared"]
    assert "not prepared" in warning and "SELECT" not in warning and "1-2345" not in warning


def test_a_locked_table_does_not_hold_up_other_events_and_is_prepared_later(app_engine, db_engine):
    users = select(LineUser.line_user_id).where(LineUser.line_user_id == "U2")
    pending = select(OutboxMessage.id).where(OutboxMessage.chat_id == "U2")
    with app_engine.begin() as connection:  # both asked for on every connection, from the next checkout on
        for _ in range(prepared.PREPARE_AFTER):
            connection.execute(users).all()
            connection.execute(pending).all()
    with db_engine.connect() as locker:
        locker.begin()
        locker.execute(text("LOCK TABLE line_users IN ACCESS EXCLUSIVE MODE"))  # as a migration would
        started = time.monotonic()
        with app_engine.begin() as connection:  # an event that reads only the outbox
            assert connection.execute(pending).all() == []
        assert time.monotonic() - started < 1.0
        assert runs_of_prepared(app_engine, "outbox.chat_id = $1") == 0  # nothing was prepared while the table was locked
        locker.rollback()
    for _ in range(2):
        with app_engine.begin() as connection:
            assert connection.execute(users).scalars().all() == ["U2"]
    assert runs_of_prepared(app_engine, "line_users.line_user_id = $1") > 0


def test_statements_the_server_lost_fail_the_event_as_the_database_and_are_prepared_again(app_engine):
    query = select(LineUser.line_user_id).where(LineUser.events_handled == 2)
    for _ in range(3):
        with app_engine.begin() as connection:
            connection.execute(query).all()
    with app_engine.connect() as connection:
        connection.exec_driver_sql("DEALLOCATE ALL")  # DISCARD ALL, or a pooler handing the connection around
        connection.commit()
        # An infrastructure error: the webhook answers 503 and LINE delivers the event again.
        with pytest.raises(OperationalError, match="prepared statements were lost"):
            connection.execute(query).all()
        connection.rollback()
    for _ in range(2):
        with app_engine.begin() as connection:
            assert connection.execute(query).scalars().all() == ["U2"]
    assert runs_of_prepared(app_engine, "line_users.events_handled = $1") > 0


def test_the_survey_steps_statements_run_prepared_and_the_answers_are_stored(postgresql_url, app, line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    for text_ in ["สำรวจ", "1", "1", "วันนี้", "ข้าม"]:
        chat.say(text_)
    replies = [chat.say(house) for house in ["12/3", "ย้อนกลับ", "45/6", "ย้อนกลับ", "78/9"]]
    engine = app_state(app).engine
    # The event's claim, its person read and the outbox row: every step runs them.
    for fragment in ("INSERT INTO processed_events", "FROM people LEFT OUTER JOIN conversations", "INSERT INTO outbox"):
        assert runs_of_prepared(engine, fragment) > 0, fragment
    with db_engine.connect() as connection:
        stored = connection.execute(text("SELECT value FROM survey_answers WHERE code = 'house_no'")).scalar()
    assert stored == "78/9"
    # The first answer ran unprepared, the last prepared: the volunteer sees the same next question.
    assert replies[-1].text and replies[-1].buttons == replies[0].buttons

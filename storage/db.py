"""Engine and session factory: SQLite tuned for concurrent writers, PostgreSQL as is."""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from storage.prepared import PreparedStatements

T = TypeVar("T")

class _NoRowsInLogs(logging.Filter):
    """SQLAlchemy at DEBUG logs every row it reads, i.e. people's answers: drop those lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep statements (their parameters are hidden), drop rows and column lists."""
        return not (isinstance(record.msg, str) and record.msg.startswith(("Row ", "Col ")))


logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NoRowsInLogs())

# Seconds a command's (CLI, migrations) statement or lock wait may take: batch work is slow.
BATCH_TIMEOUT = 60.0
# Seconds the app (webhooks, jobs) waits for a lock, a statement or a pooled connection:
# LINE gives a webhook 2 s, and a 503 before that makes LINE redeliver.
SERVING_TIMEOUT = 1.5
# libpq waits at least 2 s for a connection (it rounds smaller values up).
PG_CONNECT_TIMEOUT = 2

# The PostgreSQL driver: psycopg2 (its cost per statement is lower than psycopg 3's, bench/RESULTS.md).
POSTGRESQL_DRIVER = "postgresql+psycopg2"

# Errors that mean "the database was not there", as opposed to a bug.
INFRASTRUCTURE_ERRORS = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


class DatabaseTimeout(OperationalError):
    """The database did not finish in time (frozen, or overloaded): an infrastructure error."""

    def __init__(self, what: str):
        super().__init__(what, None, TimeoutError(what))


# PostgreSQL aborted the transaction to break a deadlock (40P01) or a serialization conflict
# (40001): nothing is wrong with the work, and run again it goes through.
_CONFLICT_STATES = frozenset({"40P01", "40001"})


def is_transient_conflict(error: BaseException) -> bool:
    """True when the database aborted a transaction only because another one collided with it."""
    if not isinstance(error, OperationalError):
        return False
    original = error.orig
    return (getattr(original, "pgcode", None) or getattr(original, "sqlstate", None)) in _CONFLICT_STATES


def is_infrastructure_error(error: BaseException) -> bool:
    """True when an error says the database is unavailable, not that the code is wrong."""
    return isinstance(error, INFRASTRUCTURE_ERRORS)


def make_engine(database_url: str, timeout: float = BATCH_TIMEOUT, read_only: bool = False, prepare_repeated: bool = False) -> Engine:
    """Create the engine for a URL; SQLite gets WAL, a busy timeout and immediate transactions.

    `timeout` bounds lock waits and statements (server side on PostgreSQL) and waits for a
    pooled connection; the app passes SERVING_TIMEOUT. `read_only` engines (long reports)
    write nothing and, on SQLite, take no write lock. `prepare_repeated` (the app's engine)
    prepares statements it runs again and again on PostgreSQL (storage/prepared.py). A frozen server enforces nothing:
    `within_deadline` bounds that from our side. Parameters are people's answers:
    SQLAlchemy keeps them out of its logs and error texts.
    """
    url = make_url(database_url)
    if url.drivername in ("postgresql", "postgres"):
        # SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3, which is not installed.
        url = url.set(drivername=POSTGRESQL_DRIVER)
    if url.get_backend_name() != "sqlite":
        millis = int(timeout * 1000)
        # TimeZone=UTC: times come back in UTC whatever the server's own zone (code compares them with UTC clocks).
        options = f"-c statement_timeout={millis} -c lock_timeout={millis} -c idle_in_transaction_session_timeout={max(millis * 4, 10_000)} -c TimeZone=UTC"
        if read_only:
            options += " -c default_transaction_read_only=on"
        engine = create_engine(
            url,
            pool_size=5,
            max_overflow=10,
            pool_timeout=timeout,
            hide_parameters=True,
            connect_args={"connect_timeout": PG_CONNECT_TIMEOUT, "options": options},
        )
        _ping_when_idle(engine)
        if prepare_repeated:
            PreparedStatements().install(engine)  # after the ping: a connection is known alive before preparing on it
        return engine
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    _require_sqlite_json()
    engine = create_engine(url, connect_args={"timeout": timeout}, hide_parameters=True)
    _tune_sqlite(engine, int(timeout * 1000), "BEGIN" if read_only else "BEGIN IMMEDIATE")
    return engine


# Seconds a pooled connection may rest before it is pinged when taken out again.
PING_AFTER_IDLE = 1.0


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only when it has rested (a restarted server closed it).

    SQLAlchemy's pre-ping costs a round trip on every checkout, a tenth of a survey step's.
    A connection returned less than PING_AFTER_IDLE ago is used as is: if the server went
    away in that second, the event fails with an infrastructure error (503, LINE redelivers)
    and SQLAlchemy discards the pool's connections.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):  # type: ignore[no-untyped-def]
        record.info["rested_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):  # type: ignore[no-untyped-def]
        rested_since = record.info.get("rested_since")
        if rested_since is None or time.monotonic() - rested_since < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # any failure: the pool replaces the connection
            raise DisconnectionError("pooled connection lost") from error


@functools.cache  # the library is the process's: checked once, not for every engine (each CLI command, each test)
def _require_sqlite_json() -> None:
    """Refuse to start on an SQLite without JSON functions (the person read aggregates a draft's answers with them)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("SELECT json_group_array(json_array(1))")
    except sqlite3.OperationalError:
        raise RuntimeError(f"this Python's SQLite {sqlite3.sqlite_version} has no JSON functions: SQLite 3.38 or newer (or one built with JSON1) is needed") from None
    finally:
        probe.close()


def _tune_sqlite(engine: Engine, busy_timeout_ms: int, begin: str = "BEGIN IMMEDIATE") -> None:
    """Make every SQLite transaction take the write lock at BEGIN.

    SQLite has no row locks; BEGIN IMMEDIATE serializes writers up front, which is
    what keeps one user's events from interleaving (and avoids the deadlock-prone
    upgrade from a read lock to a write lock inside a transaction).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    def do_begin(dbapi_connection):  # type: ignore[no-untyped-def]
        dbapi_connection.execute(begin)

    # The dialect's own hook, not a "begin" event: any engine event sends every statement
    # down SQLAlchemy's slower event path, and exec_driver_sql ran a full execution for BEGIN.
    engine.dialect.do_begin = do_begin  # type: ignore[method-assign]


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """One session factory per app; objects stay usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with factory.begin() as session:
        yield session


def is_reachable(engine: Engine, deadline: "Deadline", seconds: float = 0.8) -> bool:
    """True when the database answers a trivial query within `seconds`."""

    def ping() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        deadline.run(ping, seconds)
        return True
    except Exception:  # any driver error or the deadline means "not reachable" for a health check
        return False


class Deadline:
    """Runs database work in a few threads and stops waiting for it after a given time.

    A frozen server (stopped, not down) answers nothing and enforces no timeout of its own;
    the socket just waits. The caller gets DatabaseTimeout in time to answer 503 (LINE
    redelivers). Work that had not started by then is cancelled; work stuck in a thread goes
    on there and, if it ever commits, the redelivered event is recognised by its id. So a
    frozen database holds at most `threads` threads, and further calls fail in time.
    """

    def __init__(self, threads: int = 8):
        self._threads = threads
        self._guard = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._pid = os.getpid()

    def run(self, work: Callable[[], T], seconds: float) -> T:
        """The result of `work`, or DatabaseTimeout when it takes longer than `seconds`."""
        with self._guard:
            if self._pool is None or self._pid != os.getpid():  # threads do not survive gunicorn's fork
                self._pool, self._pid = ThreadPoolExecutor(self._threads, thread_name_prefix="db-deadline"), os.getpid()
            future = self._pool.submit(work)
        try:
            return future.result(timeout=seconds)
        except FutureTimeout:
            future.cancel()  # not started yet: it never will be
            raise DatabaseTimeout(f"no answer from the database within {seconds:g}s") from None

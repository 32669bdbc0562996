"""Engine and session factory: SQLite tuned for concurrent writers, PostgreSQL as is."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

class _NoRowsInLogs(logging.Filter):
    """SQLAlchemy at DEBUG logs every row it reads, i.e. people's answers: drop those lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep statements (their parameters are hidden), drop rows and column lists."""
        return not (isinstance(record.msg, str) and record.msg.startswith(("Row ", "Col ")))


logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NoRowsInLogs())

# Milliseconds a SQLite writer waits for another's lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(database_url: str) -> Engine:
    """Create the engine for a URL; SQLite gets WAL, a busy timeout and immediate transactions.

    Parameters are people's answers: SQLAlchemy keeps them out of its logs and error texts.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True)
    _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: Engine) -> None:
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
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """One session factory per app; objects stay usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with factory.begin() as session:
        yield session


def is_reachable(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # any driver error means "not reachable" for a health check
        return False

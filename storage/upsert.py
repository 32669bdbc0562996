"""INSERT … ON CONFLICT for whichever database the session talks to, built once per shape."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert


def dialect_insert(dialect: str):  # type: ignore[no-untyped-def]
    """The insert() that knows ON CONFLICT for this dialect."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


@functools.cache
def _insert_ignoring(dialect: str, table: Table, columns: tuple[str, ...]) -> Insert:
    """The statement for a table and column set, with bound parameters (built once: building costs)."""
    values = {column: bindparam(column) for column in columns}
    # RETURNING rather than rowcount: not every driver reports a rowcount for this statement.
    return dialect_insert(dialect)(table).values(values).on_conflict_do_nothing().returning(*table.primary_key.columns)


def insert_ignoring_conflict(session: Session, table: Table, values: dict[str, Any]) -> bool:
    """Insert a row unless its key exists; True when a row was inserted."""
    statement = _insert_ignoring(session.get_bind().dialect.name, table, tuple(sorted(values)))
    return session.execute(statement, values).first() is not None

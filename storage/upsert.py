"""INSERT … ON CONFLICT DO NOTHING, for whichever database the session talks to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_conflict(session: Session, table: Table, values: dict[str, Any]) -> bool:
    """Insert a row unless its key exists; True when a row was inserted."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING rather than rowcount: psycopg 3 reports -1 for this statement.
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return session.execute(statement).first() is not None

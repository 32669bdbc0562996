"""Alembic environment: runs migrations on the URL the bot's CLI hands it."""

from __future__ import annotations

from alembic import context

from storage.db import make_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations on a live connection (SQLite gets batch mode for ALTERs)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    """Configure the context on a connection and run the pending migrations."""
    if connection.dialect.name == "sqlite" and not connection.in_transaction():
        # Batch mode rebuilds a table (copy, drop, rename); with foreign keys enforced, dropping
        # a table other rows refer to fails. SQLite ignores this PRAGMA inside a transaction.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        _migrate(connection)
    finally:
        if connection.dialect.name == "sqlite" and not connection.in_transaction():
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    """Run the pending migrations in one transaction."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: give a database URL")
run_migrations_online()

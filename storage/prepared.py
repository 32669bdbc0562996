"""PostgreSQL: the app's repeated statements prepared once per connection, then only executed.

psycopg2 sends every statement as text, so PostgreSQL parses and plans each one again.
For a survey step's eight statements that took 1.35 ms of the server's time against 0.78 ms
prepared (pgbench, bench/RESULTS.md), all of it on the path the webhook waits for. Here a
statement the app has run a few times is prepared on each pooled connection when the
connection is taken from the pool (outside any event's transaction, so a statement that
cannot be prepared costs nothing but a log line), and from then on sent as
`EXECUTE name(parameters)`: the same parameters, quoted by psycopg2 as before.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.types import NullType

log = logging.getLogger(__name__)

# Runs of the same statement text before it is prepared: one-off statements (reports, a rare
# handler's) stay plain.
PREPARE_AFTER = 3
# Statements prepared at most, and distinct texts counted at most (an IN list renders a new text per length).
MOST_PREPARED = 200
MOST_COUNTED = 5_000
# The pooled connection's info keys: statement text -> its EXECUTE text, and the registry version it has.
_READY = "thaiqm_prepared"
_VERSION = "thaiqm_prepared_version"
_FAILED = "thaiqm_prepared_failed"
# %% is a literal percent sign; %(name)s a parameter (psycopg2's pyformat, as SQLAlchemy renders it).
_MARKS = re.compile(r"%%|%\(([^()]+)\)s")
_PREPARABLE = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


@dataclass(frozen=True)
class Prepared:
    """One statement's PREPARE and EXECUTE texts."""

    name: str
    prepare: str  # sent without parameters: %% already made %
    execute: str  # sent with the statement's own parameters


def translated(statement: str, types: Mapping[str, str] | None = None) -> Prepared:
    """The PREPARE and EXECUTE texts of a pyformat statement (its parameters numbered in order of first use).

    `types` gives parameters their SQL types; the others are left for PostgreSQL to infer.
    """
    names: list[str] = []

    def numbered(mark: re.Match[str]) -> str:
        name = mark.group(1)
        if name is None:
            return "%"
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    body = _MARKS.sub(numbered, statement)
    name = "thaiqm_" + hashlib.blake2s(statement.encode(), digest_size=8).hexdigest()
    arguments = f" ({', '.join(f'%({n})s' for n in names)})" if names else ""
    declared = f" ({', '.join((types or {}).get(n, 'unknown') for n in names)})" if names else ""
    return Prepared(name, f"PREPARE {name}{declared} AS {body}", f"EXECUTE {name}{arguments}")


def parameter_types(context: Any) -> dict[str, str]:
    """The SQL types SQLAlchemy bound each named parameter with (as psycopg2's literals would be typed).

    Left to inference, a parameter can take another type than the literal it replaces: `THEN 1`
    is an integer, `THEN $1` text (and `sum` of it fails).
    """
    compiled = getattr(context, "compiled", None)
    if compiled is None:
        return {}
    dialect = context.dialect
    types = {}
    for bind, name in compiled.bind_names.items():
        try:
            if isinstance(bind.type, NullType):
                continue
            ddl = dialect.type_compiler_instance.process(bind.type._unwrapped_dialect_impl(dialect))
        except Exception:  # a type without a DDL name: PostgreSQL infers it
            continue
        types[compiled.escaped_bind_names.get(name, name)] = _LENGTH.sub("", ddl)
    return types


# VARCHAR(40) → VARCHAR: the column checks the length, as it did for the literal.
_LENGTH = re.compile(r"\(\s*\d+(\s*,\s*\d+)?\s*\)")


class PreparedStatements:
    """Counts the statements an engine runs and prepares the repeated ones on its pooled connections."""

    def __init__(self, prepare_after: int | None = None):
        self._prepare_after = PREPARE_AFTER if prepare_after is None else prepare_after  # read now: the tests lower it
        self._counts: dict[str, int] = {}
        self._wanted: dict[str, Prepared] = {}
        self._guard = threading.Lock()

    def install(self, engine: Engine) -> None:
        """Send the engine's prepared statements as EXECUTE, and prepare new ones at checkout."""
        dialect = engine.dialect
        plain = dialect.do_execute

        def do_execute(cursor, statement, parameters, context=None):  # type: ignore[no-untyped-def]
            # The dialect's own hook, not an engine event (those slow every statement down).
            if type(parameters) is dict and context is not None:
                ready = context.root_connection.connection.info.get(_READY)
                execute = ready.get(statement) if ready else None
                if execute is not None:
                    return plain(cursor, execute, parameters, context)
                self._count(statement, context)
            return plain(cursor, statement, parameters, context)

        dialect.do_execute = do_execute  # type: ignore[method-assign]
        event.listen(engine, "checkout", self._prepare_missing)

    def _count(self, statement: str, context: Any) -> None:
        """One more run of this text; the PREPARE_AFTER-th asks for it on every connection."""
        seen = self._counts.get(statement)
        if seen is None:
            if len(self._counts) >= MOST_COUNTED or not statement.lstrip().upper().startswith(_PREPARABLE):
                return
            seen = 0
        self._counts[statement] = seen + 1
        if seen + 1 == self._prepare_after and len(self._wanted) < MOST_PREPARED:
            with self._guard:
                self._wanted = {**self._wanted, statement: translated(statement, parameter_types(context))}  # replaced whole: readers see one or the other

    def _prepare_missing(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        """Prepare on this connection what it lacks (between events: no transaction is open)."""
        wanted = self._wanted
        if record.info.get(_VERSION) is wanted:
            return
        ready: dict[str, str] = record.info.setdefault(_READY, {})
        failed: set[str] = record.info.setdefault(_FAILED, set())
        for statement, prepared in wanted.items():
            if statement in ready or statement in failed:
                continue
            try:
                with dbapi_connection.cursor() as cursor:
                    cursor.execute(prepared.prepare)
                dbapi_connection.rollback()  # psycopg2 opened a transaction for it; a prepared statement outlives it
            except Exception as error:
                _rollback_quietly(dbapi_connection)
                if _connection_lost(error):
                    raise DisconnectionError("pooled connection lost while preparing") from error
                # Only the statement's name and the error's class: the text may hold literals.
                log.warning("statement %s not prepared (%s): it runs unprepared", prepared.name, type(error).__name__)
                failed.add(statement)
                continue
            ready[statement] = prepared.execute
        record.info[_VERSION] = wanted


def _connection_lost(error: BaseException) -> bool:
    """True for the driver's errors that mean the connection is gone (not that the statement is wrong)."""
    import psycopg2

    return isinstance(error, (psycopg2.OperationalError, psycopg2.InterfaceError))


def _rollback_quietly(dbapi_connection: Any) -> None:
    """End the failed PREPARE's transaction; a dead connection is the pool's to replace."""
    try:
        dbapi_connection.rollback()
    except Exception:  # the connection is gone: the caller raises DisconnectionError or the next use fails
        pass

"""PostgreSQL: the app's repeated statements prepared once per connection, then only executed.

psycopg2 sends every statement as text, so PostgreSQL parses and plans each one again.
For a survey step's eight statements that took 1.35 ms of the server's time against 0.78 ms
prepared (pgbench, bench/RESULTS.md), all of it on the path the webhook waits for. Here a
statement the app has run a few times is prepared on each pooled connection when the pool
hands the connection out (between events, in one round trip), and from then on sent as
`EXECUTE name(parameters)`, the parameters quoted by psycopg2 as before.

PostgreSQL's own plan_cache_mode (auto) stays: it plans the first five runs for their values
and then keeps one generic plan only where that plan is estimated to cost no more (a partial
index's condition, a skewed municipality keep their own plans). Forcing a plan for every run
measured 1.2-1.6 ms of the server's CPU a step against 0.7-0.8 (no better than unprepared).

Each parameter is declared with the type PostgreSQL gave the literal psycopg2 wrote for its
value (an integer by its size, text left for PostgreSQL to infer, as a quoted literal is), and
a statement is prepared once per such combination: the prepared form means what the text
meant. Values of other kinds (lists, bytes) keep the statement unprepared.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psycopg2
from psycopg2 import extensions
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

log = logging.getLogger(__name__)

# Runs of the same statement (with parameters of the same types) before it is prepared:
# one-off statements (reports, a rare handler's) stay plain.
PREPARE_AFTER = 3
# Statements prepared at most, and distinct texts looked at most.
MOST_PREPARED = 200
MOST_COUNTED = 5_000
# What preparing may wait for at a checkout: a table locked by a recount or a migration
# makes it try again at a later checkout instead of holding up the event.
PREPARE_LOCK_TIMEOUT = "100ms"
PREPARE_STATEMENT_TIMEOUT = "500ms"
# The pooled connection's info keys (the info lives and dies with the database connection).
_READY = "thaiqm_prepared"  # (text, parameter types) -> EXECUTE text
_VERSION = "thaiqm_prepared_version"  # the registry this connection has caught up with
_FAILED = "thaiqm_prepared_failed"  # keys PostgreSQL refused to prepare here
_LOST = "thaiqm_prepared_lost"  # the server dropped this connection's statements: DEALLOCATE ALL, then prepare again
# %% is a literal percent sign; %(name)s a parameter (psycopg2's pyformat, as SQLAlchemy renders it).
_MARKS = re.compile(r"%%|%\(([^()]+)\)s")
_PREPARABLE = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
_NEVER = -(10**9)  # a count that never reaches PREPARE_AFTER
# SQLSTATEs that mean "busy now", not "cannot be prepared": lock or statement timeout, deadlock, no resources.
_BUSY = ("55P03", "57014", "40P01", "53")

Key = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Prepared:
    """One statement's PREPARE and EXECUTE texts."""

    name: str
    prepare: str  # sent without parameters: %% already made %
    execute: str  # sent with the statement's own parameters


def parameter_names(statement: str) -> tuple[str, ...]:
    """The statement's parameters in order of first use."""
    names: list[str] = []
    for mark in _MARKS.finditer(statement):
        if mark.group(1) is not None and mark.group(1) not in names:
            names.append(mark.group(1))
    return tuple(names)


def translated(statement: str, types: tuple[str, ...]) -> Prepared:
    """The PREPARE and EXECUTE texts of a pyformat statement whose parameters (in order of first use) have these types."""
    names = parameter_names(statement)
    body = _MARKS.sub(lambda mark: "%" if mark.group(1) is None else f"${names.index(mark.group(1)) + 1}", statement)
    name = "thaiqm_" + hashlib.blake2s(f"{statement}\0{types}".encode(), digest_size=8).hexdigest()
    declared = f" ({', '.join(types)})" if names else ""
    arguments = f" ({', '.join(f'%({n})s' for n in names)})" if names else ""
    return Prepared(name, f"PREPARE {name}{declared} AS {body}", f"EXECUTE {name}{arguments}")


_INT4 = (-(2**31), 2**31 - 1)
_INT8 = (-(2**63), 2**63 - 1)


def literal_type(value: Any) -> str | None:
    """The type PostgreSQL gives the literal psycopg2 writes for this value; None for values not prepared for.

    A quoted string (and NULL) is of no type until its context gives it one, as a
    parameter declared `unknown` is; a number is an integer, a bigint or a numeric by its size.
    """
    if value is None or isinstance(value, str):
        return "unknown"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer" if _INT4[0] <= value <= _INT4[1] else "bigint" if _INT8[0] <= value <= _INT8[1] else "numeric"
    if isinstance(value, datetime):  # psycopg2 writes '…'::timestamptz, or '…'::timestamp without a zone
        return "timestamptz" if value.tzinfo is not None else "timestamp"
    if isinstance(value, date):
        return "date"
    if isinstance(value, Decimal):
        return "numeric"
    if isinstance(value, float):  # 1.5 is a numeric literal; psycopg2 writes 'NaN'::float for the others
        return "numeric" if math.isfinite(value) else "double precision"
    return None


class PreparedStatements:
    """Counts the statements an engine runs and prepares the repeated ones on its pooled connections."""

    def __init__(self, prepare_after: int | None = None):
        self._prepare_after = PREPARE_AFTER if prepare_after is None else prepare_after  # read now: the tests lower it
        self._names: dict[str, tuple[str, ...]] = {}
        self._counts: dict[Key, int] = {}
        self._wanted: dict[Key, Prepared] = {}
        self._guard = threading.Lock()

    def install(self, engine: Engine) -> None:
        """Send the engine's prepared statements as EXECUTE, and prepare new ones at checkout."""
        dialect = engine.dialect
        plain = dialect.do_execute

        def do_execute(cursor, statement, parameters, context=None):  # type: ignore[no-untyped-def]
            # The dialect's own hook, not an engine event (those slow every statement down).
            key = self._key(statement, parameters) if type(parameters) is dict and context is not None else None
            if key is None:
                return plain(cursor, statement, parameters, context)
            info = context.root_connection.connection.info
            ready = info.get(_READY)
            execute = ready.get(key) if ready else None
            if execute is None:
                self._count(key, context)
                return plain(cursor, statement, parameters, context)
            try:
                return plain(cursor, execute, parameters, context)
            except psycopg2.Error as error:
                _forget_if_lost(info, error)
                raise

        dialect.do_execute = do_execute  # type: ignore[method-assign]
        event.listen(engine, "checkout", self._prepare_missing)

    def _key(self, statement: str, parameters: dict[str, Any]) -> Key | None:
        """The statement with its parameters' literal types; None when it is not to be prepared."""
        names = self._names.get(statement)
        if names is None:
            if len(self._names) >= MOST_COUNTED or not statement.lstrip()[:6].upper().startswith(_PREPARABLE):
                return None
            names = self._names[statement] = parameter_names(statement)
        types = tuple(literal_type(parameters.get(name)) for name in names)
        return None if None in types else (statement, types)  # type: ignore[return-value]

    def _count(self, key: Key, context: Any) -> None:
        """One more run of this statement; the PREPARE_AFTER-th asks for it on every connection."""
        seen = self._counts.get(key, 0) + 1
        if seen == 1 and len(self._counts) >= MOST_COUNTED:
            return
        if seen == self._prepare_after:
            compiled = getattr(context, "compiled", None)
            # An IN list renders a new text for every length: those would only fill the registry.
            if compiled is not None and any(getattr(bind, "expanding", False) for bind in compiled.binds.values()):
                seen = _NEVER
            elif len(self._wanted) < MOST_PREPARED:
                with self._guard:
                    self._wanted = {**self._wanted, key: translated(*key)}  # replaced whole: readers see one or the other
        self._counts[key] = seen

    def _prepare_missing(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        """Prepare on this connection what it lacks, between events (no transaction is open)."""
        wanted = self._wanted
        info = record.info
        if info.get(_VERSION) is wanted:
            return
        try:
            if info.get(_LOST):
                _run(dbapi_connection, ["DEALLOCATE ALL"])  # what the server may still hold under our names
                info[_LOST] = False
        except psycopg2.Error as error:
            _retry_later(dbapi_connection, error)  # a lost connection is the pool's to replace; else try at the next checkout
            return
        ready: dict[Key, str] = info.setdefault(_READY, {})
        failed: set[Key] = info.setdefault(_FAILED, set())
        missing = [(key, prepared) for key, prepared in wanted.items() if key not in ready and key not in failed]
        try:
            _run(dbapi_connection, [prepared.prepare for _key, prepared in missing])
            ready.update((key, prepared.execute) for key, prepared in missing)
        except psycopg2.Error as error:
            if _retry_later(dbapi_connection, error):
                return  # a locked table: try again at the next checkout
            # One of them cannot be prepared (those before it were): find it, one at a time.
            for key, prepared in missing:
                outcome = _prepare_one(dbapi_connection, prepared)
                if outcome is None:
                    return
                if outcome:
                    ready[key] = prepared.execute
                else:
                    failed.add(key)
        info[_VERSION] = wanted


def _prepare_one(dbapi_connection: Any, prepared: Prepared) -> bool | None:
    """Prepare one statement: True when it is (or already was), False when PostgreSQL refuses it, None when busy."""
    try:
        _run(dbapi_connection, [prepared.prepare])
        return True
    except psycopg2.Error as error:
        if getattr(error, "pgcode", None) == "42P05":  # prepared by the batch before it failed
            return True
        if _retry_later(dbapi_connection, error):
            return None
        # Only the statement's name and the error's class: the text may hold literals.
        log.warning("statement %s not prepared (%s): it runs unprepared", prepared.name, type(error).__name__)
        return False


def _run(dbapi_connection: Any, statements: list[str]) -> None:
    """Run PREPAREs (and DEALLOCATE) in one round trip, bounded in time, in a transaction of their own."""
    if not statements:
        return
    if dbapi_connection.get_transaction_status() != extensions.TRANSACTION_STATUS_IDLE:
        dbapi_connection.rollback()
    dbapi_connection.autocommit = True  # psycopg2 then sends no BEGIN; the statements below are one implicit transaction
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(
                f"SET LOCAL lock_timeout = '{PREPARE_LOCK_TIMEOUT}'; SET LOCAL statement_timeout = '{PREPARE_STATEMENT_TIMEOUT}'; "
                + "; ".join(statements)
            )
    finally:
        if not dbapi_connection.closed:
            dbapi_connection.autocommit = False


def _retry_later(dbapi_connection: Any, error: psycopg2.Error) -> bool:
    """True when preparing should wait for a later checkout (a lock, a timeout); raises DisconnectionError when the connection is gone."""
    if dbapi_connection.closed or isinstance(error, psycopg2.InterfaceError) or (isinstance(error, psycopg2.OperationalError) and error.pgcode is None):
        raise DisconnectionError("pooled connection lost while preparing statements") from error
    return (error.pgcode or "").startswith(_BUSY)


def _forget_if_lost(info: dict[str, Any], error: psycopg2.Error) -> None:
    """After the server lost this connection's prepared statements (DISCARD ALL, a pooler in
    transaction mode) or a migration changed a prepared statement's columns, use them no more:
    the next checkout prepares them afresh. The event fails as an infrastructure error (LINE
    redelivers it), as for a dropped connection.
    """
    code = getattr(error, "pgcode", None)
    if code == "26000" or (code == "0A000" and "cached plan" in str(error)):
        info[_READY] = {}
        info[_FAILED] = set()
        info[_VERSION] = None
        info[_LOST] = True
        raise psycopg2.OperationalError(f"the connection's prepared statements were lost ({code}): prepared again at next use") from error

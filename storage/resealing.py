"""Seal what is plain and reseal what an older key sealed: `db upgrade` and `rotate-key`.

Works in batches of rows, each batch its own transaction, and skips values already sealed
under the current key: an interrupted run is resumed by running it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from sqlalchemy import Column, Table, Text, select, type_coerce, update
from sqlalchemy.orm import Session, sessionmaker

from storage.crypto import Keyring, is_sealed, key_id_of
from storage.db import transaction
from storage.models import Base
from storage.sealed import PartlySealedText, SealedText

BATCH = 500


@dataclass(frozen=True)
class SealedColumn:
    """A column whose values are sealed: always, or only for the answers of sensitive questions."""

    table: Table
    column: str
    hash_column: str | None = None
    partly: bool = False  # answers: only values of sensitive codes (or already sealed) are sealed

    @property
    def label(self) -> str:
        """table.column, for progress lines."""
        return f"{self.table.name}.{self.column}"


def _sealed_columns() -> tuple[SealedColumn, ...]:
    """Every column the models declare sealed (all of it, or the answers of sensitive questions)."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (SealedText, PartlySealedText)):
                hash_column = f"{column.name}_hash" if f"{column.name}_hash" in table.columns else None
                found.append(SealedColumn(table, column.name, hash_column, partly=isinstance(column.type, PartlySealedText)))
    return tuple(found)


SEALED_COLUMNS = _sealed_columns()


def needs_work(raw: str | None, ring: Keyring, sensitive: bool) -> bool:
    """True for a value to seal (plain and sensitive) or to reseal (under an older key)."""
    if raw is None:
        return False
    if is_sealed(raw):
        return key_id_of(raw) != ring.current
    return sensitive


def _raw(column: Column) -> Column:
    """The column's stored text, without the type that opens sealed values."""
    return type_coerce(column, Text)


def pending(factory: sessionmaker[Session], ring: Keyring, sensitive_codes: Iterable[str]) -> int:
    """How many values are still to seal or reseal (for the progress bar)."""
    codes = frozenset(sensitive_codes)
    total = 0
    with transaction(factory) as session:
        for target in SEALED_COLUMNS:
            for raw, code in session.execute(_scan(target, 0, None)).all():
                total += needs_work(raw, ring, code in codes if target.partly else True)
    return total


def reseal(factory: sessionmaker[Session], ring: Keyring, sensitive_codes: Iterable[str], progress: Callable[[int], None] = lambda n: None) -> int:
    """Seal every plain value and reseal every value of an older key under the current one; returns how many."""
    codes = frozenset(sensitive_codes)
    done = 0
    for target in SEALED_COLUMNS:
        last_id = 0
        while True:
            with transaction(factory) as session:
                rows = session.execute(_scan(target, last_id, BATCH, with_id=True)).all()
                for row_id, raw, code in rows:
                    if needs_work(raw, ring, code in codes if target.partly else True):
                        _rewrite(session, target, row_id, ring.open(raw) if is_sealed(raw) else raw, ring)
                        done += 1
                        progress(1)
            if len(rows) < BATCH:
                break
            last_id = rows[-1][0]
    return done


def _scan(target: SealedColumn, after_id: int, limit: int | None, with_id: bool = False):  # type: ignore[no-untyped-def]
    """Rows of a sealed column with a value, by primary key (the code for answers, else NULL)."""
    table = target.table
    key = _key_column(table)
    code = table.c.code if target.partly else type_coerce(None, Text)
    columns = (key, _raw(table.c[target.column]), code) if with_id else (_raw(table.c[target.column]), code)
    query = select(*columns).where(table.c[target.column].is_not(None), key > after_id).order_by(key)
    return query.limit(limit) if limit else query


def _key_column(table: Table) -> Column:
    """The single-column primary key the batches walk."""
    (key,) = table.primary_key.columns
    return key


def _rewrite(session: Session, target: SealedColumn, row_id: int, plain: str, ring: Keyring) -> None:
    """Store a value sealed under the current key (and its lookup hash from the plain value)."""
    table = target.table
    values = {target.column: type_coerce(ring.seal(plain), Text)}
    if target.hash_column:
        values[target.hash_column] = ring.digest(plain)
    session.execute(update(table).where(_key_column(table) == row_id).values(**values))

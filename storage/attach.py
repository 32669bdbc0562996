"""Rows read with Core made into the session's objects, without the ORM's cost per statement.

Every event reads its user, person, conversation and survey draft first. Through the ORM
those two statements cost about 0.6 ms of CPU more than the database work itself
(bench/RESULTS.md), on the path every webhook waits for; Core reads the same columns
(with the same type processing: sealed columns opened, times in UTC) and the objects are
put in the session as if the ORM had loaded them.
"""

from __future__ import annotations

import functools
from typing import Any, Sequence, TypeVar

from sqlalchemy import Column, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

Model = TypeVar("Model")


@functools.cache
def loaded_columns(model: type) -> tuple[Column[Any], ...]:
    """The table columns of the model's attributes, in mapper order: what to select for `attached`."""
    return tuple(column for _name, column in _attributes(model))


def found(model: type, values: Sequence[Any]) -> bool:
    """True when a row of `loaded_columns(model)` holds a row (an outer join's missing side is all NULL)."""
    return values[_key_position(model)] is not None


@functools.cache
def _attributes(model: type) -> tuple[tuple[str, Column[Any]], ...]:
    """The model's column attributes as (attribute name, table column), in mapper order.

    Only for plain models: what the ORM's loading would do beyond setting columns
    (relationships, deferred columns, versions, inheritance) is not done here, so a model
    that gains one fails at once rather than being loaded differently.
    """
    mapper = inspect(model)
    plain = not mapper.relationships and mapper.version_id_col is None and mapper.inherits is None and len(mapper.primary_key) == 1
    if not plain or any(prop.deferred for prop in mapper.column_attrs):
        raise TypeError(f"{model.__name__} is not a plain model: load it with the ORM")
    return tuple((prop.key, prop.columns[0]) for prop in mapper.column_attrs)


@functools.cache
def _key_position(model: type) -> int:
    """Where the model's primary-key column is in `loaded_columns(model)` (every model here has a one-column key)."""
    (key,) = inspect(model).primary_key
    return next(position for position, column in enumerate(loaded_columns(model)) if column is key)


@functools.cache
def _names(model: type) -> tuple[str, ...]:
    """The attribute names of `loaded_columns(model)`, in order."""
    return tuple(name for name, _column in _attributes(model))


def attached(session: Session, model: type[Model], values: Sequence[Any], refresh: bool = False) -> Model:
    """The session's object for a row of `loaded_columns(model)`: the one it holds (its values
    replaced by the row's when `refresh`), else a clean new one.

    A clean object behaves as one the ORM loaded: changes to it are flushed as UPDATEs,
    attributes not read are loaded when first used.
    """
    mapper = inspect(model)
    state = dict(zip(_names(model), values))
    key = mapper.identity_key_from_primary_key([values[_key_position(model)]])
    held = session.identity_map.get(key)
    if held is not None:
        if refresh:  # as the ORM's populate_existing: the row just written wins over what was held
            for name, value in state.items():
                set_committed_value(held, name, value)
        return held  # type: ignore[no-any-return]
    instance = mapper.class_manager.new_instance()
    instance.__dict__.update(state)
    make_transient_to_detached(instance)  # its values count as read from the database, not as changes
    session.add(instance)
    return instance  # type: ignore[no-any-return]

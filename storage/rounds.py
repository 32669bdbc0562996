"""Survey rounds: which round a municipality's new surveys go to, and each round's settings."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Municipality, Round
from storage.recent import forget

# The round of the ministry letter มท 0810.6/ว 47(23) of 14 Nov 2566 (thaiqm-form.md §1): the
# migration inserts it, and a database without any round (made without migrations) gets it on
# first use.
DEFAULT_ROUND: dict[str, Any] = {
    "name": "2566",
    "form_id": "thaiqm-2566",
    "form_version": None,
    "survey_deadline": dt.date(2024, 1, 15),
    "resolution_deadline": dt.date(2024, 9, 30),
    "basic_needs_line": 38000,
    "survey_opens": dt.date(2023, 11, 14),
    "survey_days_back": 366,
}


# A round's name goes into receipt numbers (QM-<round>-NNNNNN) that volunteers type back:
# a Buddhist year, optionally with a second part (2567, 2567-2).
ROUND_NAME = re.compile(r"^\d{4}(?:[.-]\d{1,2})?$")


class RoundError(ValueError):
    """A round that cannot be added or chosen; the message is one line for the operator."""


def current_round(session: Session, municipality_id: int | None) -> Round:
    """The round new surveys of a municipality go to: its own choice, else the current one for all."""
    if municipality_id is not None:
        chosen = session.scalar(
            select(Round).join(Municipality, Municipality.current_round == Round.name).where(Municipality.id == municipality_id)
        )
        if chosen is not None:
            return chosen
    found = session.scalars(select(Round).where(Round.current.is_(True)).order_by(Round.id)).first()
    if found is not None:
        return found
    default = round_by_name(session, DEFAULT_ROUND["name"])
    if default is None:
        default = Round(**DEFAULT_ROUND, current=not session.scalar(select(Round.id).limit(1)))
        try:
            with session.begin_nested():  # another request may add it at the same moment
                session.add(default)
        except IntegrityError:
            default = round_by_name(session, DEFAULT_ROUND["name"])
            assert default is not None
    return default


def round_by_name(session: Session, name: str) -> Round | None:
    """A round by its name."""
    return session.scalars(select(Round).where(Round.name == name)).first()


def round_of_household(session: Session, round_name: str) -> Round | None:
    """The round a household was recorded in (None for a name no round has: its settings fall back to the form's)."""
    return round_by_name(session, round_name)


@dataclass(frozen=True)
class RoundRules:
    """What a survey step reads of its household's round (plain values: kept per process, storage/recent.py)."""

    survey_days_back: int | None
    survey_opens: dt.date | None
    basic_needs_line: int | None


def round_rules(session: Session, round_name: str) -> RoundRules | None:
    """The rules of the round a household was recorded in (None for a name no round has)."""
    found = round_of_household(session, round_name)
    return None if found is None else RoundRules(found.survey_days_back, found.survey_opens, found.basic_needs_line)


def list_rounds(session: Session) -> list[Round]:
    """Every round, oldest first (the default one appears once used)."""
    current_round(session, None)
    return list(session.scalars(select(Round).order_by(Round.id)))


def add_round(session: Session, name: str, form_id: str, **fields: Any) -> Round:
    """Add a round; its name must be new (it goes into receipt numbers)."""
    name = name.strip()
    if not ROUND_NAME.match(name):
        raise RoundError(f"{name!r} is not a round name: a Buddhist year, e.g. 2567 (or 2567-2 for a second round)")
    current_round(session, None)  # the default round exists before any other is added
    if round_by_name(session, name) is not None:
        raise RoundError(f"round {name} already exists (change it with `thaiqm-bot round set`)")
    added = Round(name=name, form_id=form_id, current=False, **{k: v for k, v in fields.items() if v is not None})
    session.add(added)
    session.flush()
    forget()
    return added


def change_round(session: Session, name: str, **fields: Any) -> Round:
    """Change the given fields of a round (None leaves a field as it is)."""
    current_round(session, None)
    found = round_by_name(session, name)
    if found is None:
        raise RoundError(f"no round named {name}")
    for key, value in fields.items():
        if value is not None:
            setattr(found, key, value)
    session.flush()
    forget()
    return found


def set_current(session: Session, name: str, municipality: Municipality | None = None) -> Round:
    """Make a round current for one municipality, or for every municipality that has not chosen its own."""
    current_round(session, None)
    chosen = round_by_name(session, name)
    if chosen is None:
        raise RoundError(f"no round named {name}")
    if municipality is not None:
        municipality.current_round = chosen.name
    else:
        session.execute(update(Round).where(Round.id != chosen.id).values(current=False))
        chosen.current = True
    session.flush()
    return chosen


def earliest_survey_date(found: Round | RoundRules | None, today: dt.date) -> dt.date | None:
    """The first survey date the round accepts: its opening day or its window back from today."""
    if found is None:
        return None
    earliest = today - dt.timedelta(days=found.survey_days_back if found.survey_days_back is not None else DEFAULT_ROUND["survey_days_back"])
    return max(earliest, found.survey_opens) if found.survey_opens else earliest


def round_settings(found: Round | RoundRules | None) -> dict[str, Any]:
    """The round's values of the form settings it overrides (conditions read them by name)."""
    if found is None or found.basic_needs_line is None:
        return {}
    return {"basic_needs_line": found.basic_needs_line}

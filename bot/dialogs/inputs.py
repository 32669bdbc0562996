"""What reaches the engine: a typed text, a tapped option, a picked date, a shared location."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class Input:
    """One user action: kind is text, option, toggle, date, location, command or edit."""

    kind: str
    text: str = ""
    value: str = ""
    # The slot the tapped button was made for; None for typed input (always the current slot).
    slot: str | None = None


# A dialog button's action (its postback data) and the kind of input it gives the engine.
_BUTTON_INPUTS = {"answer": "option", "no_value": "option", "answer_text": "date", "toggle": "toggle"}


def button_input(action: str, value: str, slot: str | None, picked_date: str = "") -> Input:
    """What a tapped dialog button gives the engine (any other action is a command: back, skip, pause …)."""
    if action == "date":
        return Input("date", value=picked_date, slot=slot)
    if action == "edit":
        return Input("edit", value=slot or value)
    if action in _BUTTON_INPUTS:
        return Input(_BUTTON_INPUTS[action], value=value, slot=slot)
    return Input("command", value=action, slot=slot)


@dataclass(frozen=True)
class Env:
    """What the engine needs from outside for one step: today, the volunteer's area, translations."""

    today: dt.date
    communities: tuple[tuple[str, str], ...] = ()
    area: Mapping[str, str] = field(default_factory=dict)
    # Turns a message id into the user's language, to match typed choice labels.
    translate: Callable[[str], str] = lambda message_id: message_id
    # Lists a form's sections may repeat over ("over:"), given when the dialog starts and at every
    # step after (e.g. an earlier round's problems): each item maps field names to values.
    lists: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    # What is known before asking, by the form's `known_from` words (e.g. the volunteer's community id).
    known: Mapping[str, str] = field(default_factory=dict)
    # The round's values of form settings (e.g. an income line), used instead of the form's own.
    settings: Mapping[str, Any] = field(default_factory=dict)
    # The first date a `window: round` date question accepts (None: a year back from today).
    round_earliest: dt.date | None = None

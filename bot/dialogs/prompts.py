"""What the engine says, as data: message ids with parameters, options and controls (no LINE, no Thai)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Union


@dataclass(frozen=True)
class Msg:
    """A message id and its parameters; a parameter may itself be a Msg (translated first)."""

    id: str
    params: Mapping[str, Any] = field(default_factory=dict)


# Display text: a message id or a literal the user typed (a name, a house number).
Label = Union[Msg, str]


@dataclass(frozen=True)
class Option:
    """Something the user can pick: an answer choice, a checklist toggle or a control."""

    action: str  # answer, toggle, done, skip, keep, back, help, pause, cancel, today, location, no_value, ...
    label: Label
    value: str = ""
    number: int | None = None
    ticked: bool = False
    # A shorter label for a button, when the label is long.
    short: Label | None = None


@dataclass(frozen=True)
class Ask:
    """The current question, ready to be rendered by a channel adapter."""

    slot: str
    code: str
    type: str
    progress: tuple[int, int]  # the section's number among the form's sections, and their count
    section: str
    label: Msg
    hint: Msg | None
    options: tuple[Option, ...]
    controls: tuple[Option, ...]
    current: tuple[Label, ...] | None = None
    # ISO dates for a date picker: initial, min, max.
    dates: tuple[str, str, str] | None = None
    # The member (of the count) or the ticked problem in hand, shown after the section.
    within: Msg | None = None
    # A tick on a checklist: answered with a short line and the updated buttons, not the question again.
    brief: Msg | None = None


@dataclass(frozen=True)
class ReviewItem:
    """One answered question in the review: its label, its answer, the slot to edit it."""

    label: Msg
    value: tuple[Label, ...]
    slot: str


@dataclass(frozen=True)
class ReviewSection:
    """One section of the review (one Flex bubble)."""

    title: Label
    items: tuple[ReviewItem, ...]


@dataclass(frozen=True)
class Review:
    """Everything answered, by section, plus soft-check suggestions."""

    sections: tuple[ReviewSection, ...]
    suggestions: tuple[tuple[Msg, str], ...] = ()  # (suggestion, slot of the checklist to edit)
    # The title of each suggested checklist's section, by slot: its edit button names it.
    titles: tuple[tuple[str, Label], ...] = ()


class Fields:
    """A listed item's data, read as attributes by labels such as "{item.label}" (a missing field reads as "-")."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]):
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = self._values.get(name)
        return "-" if value is None else value

    def get(self, name: str) -> Any:
        """A field's value, None when absent."""
        return self._values.get(name)

    def items(self) -> list[tuple[str, Any]]:
        """The fields and their values."""
        return list(self._values.items())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fields) and other._values == self._values

    def __repr__(self) -> str:
        return f"Fields({self._values!r})"

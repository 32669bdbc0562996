"""What the bot says, independent of LINE: texts and cards with buttons, rendered by the channel adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

ButtonKind = Literal["message", "postback", "date", "location"]


@dataclass(frozen=True)
class Button:
    """A quick-reply button: sends a text, a postback, a picked date or a location."""

    label: str
    kind: ButtonKind = "message"
    text: str | None = None
    data: str | None = None
    # ISO dates (YYYY-MM-DD) for the date picker.
    initial: str | None = None
    min: str | None = None
    max: str | None = None


@dataclass(frozen=True)
class Text:
    """A text bubble, optionally with quick-reply buttons under it."""

    text: str
    buttons: tuple[Button, ...] = field(default=())


@dataclass(frozen=True)
class CardRow:
    """One line of a card: a label, a value and optionally a button beside it (e.g. "Edit")."""

    label: str
    value: str
    button: Button | None = None
    # A progress bar under the value: the part done, 0 to 1.
    bar: float | None = None


@dataclass(frozen=True)
class Card:
    """A titled card of rows, with buttons at its foot."""

    title: str
    rows: tuple[CardRow, ...] = ()
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Cards:
    """Cards shown side by side (LINE: a Flex carousel); `text` is what notifications show."""

    text: str
    cards: tuple[Card, ...]
    buttons: tuple[Button, ...] = field(default=())


@dataclass(frozen=True)
class Image:
    """A picture the app serves (LINE fetches it over https): the full image and its small preview."""

    url: str
    preview_url: str


Reply = Union[Text, Cards, Image]

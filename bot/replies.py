"""What the bot says, independent of LINE: texts with buttons, rendered by the channel adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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


Reply = Text

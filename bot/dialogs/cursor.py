"""Where a draft stands and what one step returns: the engine's small value types."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

from bot.dialogs.prompts import Ask, Label, Msg, Option, Review

REVIEW, SUBMITTED, REFUSED, CANCELLED = "review", "submitted", "refused", "cancelled"
FINAL = (SUBMITTED, REFUSED, CANCELLED)
# Follow-up states and answer codes of a ticked problem: "<problem>.member", "<problem>.detail".
MEMBER, DETAIL = ".member", ".detail"
HOUSEHOLD = "household"
# After this many wrong answers to one question, the help text and (if optional) Skip are shown.
TRIES_BEFORE_HELP = 3

Key = tuple[str, int]
Answers = Mapping[Key, "str | None"]


@dataclass(frozen=True)
class Cursor:
    """Where a draft stands: a state, the repetition and problem in hand, and a few flags.

    An empty state means the form's first question (the engine resolves it).
    """

    state: str = ""
    member_no: int = 0
    problem: str = ""
    tries: int = 0
    editing: bool = False
    confirm_cancel: bool = False

    @property
    def slot(self) -> str:
        """A short id of the question in hand, put into buttons to detect stale taps."""
        return f"{self.state}|{self.member_no}|{self.problem}"

    def at(self, slot: str) -> "Cursor":
        """The same cursor moved to a slot id."""
        state, member, problem = (slot.split("|") + ["0", ""])[:3]
        return replace(self, state=state, member_no=int(member or 0), problem=problem, tries=0)


@dataclass
class Outcome:
    """The result of one step: the new cursor, what to store, what to say."""

    cursor: Cursor
    writes: list[tuple[Key, str | None]] = field(default_factory=list)
    notes: list[Msg] = field(default_factory=list)
    ask: Ask | None = None
    review: Review | None = None
    options: tuple[Option, ...] = ()
    event: str | None = None


@dataclass(frozen=True)
class Join:
    """Labels to be shown joined by commas (a parameter of a Msg)."""

    parts: tuple[Label, ...]

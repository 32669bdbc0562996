"""What an event changes outside the database (LINE, the job queue), carried out only after its transaction commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from bot.chat.replies import Reply


@dataclass(frozen=True)
class LinkMenu:
    """Show one chat user a menu of their own (their role's rich menu)."""

    chat_id: str
    menu_id: str


@dataclass(frozen=True)
class UnlinkMenu:
    """Take a chat user's own menu away (they see the default guest menu again)."""

    chat_id: str


@dataclass(frozen=True)
class Push:
    """Tell another chat something (a volunteer, a supervisor): queued in the outbox with the event, sent after the commit."""

    chat_id: str
    replies: tuple[Reply, ...]


@dataclass(frozen=True)
class SendQueued:
    """Push an outbox row the event queued for another chat (a supervisor's nudge) now, not at the next sweep."""

    outbox_id: int
    retry_key: str
    chat_id: str
    messages: tuple[dict, ...]


@dataclass(frozen=True)
class PrepareExport:
    """Queue the job that builds a supervisor's requested export (the request row is committed with the event)."""

    export_id: int


Effect = Union[LinkMenu, UnlinkMenu, Push, SendQueued, PrepareExport]

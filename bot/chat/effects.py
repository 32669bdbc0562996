"""What an event changes outside the database (LINE, the job queue), carried out only after its transaction commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union



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
class SendNow:
    """Push a notice the event queued in the outbox (bot/delivery/notify.py) right after the commit, not at the next sweep."""

    outbox_id: int
    retry_key: str
    chat_id: str
    messages: tuple[dict, ...]


@dataclass(frozen=True)
class PrepareExport:
    """Queue the job that builds a supervisor's requested export (the request row is committed with the event)."""

    export_id: int


Effect = Union[LinkMenu, UnlinkMenu, SendNow, PrepareExport]

"""Telling a person something outside their own conversation: the one way the bot pushes a notice.

Each of the person's chats gets an outbox row in the caller's transaction, so the notice exists
exactly when the change it tells of does. Outside the quiet hours it is pushed right after the
commit (a `SendNow` effect); in the quiet hours the row is dated at their end, and the outbox's
retry (the sweeper within seconds, the worker's minute job) pushes it then: rows wait until they
are a few seconds old, so a row dated in the morning goes in the morning. Either way one retry
key goes with it, so LINE shows it once however often it is sent. A late answer to the person's
own request (their export's link) is due at once even in the quiet hours: they are waiting for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, Sequence

from sqlalchemy.orm import Session

from bot.chat.effects import Effect, SendNow
from bot.chat.replies import Reply
from bot.config import Config
from bot.delivery.send import Outgoing
from bot.line.messages import to_line_messages
from bot.quiet_hours import quiet_ends
from storage.outbox import add_outgoing
from storage.people import pushable_chat_ids


class Notifying(Protocol):
    """What notifying needs of an event being handled (an EventContext)."""

    session: Session
    config: Config
    now: datetime
    effects: list[Effect]


@dataclass(frozen=True)
class Told:
    """A notice queued: when it goes, and its outbox rows (one per chat)."""

    when: datetime
    outbox_ids: tuple[int, ...]
    held: bool  # True: it waits for the end of the quiet hours


@dataclass
class Outside:
    """Notifying from work outside an event (a job): the notices to send are kept until the caller's commit."""

    session: Session
    config: Config
    now: datetime
    effects: list[Effect] = field(default_factory=list)

    def outgoing(self) -> list[Outgoing]:
        """What to send once the transaction has committed."""
        return [sending(e) for e in self.effects if isinstance(e, SendNow)]


def sending(effect: SendNow) -> Outgoing:
    """What the sender pushes for a notice queued to go now (its outbox row and retry key)."""
    return Outgoing(effect.outbox_id, effect.retry_key, effect.chat_id, None, list(effect.messages))


def notify(ctx: Notifying, person_ids: Sequence[int], replies: Sequence[Reply], *, answering: bool = False) -> Told | None:
    """Queue a notice for these people (those who may get pushes); None when none of them can be reached.

    `answering`: a late answer to their own request, due now whatever the hour.
    """
    chats = pushable_chat_ids(ctx.session, person_ids)
    if not chats:
        return None
    when = ctx.now if answering else quiet_ends(ctx.now, ctx.config.quiet_hours, ctx.config.zone).astimezone(ctx.now.tzinfo)
    held = when > ctx.now
    messages = to_line_messages(list(replies))
    ids = []
    for chat in chats:
        outbox_id, retry_key = add_outgoing(ctx.session, chat, None, messages, when)
        ids.append(outbox_id)
        if not held:
            ctx.effects.append(SendNow(outbox_id, retry_key, chat, tuple(messages)))
    return Told(when, tuple(ids), held)

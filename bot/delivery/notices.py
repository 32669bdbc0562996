"""A notice pushed to a person (not an answer to their message), through the outbox; in quiet hours it waits for the morning.

An answer made ready later to what the person asked (their export's link) is pushed at once,
quiet hours or not: they are waiting for it, and a link held until morning would have ended.

The row is written in the caller's transaction with its creation time set to when it may go
(now, or the end of the quiet hours): the outbox's retry (the sweeper within seconds, the
worker's minute job) pushes pending rows once they are older than a few seconds, so a row
dated in the morning is pushed in the morning, with its retry key, once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.chat.replies import Reply
from bot.config import Config
from bot.delivery.send import Outgoing
from bot.line.messages import to_line_messages
from bot.quiet_hours import quiet_ends
from storage.outbox import add_outgoing
from storage.people import pushable_chat_ids


def push_notice(session: Session, config: Config, person_id: int, replies: list[Reply], now: datetime) -> datetime | None:
    """Queue a notice for a person's chat; returns when it may be pushed (None: the person cannot be pushed to)."""
    chats = pushable_chat_ids(session, [person_id])
    if not chats:
        return None
    when = quiet_ends(now, config.quiet_hours, config.zone).astimezone(now.tzinfo)
    messages = to_line_messages(replies)
    for chat in chats:
        add_outgoing(session, chat, None, messages, when)
    return when


def push_answer(session: Session, person_id: int, replies: list[Reply], now: datetime) -> list[Outgoing]:
    """Queue a late answer to the person's own request, due now even in quiet hours; send the result after the commit.

    Its row has no push record, so the outbox's retries do not hold it for the morning either.
    """
    messages = to_line_messages(replies)
    return [Outgoing(*add_outgoing(session, chat, None, messages, now), chat, None, messages) for chat in pushable_chat_ids(session, [person_id])]

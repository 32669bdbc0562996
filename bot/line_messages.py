"""Render the bot's replies as LINE message objects (the only module that shapes them)."""

from __future__ import annotations

from typing import Sequence

from linebot.v3.messaging import (
    DatetimePickerAction,
    LocationAction,
    Message,
    MessageAction,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from bot.replies import Button, Reply, Text

MAX_MESSAGES = 5
MAX_QUICK_REPLIES = 13


def to_line_messages(replies: Sequence[Reply]) -> list[Message]:
    """Turn replies into at most five LINE messages (extra texts are joined into the fifth)."""
    replies = list(replies)
    if len(replies) > MAX_MESSAGES:
        merged = "\n\n".join(reply.text for reply in replies[MAX_MESSAGES - 1 :])
        replies = replies[: MAX_MESSAGES - 1] + [Text(merged, replies[-1].buttons)]
    return [_text_message(reply) for reply in replies]


def _text_message(reply: Text) -> TextMessage:
    """A LINE text message with its quick-reply buttons."""
    quick_reply = None
    if reply.buttons:
        items = [QuickReplyItem(action=_action(button)) for button in reply.buttons[:MAX_QUICK_REPLIES]]
        quick_reply = QuickReply(items=items)
    return TextMessage(text=reply.text, quickReply=quick_reply)


def _action(button: Button):  # type: ignore[no-untyped-def]
    """The LINE action behind a button."""
    if button.kind == "postback":
        return PostbackAction(label=button.label, data=button.data, displayText=button.text or button.label)
    if button.kind == "date":
        return DatetimePickerAction(
            label=button.label, data=button.data, mode="date", initial=button.initial, min=button.min, max=button.max
        )
    if button.kind == "location":
        return LocationAction(label=button.label)
    return MessageAction(label=button.label, text=button.text or button.label)

"""Render the bot's replies as LINE message objects (the only module that shapes them)."""

from __future__ import annotations

import json
import logging
from typing import Any, Sequence

from linebot.v3.messaging import (
    DatetimePickerAction,
    FlexMessage,
    LocationAction,
    Message,
    MessageAction,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from bot.replies import Button, Card, Cards, Reply, Text

log = logging.getLogger(__name__)

MAX_MESSAGES = 5
MAX_QUICK_REPLIES = 13
MAX_TEXT = 5000
MAX_ALT_TEXT = 1500
MAX_BUBBLES = 12
# LINE refuses a carousel over 50 KB; keep a margin for the JSON framing.
MAX_CAROUSEL_BYTES = 45 * 1024
FLEX_LABEL = 40


def to_line_messages(replies: Sequence[Reply]) -> list[Message]:
    """Turn replies into LINE messages: extra texts are joined into the fifth; more than five
    with Flex among them are kept, and sending splits them (a reply, then pushes)."""
    messages: list[Message] = []
    for reply in replies:
        if isinstance(reply, Cards):
            messages.extend(_flex_messages(reply))
        else:
            messages.append(_text_message(reply))
    if len(messages) > MAX_MESSAGES:
        head, tail = messages[: MAX_MESSAGES - 1], messages[MAX_MESSAGES - 1 :]
        if all(isinstance(m, TextMessage) for m in tail):
            merged = "\n\n".join(m.text for m in tail)[:MAX_TEXT]
            messages = head + [TextMessage(text=merged, quickReply=tail[-1].quick_reply)]
    return messages


def _quick_reply(buttons: Sequence[Button]) -> QuickReply | None:
    """Quick-reply buttons (at most 13)."""
    if not buttons:
        return None
    return QuickReply(items=[QuickReplyItem(action=_action(button)) for button in buttons[:MAX_QUICK_REPLIES]])


def _text_message(reply: Text) -> TextMessage:
    """A LINE text message with its quick-reply buttons."""
    return TextMessage(text=reply.text[:MAX_TEXT], quickReply=_quick_reply(reply.buttons))


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


def _flex_messages(reply: Cards) -> list[Message]:
    """Cards as Flex carousels of at most 12 bubbles and 45 KB each; buttons go under the last."""
    bubbles = [_bubble(card) for card in reply.cards]
    groups: list[list[dict[str, Any]]] = [[]]
    size = 0
    for bubble in bubbles:
        bubble_size = len(json.dumps(bubble, ensure_ascii=False).encode())
        if groups[-1] and (len(groups[-1]) >= MAX_BUBBLES or size + bubble_size > MAX_CAROUSEL_BYTES):
            groups.append([])
            size = 0
        groups[-1].append(bubble)
        size += bubble_size
    messages: list[Message] = []
    for index, group in enumerate(groups):
        last = index == len(groups) - 1
        flex = {
            "type": "flex",
            "altText": reply.text[:MAX_ALT_TEXT],
            "contents": {"type": "carousel", "contents": group},
        }
        if last and reply.buttons:
            flex["quickReply"] = _quick_reply(reply.buttons).to_dict()  # type: ignore[union-attr]
        messages.append(FlexMessage.from_dict(flex))
    return messages


def _bubble(card: Card) -> dict[str, Any]:
    """One Flex bubble: a title, rows of label/value with an optional button, buttons at the foot."""
    rows: list[dict[str, Any]] = []
    for row in card.rows:
        value: dict[str, Any] = {"type": "text", "text": row.value or "-", "wrap": True, "size": "sm", "flex": 5}
        line: list[dict[str, Any]] = [value]
        if row.button is not None:
            line.append({"type": "button", "action": _flex_action(row.button), "height": "sm", "style": "link", "flex": 2})
        rows.append({
            "type": "box",
            "layout": "vertical",
            "margin": "md",
            "contents": [
                {"type": "text", "text": row.label or "-", "size": "xs", "color": "#777777", "wrap": True},
                {"type": "box", "layout": "horizontal", "contents": line, "alignItems": "center"},
            ],
        })
    bubble: dict[str, Any] = {
        "type": "bubble",
        "header": {"type": "box", "layout": "vertical", "contents": [{"type": "text", "text": card.title or "-", "weight": "bold", "wrap": True}]},
        "body": {"type": "box", "layout": "vertical", "contents": rows or [{"type": "text", "text": "-"}]},
    }
    if card.buttons:
        bubble["footer"] = {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [{"type": "button", "action": _flex_action(b), "style": "primary", "height": "sm"} for b in card.buttons]}
    return bubble


def _flex_action(button: Button) -> dict[str, Any]:
    """A button's action as Flex JSON (labels up to 40 characters)."""
    action = _action(Button(**{**button.__dict__, "label": button.label[:FLEX_LABEL]}))
    return action.to_dict()

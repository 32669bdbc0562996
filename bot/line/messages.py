"""Render the bot's replies as LINE message JSON (the only module that shapes them).

Messages are built as plain dicts in the Messaging API's JSON form: they are stored in
the outbox and posted as they are. Building the SDK's pydantic models and turning them
back into dicts cost more than the rest of rendering (measured: ~0.5 ms per reply).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Sequence

from bot.chat.replies import Button, Card, Cards, Image, Reply, Text

log = logging.getLogger(__name__)

# A LINE message object as JSON (https://developers.line.biz/en/reference/messaging-api/#message-objects).
Message = dict[str, Any]

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
        elif isinstance(reply, Image):
            messages.append({"type": "image", "originalContentUrl": reply.url, "previewImageUrl": reply.preview_url})
        else:
            messages.append(_text_message(reply))
    if len(messages) > MAX_MESSAGES:
        head, tail = messages[: MAX_MESSAGES - 1], messages[MAX_MESSAGES - 1 :]
        if all(m["type"] == "text" for m in tail):
            merged: Message = {"type": "text", "text": "\n\n".join(m["text"] for m in tail)[:MAX_TEXT]}
            if "quickReply" in tail[-1]:
                merged["quickReply"] = tail[-1]["quickReply"]
            messages = head + [merged]
    return messages


def _quick_reply(buttons: Sequence[Button]) -> dict[str, Any] | None:
    """Quick-reply buttons (at most 13)."""
    if not buttons:
        return None
    return {"items": [{"type": "action", "action": _action(button)} for button in buttons[:MAX_QUICK_REPLIES]]}


def _text_message(reply: Text) -> Message:
    """A LINE text message with its quick-reply buttons."""
    message: Message = {"type": "text", "text": reply.text[:MAX_TEXT]}
    quick_reply = _quick_reply(reply.buttons)
    if quick_reply is not None:
        message["quickReply"] = quick_reply
    return message


def _action(button: Button) -> dict[str, Any]:
    """The LINE action behind a button."""
    if button.kind == "postback":
        action = {"type": "postback", "label": button.label, "data": button.data, "displayText": button.text or button.label}
        return {key: value for key, value in action.items() if value is not None}
    if button.kind == "date":
        action = {"type": "datetimepicker", "label": button.label, "data": button.data, "mode": "date"}
        for key in ("initial", "min", "max"):
            if getattr(button, key) is not None:
                action[key] = getattr(button, key)
        return action
    if button.kind == "location":
        return {"type": "location", "label": button.label}
    return {"type": "message", "label": button.label, "text": button.text or button.label}


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
        flex: Message = {
            "type": "flex",
            "altText": reply.text[:MAX_ALT_TEXT],
            "contents": {"type": "carousel", "contents": group},
        }
        if last and reply.buttons:
            flex["quickReply"] = _quick_reply(reply.buttons)
        messages.append(flex)
    return messages


def _bubble(card: Card) -> dict[str, Any]:
    """One Flex bubble: a title, rows of label/value with an optional button, buttons at the foot."""
    rows: list[dict[str, Any]] = []
    for row in card.rows:
        value: dict[str, Any] = {"type": "text", "text": row.value or "-", "wrap": True, "size": "sm", "flex": 5}
        line: list[dict[str, Any]] = [value]
        if row.button is not None:
            line.append({"type": "button", "action": _flex_action(row.button), "height": "sm", "style": "link", "flex": 2})
        contents: list[dict[str, Any]] = [
            {"type": "text", "text": row.label or "-", "size": "xs", "color": "#777777", "wrap": True},
            {"type": "box", "layout": "horizontal", "contents": line, "alignItems": "center"},
        ]
        if row.bar is not None:
            contents.append(_bar(row.bar))
        rows.append({"type": "box", "layout": "vertical", "margin": "md", "contents": contents})
    bubble: dict[str, Any] = {
        "type": "bubble",
        "header": {"type": "box", "layout": "vertical", "contents": [{"type": "text", "text": card.title or "-", "weight": "bold", "wrap": True}]},
        "body": {"type": "box", "layout": "vertical", "contents": rows or [{"type": "text", "text": "-"}]},
    }
    if card.buttons:
        bubble["footer"] = {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [{"type": "button", "action": _flex_action(b), "style": "primary", "height": "sm"} for b in card.buttons]}
    return bubble


def _bar(done: float) -> dict[str, Any]:
    """A progress bar: a grey track with the part done in green (empty boxes sized by width)."""
    part = max(0.0, min(1.0, done))
    filled = [{"type": "box", "layout": "vertical", "contents": [], "width": f"{round(part * 100)}%", "height": "6px", "backgroundColor": "#06C755"}] if part >= 0.005 else []
    return {"type": "box", "layout": "vertical", "contents": filled, "height": "6px", "backgroundColor": "#E5E5E5", "margin": "xs", "cornerRadius": "3px"}


def _flex_action(button: Button) -> dict[str, Any]:
    """A button's action as Flex JSON (labels up to 40 characters)."""
    return _action(Button(**{**button.__dict__, "label": button.label[:FLEX_LABEL]}))

"""LINE webhook events in, LINE-neutral `Incoming` events out."""

from __future__ import annotations

import logging
from typing import Any

from linebot.v3.webhooks import (
    AudioMessageContent,
    Event,
    FileMessageContent,
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
    VideoMessageContent,
)

from bot.chat.incoming import ContentKind, Incoming

log = logging.getLogger(__name__)

CONTENT_KINDS: dict[type, ContentKind] = {
    StickerMessageContent: "sticker",
    ImageMessageContent: "image",
    AudioMessageContent: "audio",
    VideoMessageContent: "video",
    FileMessageContent: "file",
    LocationMessageContent: "location",
}


def from_dict(data: dict[str, Any]) -> Incoming:
    """Read one event of a webhook body with the SDK; an unknown type or shape becomes kind "unknown"."""
    common = _common_event(data)
    if common is not None:
        return common
    try:
        model = Event.from_dict(data)
    except Exception:  # the SDK raises several kinds for unknown or malformed events
        model = None
    if model is None:
        log.info("event of type %s could not be parsed", str(data.get("type"))[:32])
        return Incoming("unknown", **_envelope(data))
    return from_model(model, data)


def from_model(event: Event, data: dict[str, Any]) -> Incoming:
    """The neutral event of a parsed SDK model (ids and token read from its JSON, as LINE sent them)."""
    envelope = _envelope(data)
    source = getattr(event, "source", None)
    envelope["one_to_one"] = isinstance(source, UserSource)
    envelope["user_id"] = getattr(source, "user_id", None)
    if isinstance(event, FollowEvent):
        return Incoming("follow", **envelope)
    if isinstance(event, UnfollowEvent):
        return Incoming("unfollow", **envelope)
    if isinstance(event, PostbackEvent):
        return Incoming("postback", data=event.postback.data or "", params=dict(event.postback.params or {}), **envelope)
    if isinstance(event, MessageEvent):
        content = event.message
        if isinstance(content, TextMessageContent):
            return Incoming("text", text=content.text, **envelope)
        if isinstance(content, LocationMessageContent):
            return Incoming("location", content="location", location=(content.latitude, content.longitude), **envelope)
        return Incoming("message", content=CONTENT_KINDS.get(type(content), ""), **envelope)
    return Incoming("other", **envelope)


def _common_event(data: dict[str, Any]) -> Incoming | None:
    """A typed text or a tapped button in a one-to-one chat, read straight from its JSON; None for anything else.

    Nearly every event is one of these two, and the SDK's models (pydantic) cost about a
    twentieth of a survey step to read one. The shapes taken here are exactly those the
    SDK reads the same way; any other shape, or a field of an unexpected type, goes to it.
    """
    source = data.get("source")
    if not (isinstance(source, dict) and source.get("type") == "user" and isinstance(source.get("userId"), str) and _has_envelope(data)):
        return None
    kind = data.get("type")
    if kind == "message":
        message = data.get("message")
        if not (isinstance(message, dict) and message.get("type") == "text" and isinstance(message.get("text"), str) and isinstance(message.get("id"), str) and isinstance(message.get("quoteToken"), str)):
            return None
        if any(key in message for key in ("emojis", "mention")) or not all(isinstance(message.get(key, ""), str) for key in ("quotedMessageId", "markAsReadToken")):
            return None  # LINE emoji, mentions, or an optional field of another type: the SDK checks those
        return Incoming("text", text=message["text"], one_to_one=True, user_id=source["userId"], **_envelope(data))
    if kind == "postback":
        postback = data.get("postback")
        if not (isinstance(postback, dict) and isinstance(postback.get("data"), str)):
            return None
        params = postback.get("params")
        if params is None:
            params = {}
        elif not (isinstance(params, dict) and all(isinstance(value, str) for value in params.values())):
            return None
        return Incoming("postback", data=postback["data"], params=dict(params), one_to_one=True, user_id=source["userId"], **_envelope(data))
    return None


def _has_envelope(data: dict[str, Any]) -> bool:
    """True when the fields the SDK requires of every event are there, of its types."""
    timestamp, context = data.get("timestamp"), data.get("deliveryContext")
    return (
        isinstance(data.get("webhookEventId"), str)
        and type(timestamp) is int  # the SDK's StrictInt: not a bool, not a float
        and data.get("mode") in ("active", "standby")
        and isinstance(context, dict)
        and type(context.get("isRedelivery")) is bool
        and (data.get("replyToken") is None or isinstance(data.get("replyToken"), str))
    )


def _envelope(data: dict[str, Any]) -> dict[str, Any]:
    """What every event carries, read from its JSON: id, type, chat and reply token."""
    source = data.get("source") if isinstance(data.get("source"), dict) else {}
    return {
        "event_id": data.get("webhookEventId"),
        "event_type": str(data.get("type", "unknown"))[:32],
        "chat_id": source.get("userId") or source.get("groupId") or source.get("roomId"),
        "reply_token": data.get("replyToken"),
    }

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


def _envelope(data: dict[str, Any]) -> dict[str, Any]:
    """What every event carries, read from its JSON: id, type, chat and reply token."""
    source = data.get("source") if isinstance(data.get("source"), dict) else {}
    return {
        "event_id": data.get("webhookEventId"),
        "event_type": str(data.get("type", "unknown"))[:32],
        "chat_id": source.get("userId") or source.get("groupId") or source.get("roomId"),
        "reply_token": data.get("replyToken"),
    }

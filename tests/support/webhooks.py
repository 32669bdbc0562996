"""Webhook bodies built exactly as LINE builds them, and signed with the channel secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import string
import time
from typing import Any

BOT_DESTINATION = "U" + "0" * 31 + "1"
_ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_user_id() -> str:
    """A LINE user id: U followed by 32 hex digits."""
    return "U" + secrets.token_hex(16)


def new_event_id() -> str:
    """A webhookEventId: a 26-character ULID."""
    return "".join(secrets.choice(_ULID_ALPHABET) for _ in range(26))


def new_message_id() -> str:
    """A message id: a string of digits."""
    return "".join(secrets.choice(string.digits) for _ in range(18))


def sign(body: bytes, channel_secret: str) -> str:
    """The X-Line-Signature LINE sends: base64 HMAC-SHA256 of the raw body."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def body_of(*events: dict[str, Any]) -> dict[str, Any]:
    """A webhook request body around some events."""
    return {"destination": BOT_DESTINATION, "events": list(events)}


def encode(body: dict[str, Any]) -> bytes:
    """Serialize a body the way LINE does (compact UTF-8 JSON)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def base_event(event_type: str, user_id: str, reply_token: str | None, redelivery: bool = False) -> dict[str, Any]:
    """The fields every event from a one-to-one chat carries."""
    event: dict[str, Any] = {
        "type": event_type,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": new_event_id(),
        "deliveryContext": {"isRedelivery": redelivery},
    }
    if reply_token is not None:
        event["replyToken"] = reply_token
    return event


def follow_event(user_id: str, reply_token: str, unblocked: bool = False) -> dict[str, Any]:
    """The user added the bot as a friend (or unblocked it)."""
    return base_event("follow", user_id, reply_token) | {"follow": {"isUnblocked": unblocked}}


def unfollow_event(user_id: str) -> dict[str, Any]:
    """The user blocked the bot: no reply token."""
    return base_event("unfollow", user_id, None)


def text_event(user_id: str, reply_token: str, text: str) -> dict[str, Any]:
    """The user typed a text."""
    message = {"id": new_message_id(), "type": "text", "quoteToken": secrets.token_urlsafe(16), "text": text}
    return base_event("message", user_id, reply_token) | {"message": message}


def postback_event(user_id: str, reply_token: str, data: str, params: dict[str, str] | None = None) -> dict[str, Any]:
    """The user tapped a postback button (params carry a picked date)."""
    postback: dict[str, Any] = {"data": data}
    if params:
        postback["params"] = params
    return base_event("postback", user_id, reply_token) | {"postback": postback}


def location_event(user_id: str, reply_token: str, latitude: float, longitude: float, title: str, address: str) -> dict[str, Any]:
    """The user sent a location."""
    message = {
        "id": new_message_id(),
        "type": "location",
        "title": title,
        "address": address,
        "latitude": latitude,
        "longitude": longitude,
    }
    return base_event("message", user_id, reply_token) | {"message": message}


def sticker_event(user_id: str, reply_token: str) -> dict[str, Any]:
    """The user sent a sticker."""
    message = {
        "id": new_message_id(),
        "type": "sticker",
        "quoteToken": secrets.token_urlsafe(16),
        "packageId": "446",
        "stickerId": "1988",
        "stickerResourceType": "STATIC",
        "keywords": ["thumbs up"],
    }
    return base_event("message", user_id, reply_token) | {"message": message}


def media_event(user_id: str, reply_token: str, media_type: str) -> dict[str, Any]:
    """The user sent an image, video, audio or file."""
    message: dict[str, Any] = {"id": new_message_id(), "type": media_type}
    if media_type in ("image", "video"):
        message["quoteToken"] = secrets.token_urlsafe(16)
    if media_type in ("image", "video", "audio"):
        message["contentProvider"] = {"type": "line"}
    if media_type in ("video", "audio"):
        message["duration"] = 3000
    if media_type == "file":
        message.update(fileName="household.pdf", fileSize=2048)
    return base_event("message", user_id, reply_token) | {"message": message}

"""A persona's chat driven from Python, as the emulator page drives it from the browser.

The demo uses it to add its people as friends and register them by invite code through
the production path: LINE-shaped events, signed with the channel secret, posted to the
real app's `/callback`, with reply tokens issued by the local LINE stand-in, so the
bot's answers land in the stand-in and the persona's chat shows the conversation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import string
import time
from typing import Any

from flask import Flask

from bot.local.emulator.standin_client import StandInClient
from bot.state import app_state

# The same bot id the emulator page puts in `destination`.
DESTINATION = "U" + "0" * 31 + "1"
_ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class ChatRefused(Exception):
    """The bot did not accept an event (a wrong signature, or its database failed)."""


class ScriptedChat:
    """One LINE user's side of a chat with the app: follow, then type texts."""

    def __init__(self, app: Flask, standin: StandInClient, user_id: str) -> None:
        self.user_id = user_id
        self._client = app.test_client()
        self._sender = app_state(app).sender
        self._standin = standin
        self._secret = app_state(app).config.line_channel_secret

    def follow(self, unblocked: bool = False) -> None:
        """Add the bot as a friend (or unblock it)."""
        self._send(self._event("follow", reply=True) | {"follow": {"isUnblocked": unblocked}})

    def say(self, text: str) -> None:
        """Type a text (what a quick-reply button with this text sends, too)."""
        message = {"id": _digits(18), "type": "text", "quoteToken": secrets.token_urlsafe(16), "text": text}
        # On the user's side of the chat first, as their phone shows it before the bot answers.
        self._standin.record_user_message(self.user_id, {"type": "text", "text": text})
        self._send(self._event("message", reply=True) | {"message": message})

    def send_location(self, latitude: float, longitude: float, title: str, address: str) -> None:
        """Share a location (what the location quick-reply button sends)."""
        place = {"type": "location", "title": title, "address": address, "latitude": latitude, "longitude": longitude}
        self._standin.record_user_message(self.user_id, place)
        self._send(self._event("message", reply=True) | {"message": {"id": _digits(18)} | place})

    def _event(self, event_type: str, reply: bool) -> dict[str, Any]:
        """The fields LINE puts in every one-to-one chat event."""
        event: dict[str, Any] = {
            "type": event_type,
            "mode": "active",
            "timestamp": int(time.time() * 1000),
            "source": {"type": "user", "userId": self.user_id},
            "webhookEventId": "".join(secrets.choice(_ULID_ALPHABET) for _ in range(26)),
            "deliveryContext": {"isRedelivery": False},
        }
        if reply:
            event["replyToken"] = self._standin.reply_token(self.user_id)
        return event

    def _send(self, event: dict[str, Any]) -> None:
        """Post one signed webhook body; the app has answered (and replied) when this returns."""
        raw = body_bytes({"destination": DESTINATION, "events": [event]})
        response = self._client.post(
            "/callback", data=raw, headers={"Content-Type": "application/json", "X-Line-Signature": sign(raw, self._secret)}
        )
        if response.status_code != 200:
            raise ChatRefused(f"the bot answered HTTP {response.status_code} to a {event['type']} event")
        self._sender.flush()  # the reply goes out just after the webhook is answered: keep the chat in order


def body_bytes(body: dict[str, Any]) -> bytes:
    """A webhook body serialized as LINE sends it (compact UTF-8 JSON)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def sign(raw: bytes, channel_secret: str) -> str:
    """The X-Line-Signature of a body: base64 HMAC-SHA256 with the channel secret."""
    return base64.b64encode(hmac.new(channel_secret.encode(), raw, hashlib.sha256).digest()).decode()


def _digits(count: int) -> str:
    """A LINE message id: a string of digits."""
    return "".join(secrets.choice(string.digits) for _ in range(count))

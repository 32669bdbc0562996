"""A LINE user in a test: acts in the chat and reads what the bot sent back."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import Engine, func, select

from bot.local.line_standin import LineStandIn
from bot.state import app_state
from storage.models import OutboxMessage
from tests.support import webhooks
from tests.support.line_contract import check_webhook_body

# (body bytes, headers) -> HTTP status
Poster = Callable[[bytes, dict[str, str]], int]


def flask_poster(client: Any) -> Poster:
    """Post through a Flask test client (the real app, in process), then wait for its sending to finish."""
    sender = app_state(client.application).sender

    def post(body: bytes, headers: dict[str, str]) -> int:
        status = client.post("/callback", data=body, headers=headers).status_code
        sender.flush()  # replies go out on background lanes after the webhook answered
        return status

    return post


def http_poster(base_url: str, flush: Callable[[], None]) -> Poster:
    """Post over HTTP to a running server (werkzeug, gunicorn); `flush` then waits until its replies are out."""

    def post(body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(f"{base_url}/callback", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        flush()
        return status

    return post


def outbox_flush(engine: Engine, timeout: float = 10) -> Callable[[], None]:
    """A flush for a server in another process: wait until it has tried every outbox row once.

    A webhook commits the messages it owes (outbox rows) before it answers, and the server
    records each row's outcome after LINE answered: once no row is left untried, nothing
    more is coming for the events posted so far. No quiet moment is waited for.
    """
    untried = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending", OutboxMessage.attempts == 0)

    def flush() -> None:
        deadline = time.monotonic() + timeout
        while True:
            with engine.connect() as connection:
                if connection.execute(untried).scalar_one() == 0:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server left outbox rows untried for {timeout:g}s")
            time.sleep(0.02)

    return flush


@dataclass
class Replies:
    """What the bot sent to the user in answer to one action."""

    messages: list[dict[str, Any]]
    status: int

    @property
    def texts(self) -> list[str]:
        """The texts of the text messages, in order."""
        return [m["text"] for m in self.messages if m.get("type") == "text"]

    @property
    def text(self) -> str:
        """All texts joined, for `in` assertions."""
        return "\n".join(self.texts)

    @property
    def buttons(self) -> list[str]:
        """Labels of the quick-reply buttons under the last message."""
        if not self.messages:
            return []
        items = (self.messages[-1].get("quickReply") or {}).get("items", [])
        return [item["action"].get("label", "") for item in items]

    def action(self, label: str) -> dict[str, Any]:
        """The action of the quick-reply button with this label."""
        items = (self.messages[-1].get("quickReply") or {}).get("items", [])
        for item in items:
            if item["action"].get("label") == label:
                return item["action"]
        raise AssertionError(f"no button {label!r} among {self.buttons}")


class LineChat:
    """One LINE user chatting with the bot: builds, signs and posts webhooks as LINE does."""

    def __init__(self, post: Poster, channel_secret: str, standin: LineStandIn, user_id: str | None = None):
        self.post = post
        self.secret = channel_secret
        self.standin = standin
        self.user_id = user_id or webhooks.new_user_id()
        self.last_events: list[dict[str, Any]] = []

    # -- actions a person takes ---------------------------------------------------------

    def follow(self) -> Replies:
        """Add the bot as a friend."""
        return self.send(webhooks.follow_event(self.user_id, self._token()))

    def unfollow(self) -> Replies:
        """Block the bot."""
        return self.send(webhooks.unfollow_event(self.user_id))

    def say(self, text: str) -> Replies:
        """Type a text message."""
        return self.send(webhooks.text_event(self.user_id, self._token(), text))

    def tap(self, data: str, params: dict[str, str] | None = None) -> Replies:
        """Tap a postback button with this data."""
        return self.send(webhooks.postback_event(self.user_id, self._token(), data, params))

    def pick_date(self, data: str, date: dt.date) -> Replies:
        """Pick a date in LINE's date picker opened by a button with this data."""
        return self.tap(data, {"date": date.isoformat()})

    def send_location(self, latitude: float = 13.7563, longitude: float = 100.5018, title: str = "บ้าน", address: str = "กรุงเทพมหานคร") -> Replies:
        """Share a location."""
        return self.send(webhooks.location_event(self.user_id, self._token(), latitude, longitude, title, address))

    def send_sticker(self) -> Replies:
        """Send a sticker."""
        return self.send(webhooks.sticker_event(self.user_id, self._token()))

    def send_media(self, media_type: str) -> Replies:
        """Send an image, video, audio or file."""
        return self.send(webhooks.media_event(self.user_id, self._token(), media_type))

    def tap_button(self, replies: Replies, label: str) -> Replies:
        """Tap the quick-reply button with this label, whatever its kind."""
        action = replies.action(label)
        if action["type"] == "message":
            return self.say(action["text"])
        if action["type"] == "postback":
            return self.tap(action["data"])
        raise AssertionError(f"button {label!r} is a {action['type']} action: use pick_date or send_location")

    # -- the wire -------------------------------------------------------------------------

    def send(self, *events: dict[str, Any]) -> Replies:
        """Post events in one signed body; return what the bot sent this user meanwhile."""
        self.last_events = list(events)
        return self.post_body(webhooks.body_of(*events))

    def redeliver(self) -> Replies:
        """LINE delivering the last events again (same webhookEventId, isRedelivery true)."""
        events = [dict(e, deliveryContext={"isRedelivery": True}) for e in self.last_events]
        return self.post_body(webhooks.body_of(*events))

    def post_body(self, body: dict[str, Any], signature: str | None = None) -> Replies:
        """Post a body (checked against LINE's webhook schema) and collect the answer."""
        problems = check_webhook_body(body)
        assert not problems, "test built a webhook LINE would not send:\n" + "\n".join(problems)
        raw = webhooks.encode(body)
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Line-Signature": signature or webhooks.sign(raw, self.secret)}
        before = self.standin.last_seq()
        status = self.post(raw, headers)  # returns once the replies are out (the poster flushes)
        return Replies([m.message for m in self.standin.messages_for(self.user_id, since=before)], status)

    def _token(self) -> str:
        """A reply token LINE would hand out with the next event."""
        return self.standin.issue_reply_token(self.user_id)


def dump(replies: Replies) -> str:
    """Pretty JSON of what the bot sent, for assertion messages."""
    return json.dumps(replies.messages, ensure_ascii=False, indent=1)

"""A local stand-in for the LINE Messaging API: answers like LINE, records what it was sent.

`thaiqm-bot serve` runs it when no LINE credentials are set, and the tests run it to
see exactly what the bot sent through the real SDK. It issues reply tokens (each valid
once, like LINE's), remembers push retry keys (409 on a repeat), and can be told to
fail the next calls with LINE's own error answers.
"""

from __future__ import annotations

import itertools
import json
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Flask, Response, g, request

# Seconds a reply token stays valid at LINE ("about one minute", per LINE's docs).
REPLY_TOKEN_LIFETIME = 60.0

Validator = Callable[[str, str, Any], list[str]]


@dataclass
class RecordedRequest:
    """One API call the bot made."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int


@dataclass
class DeliveredMessage:
    """A message LINE accepted for a chat, as the user's phone would show it."""

    chat_id: str
    message: dict[str, Any]
    via: str  # "reply" or "push"; "user" for what the user sent, as their own phone shows it
    at: float
    seq: int = 0


@dataclass
class _FailureRule:
    endpoint: str
    status: int
    message: str
    remaining: int


@dataclass
class _Token:
    chat_id: str
    issued_at: float
    used: bool = False


@dataclass
class LineStandIn:
    """The state behind the fake API; thread-safe, shared by the server threads."""

    access_token: str
    validator: Validator | None = None
    requests: list[RecordedRequest] = field(default_factory=list)
    delivered: list[DeliveredMessage] = field(default_factory=list)
    on_request: list[Callable[[RecordedRequest], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, _Token] = {}
        self._retry_keys: dict[str, str] = {}
        self._failures: list[_FailureRule] = []
        self._ids = itertools.count(461230966842064897)
        self._seq = itertools.count(1)
        self.profiles: dict[str, dict[str, Any]] = {}
        self.rich_menus: dict[str, dict[str, Any]] = {}
        self.rich_menu_images: dict[str, bytes] = {}
        self.user_rich_menus: dict[str, str] = {}
        self.default_rich_menu: str | None = None
        self._drops: tuple[float, random.Random, frozenset[str]] | None = None

    # -- what tests and the emulator call ------------------------------------------------

    def issue_reply_token(self, chat_id: str) -> str:
        """A fresh reply token for an event LINE is about to deliver from this chat."""
        token = uuid.uuid4().hex
        with self._lock:
            self._tokens[token] = _Token(chat_id, time.monotonic())
        return token

    def record_user_message(self, chat_id: str, message: dict[str, Any]) -> None:
        """Keep what a user sent in their chat's history (LINE's app shows it; a script has no app to)."""
        with self._lock:
            self.delivered.append(DeliveredMessage(chat_id, message, "user", time.time(), next(self._seq)))

    def expire_reply_token(self, token: str) -> None:
        """Make a token unusable, as if a minute had passed."""
        with self._lock:
            if token in self._tokens:
                self._tokens[token].issued_at -= REPLY_TOKEN_LIFETIME + 1

    def fail_next(self, endpoint: str, status: int, message: str | None = None, times: int = 1) -> None:
        """Answer the next `times` calls to an endpoint ("reply", "push", …) with an error."""
        text = message or {400: "Invalid reply token", 429: "Too Many Requests", 500: "Internal Server Error"}.get(
            status, "Error"
        )
        with self._lock:
            self._failures.append(_FailureRule(endpoint, status, text, times))

    def stall_next(self, endpoint: str, seconds: float, deliver: bool, times: int = 1) -> None:
        """Answer the next `times` calls to an endpoint only after `seconds` (past the bot's timeout):
        delivered first (the answer is lost) or, with deliver=False, never (the request is lost)."""
        with self._lock:
            self._failures.append(_FailureRule(endpoint, 0 if deliver else -1, str(seconds), times))

    def drop_randomly(self, fraction: float, seed: int, endpoints: tuple[str, ...] = ("reply", "push")) -> None:
        """Hang up on that fraction of calls: half before acting (the request is lost), half after (the answer is)."""
        with self._lock:
            self._drops = (fraction, random.Random(seed), frozenset(endpoints)) if fraction else None

    def messages_for(self, chat_id: str, since: int = 0) -> list[DeliveredMessage]:
        """Messages delivered to a chat, in order, after sequence number `since`."""
        with self._lock:
            return [m for m in self.delivered if m.chat_id == chat_id and m.seq > since]

    def messages_for_chats(self, chat_ids: list[str], since: int = 0) -> list[DeliveredMessage]:
        """Messages delivered to any of these chats after `since`, in delivery order."""
        wanted = set(chat_ids)
        with self._lock:
            return [m for m in self.delivered if m.chat_id in wanted and m.seq > since]

    def last_seq(self) -> int:
        """The sequence number of the newest delivered message (0 when none)."""
        with self._lock:
            return self.delivered[-1].seq if self.delivered else 0

    def calls(self, endpoint: str) -> list[RecordedRequest]:
        """Recorded calls whose path ends with an endpoint name, e.g. "reply" or "push"."""
        with self._lock:
            return [r for r in self.requests if r.path.rstrip("/").endswith("/" + endpoint)]

    def reset(self) -> None:
        """Forget everything (between tests)."""
        with self._lock:
            self.requests.clear()
            self.delivered.clear()
            self._tokens.clear()
            self._retry_keys.clear()
            self._failures.clear()
            self.rich_menus.clear()
            self.rich_menu_images.clear()
            self.user_rich_menus.clear()
            self.default_rich_menu = None
            self._drops = None

    # -- what the fake endpoints use -------------------------------------------------------

    def _take_failure(self, endpoint: str) -> _FailureRule | None:
        with self._lock:
            for rule in self._failures:
                if rule.endpoint == endpoint and rule.remaining > 0:
                    rule.remaining -= 1
                    return rule
        return None

    def _drop(self, endpoint: str) -> str | None:
        """"request", "answer" or None: what a randomly dropped connection loses this time."""
        with self._lock:
            if self._drops is None or endpoint not in self._drops[2] or (roll := self._drops[1].random()) >= self._drops[0]:
                return None
            return "request" if roll < self._drops[0] / 2 else "answer"

    def _use_token(self, token: str) -> str | None:
        """The chat of a valid, unused token, marking it used; None if LINE would refuse it."""
        with self._lock:
            entry = self._tokens.get(token)
            if entry is None or entry.used or time.monotonic() - entry.issued_at > REPLY_TOKEN_LIFETIME:
                return None
            entry.used = True
            return entry.chat_id

    def _deliver(self, chat_id: str, messages: list[dict[str, Any]], via: str) -> list[dict[str, str]]:
        sent = []
        with self._lock:
            for message in messages:
                self.delivered.append(DeliveredMessage(chat_id, message, via, time.time(), next(self._seq)))
                sent.append({"id": str(next(self._ids)), "quoteToken": uuid.uuid4().hex})
        return sent

    def _remember_retry_key(self, key: str) -> str | None:
        """None for a new key (now remembered), else the request id it was accepted with."""
        with self._lock:
            if key in self._retry_keys:
                return self._retry_keys[key]
            self._retry_keys[key] = uuid.uuid4().hex
            return None

    def _record(self, entry: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(entry)
        for hook in list(self.on_request):
            hook(entry)


def _error(status: int, message: str, **extra: Any) -> Response:
    """An error answer in LINE's shape."""
    return Response(json.dumps({"message": message, **extra}), status=status, mimetype="application/json")


def _hang_up() -> Response:
    """Close the connection without answering, as a dropped network does (the caller reads nothing)."""
    if (connection := request.environ.get("werkzeug.socket")) is not None:
        connection.shutdown(socket.SHUT_RDWR)
    return Response(status=500)  # never reaches the caller: writing it fails quietly


def build_api(standin: LineStandIn) -> Flask:
    """The fake Messaging API as a WSGI app over a stand-in's state."""
    api = Flask("local_line", static_folder=None)

    @api.before_request
    def _authenticate():  # type: ignore[no-untyped-def]
        if request.path.startswith("/_standin/"):
            return None
        if request.headers.get("Authorization") != f"Bearer {standin.access_token}":
            return _error(401, "Authentication failed. Confirm that the access token in the authorization header is valid.")
        return None

    @api.after_request
    def _record(response: Response) -> Response:
        if not request.path.startswith("/_standin/"):
            body: Any = request.get_json(silent=True) if request.is_json else (None if not request.data else "<binary>")
            headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-line")}
            standin._record(RecordedRequest(request.method, request.path, headers, body, response.status_code))
        return response

    def _check(endpoint: str) -> Response | None:
        """Injected failures first, then the request body against LINE's rules."""
        rule = standin._take_failure(endpoint)
        if rule is not None and rule.status == -1:  # a lost request: the caller times out, nothing is done
            time.sleep(float(rule.message))
            return _error(500, "Internal Server Error")
        if rule is not None and rule.status == 0:  # a lost answer: done, but answered too late
            g.stall = float(rule.message)
            return None
        if rule is not None:
            return _error(rule.status, rule.message)
        if (dropped := standin._drop(endpoint)) == "request":
            return _hang_up()
        g.hang_up = dropped == "answer"
        if standin.validator is not None:
            problems = standin.validator(request.method, request.path, request.get_json(silent=True))
            if problems:
                return _error(400, "The request body has %d error(s)" % len(problems), details=[{"message": p} for p in problems])
        return None

    @api.post("/v2/bot/message/reply")
    def reply():  # type: ignore[no-untyped-def]
        if (failure := _check("reply")) is not None:
            return failure
        body = request.get_json()
        chat_id = standin._use_token(body.get("replyToken", ""))
        if chat_id is None:
            return _error(400, "Invalid reply token")
        sent = standin._deliver(chat_id, body["messages"], "reply")
        time.sleep(g.get("stall", 0))
        return _hang_up() if g.get("hang_up") else {"sentMessages": sent}

    @api.post("/v2/bot/message/push")
    def push():  # type: ignore[no-untyped-def]
        if (failure := _check("push")) is not None:
            return failure
        body = request.get_json()
        retry_key = request.headers.get("X-Line-Retry-Key")
        if retry_key:
            accepted = standin._remember_retry_key(retry_key)
            if accepted is not None:
                response = _error(409, "The retry key is already accepted")
                response.headers["x-line-accepted-request-id"] = accepted
                return response
        sent = standin._deliver(body["to"], body["messages"], "push")
        time.sleep(g.get("stall", 0))
        return _hang_up() if g.get("hang_up") else {"sentMessages": sent}

    @api.post("/v2/bot/message/multicast")
    def multicast():  # type: ignore[no-untyped-def]
        if (failure := _check("multicast")) is not None:
            return failure
        body = request.get_json()
        retry_key = request.headers.get("X-Line-Retry-Key")
        if retry_key and (accepted := standin._remember_retry_key(retry_key)) is not None:
            response = _error(409, "The retry key is already accepted")
            response.headers["x-line-accepted-request-id"] = accepted
            return response
        for chat_id in body["to"]:
            standin._deliver(chat_id, body["messages"], "push")
        time.sleep(g.get("stall", 0))
        return {}

    @api.post("/v2/bot/chat/loading/start")
    def loading():  # type: ignore[no-untyped-def]
        if (failure := _check("start")) is not None:
            return failure
        return Response("{}", status=202, mimetype="application/json")

    @api.get("/v2/bot/profile/<user_id>")
    def profile(user_id: str):  # type: ignore[no-untyped-def]
        if (failure := _check("profile")) is not None:
            return failure
        return standin.profiles.get(user_id) or {"userId": user_id, "displayName": "LINE user", "language": "th"}

    @api.post("/v2/bot/richmenu")
    def create_rich_menu():  # type: ignore[no-untyped-def]
        if (failure := _check("richmenu")) is not None:
            return failure
        rich_menu_id = f"richmenu-{uuid.uuid4().hex}"
        standin.rich_menus[rich_menu_id] = request.get_json()
        return {"richMenuId": rich_menu_id}

    @api.post("/v2/bot/richmenu/<rich_menu_id>/content")
    def upload_rich_menu_image(rich_menu_id: str):  # type: ignore[no-untyped-def]
        if rich_menu_id not in standin.rich_menus:
            return _error(404, "Not found")
        if request.content_type not in ("image/png", "image/jpeg"):
            return _error(415, "Unsupported Media Type")
        standin.rich_menu_images[rich_menu_id] = request.get_data()
        return {}

    @api.post("/v2/bot/user/<user_id>/richmenu/<rich_menu_id>")
    def link_rich_menu(user_id: str, rich_menu_id: str):  # type: ignore[no-untyped-def]
        if rich_menu_id not in standin.rich_menus:
            return _error(400, "richmenu not found")
        standin.user_rich_menus[user_id] = rich_menu_id
        return {}

    @api.delete("/v2/bot/user/<user_id>/richmenu")
    def unlink_rich_menu(user_id: str):  # type: ignore[no-untyped-def]
        standin.user_rich_menus.pop(user_id, None)
        return {}

    @api.post("/v2/bot/user/all/richmenu/<rich_menu_id>")
    def set_default_rich_menu(rich_menu_id: str):  # type: ignore[no-untyped-def]
        if rich_menu_id not in standin.rich_menus:
            return _error(400, "richmenu not found")
        standin.default_rich_menu = rich_menu_id
        return {}

    @api.get("/_standin/messages/<chat_id>")
    def read_messages(chat_id: str):  # type: ignore[no-untyped-def]
        """For the emulator: what was delivered to a chat after ?since=N."""
        since = int(request.args.get("since", "0") or 0)
        return {"messages": [m.__dict__ for m in standin.messages_for(chat_id, since)]}

    @api.get("/_standin/messages")
    def read_many_messages():  # type: ignore[no-untyped-def]
        """For the emulator: what was delivered to the ?chat=… chats after ?since=N, in one call."""
        since = int(request.args.get("since", "0") or 0)
        chats = request.args.getlist("chat")
        return {"messages": [m.__dict__ for m in standin.messages_for_chats(chats, since)]}

    @api.get("/_standin/rich-menu/<chat_id>")
    def chat_rich_menu(chat_id: str):  # type: ignore[no-untyped-def]
        """For the emulator: the rich menu a chat shows (the user's own, else the default), or null."""
        rich_menu_id = standin.user_rich_menus.get(chat_id) or standin.default_rich_menu
        menu = standin.rich_menus.get(rich_menu_id or "")
        if menu is None or rich_menu_id not in standin.rich_menu_images:
            return {"richMenuId": None, "richMenu": None}  # LINE shows no menu without its image
        return {"richMenuId": rich_menu_id, "richMenu": menu}

    @api.get("/_standin/rich-menu-image/<rich_menu_id>")
    def rich_menu_image(rich_menu_id: str):  # type: ignore[no-untyped-def]
        """For the emulator: the image uploaded for a rich menu."""
        image = standin.rich_menu_images.get(rich_menu_id)
        if image is None:
            return _error(404, "Not found")
        return Response(image, mimetype="image/png" if image.startswith(b"\x89PNG") else "image/jpeg")

    @api.post("/_standin/user-message/<chat_id>")
    def user_message(chat_id: str):  # type: ignore[no-untyped-def]
        """For scripted chats (the demo): a message the user sent, shown on their side of the chat."""
        message = request.get_json(silent=True)
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            return _error(400, "a message object is required")
        standin.record_user_message(chat_id, message)
        return {}

    @api.post("/_standin/reply-token/<chat_id>")
    def new_reply_token(chat_id: str):  # type: ignore[no-untyped-def]
        """For the emulator: a reply token for the event it is about to send."""
        return {"replyToken": standin.issue_reply_token(chat_id)}

    return api

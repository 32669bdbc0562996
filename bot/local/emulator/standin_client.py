"""The emulator's calls to the local LINE stand-in: reply tokens in, delivered messages out."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

# A LINE user id; anything else never reaches the stand-in's URL.
CHAT_ID = re.compile(r"U[0-9a-f]{32}")
# A rich menu id as LINE (and the stand-in) makes them.
RICH_MENU_ID = re.compile(r"richmenu-[0-9a-f]{32}")


class StandInUnavailable(Exception):
    """The stand-in did not answer (not started, or another address configured)."""


class StandInClient:
    """Talks to the stand-in's `/_standin/` endpoints, never through an HTTP proxy."""

    def __init__(self, base_url: str, timeout: float = 3.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        # An empty ProxyHandler: a developer's http_proxy must not capture 127.0.0.1 calls.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def reply_token(self, chat_id: str) -> str:
        """A reply token for the event the emulator is about to send from this chat."""
        return str(self._call("POST", f"/_standin/reply-token/{_checked(chat_id)}")["replyToken"])

    def record_user_message(self, chat_id: str, message: dict[str, Any]) -> None:
        """Show a message on the user's side of a chat (what a scripted person typed)."""
        self._call("POST", f"/_standin/user-message/{_checked(chat_id)}", message)

    def messages(self, chat_ids: list[str], since: int) -> list[dict[str, Any]]:
        """Messages delivered to these chats after sequence number `since`, oldest first (one call)."""
        query = urlencode([("since", int(since))] + [("chat", _checked(chat_id)) for chat_id in chat_ids])
        return self._call("GET", f"/_standin/messages?{query}")["messages"]

    def rich_menu(self, chat_id: str) -> tuple[str | None, dict[str, Any] | None]:
        """The id and object of the rich menu this chat shows, or (None, None)."""
        answer = self._call("GET", f"/_standin/rich-menu/{_checked(chat_id)}")
        return answer.get("richMenuId"), answer.get("richMenu")

    def rich_menu_image(self, rich_menu_id: str) -> tuple[bytes, str] | None:
        """A rich menu's image and its content type; None when there is none."""
        if not RICH_MENU_ID.fullmatch(rich_menu_id):
            raise ValueError("not a rich menu id")
        request = urllib.request.Request(f"{self.base_url}/_standin/rich-menu-image/{rich_menu_id}")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.read(), response.headers.get_content_type()
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise StandInUnavailable(type(error).__name__) from None
        except (urllib.error.URLError, OSError) as error:
            raise StandInUnavailable(type(error).__name__) from None

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One JSON call; StandInUnavailable when there is no answer we can use."""
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise StandInUnavailable(type(error).__name__) from None


def _checked(chat_id: str) -> str:
    """The chat id, if it is a LINE user id (ValueError otherwise)."""
    if not CHAT_ID.fullmatch(chat_id):
        raise ValueError("not a LINE user id")
    return chat_id

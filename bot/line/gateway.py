"""Calls to the LINE Messaging API through the official SDK, with outcomes we can act on."""

from __future__ import annotations

import enum
import logging
from typing import Sequence

import urllib3
from linebot.v3.messaging import ApiClient, ApiException, Configuration, MessagingApi

from bot.config import Config
from bot.line.messages import Message

log = logging.getLogger(__name__)

REPLY_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"
MULTICAST_PATH = "/v2/bot/message/multicast"
# LINE takes at most this many chats in one multicast.
MULTICAST_MAX = 500


class Delivery(enum.Enum):
    """What became of a send."""

    SENT = "sent"
    TOKEN_UNUSABLE = "token_unusable"  # reply token expired or used: push instead
    RETRY_LATER = "retry_later"  # LINE did not take it (429, 5xx, no connection): try again
    UNCERTAIN = "uncertain"  # the request may have reached LINE: resending could duplicate
    REJECTED = "rejected"  # LINE refused the request itself: resending will not help
    THROTTLED = "throttled"  # a push LINE answered 429: stop pushing for a while, try again later
    LIMIT_REACHED = "limit_reached"  # the channel's monthly push limit: nothing more goes out this month


def sdk_configuration(config: Config) -> Configuration:
    """The SDK's configuration: LINE's own hosts, or every call to the configured stand-in."""
    host = None if config.uses_line_own_api else config.line_api_base_url
    return Configuration(access_token=config.line_channel_access_token, host=host)


class LineGateway:
    """One SDK client per app, shared by every request (building it per call costs)."""

    def __init__(self, config: Config) -> None:
        self._client = ApiClient(sdk_configuration(config))
        self.api = MessagingApi(self._client)
        # (connect, read): a connection is made in microseconds on a good day.
        self._timeout = (min(0.5, config.line_timeout), config.line_timeout)

    def reply(self, reply_token: str, messages: Sequence[Message]) -> Delivery:
        """Answer an event with its reply token."""
        body = {"replyToken": reply_token, "messages": list(messages)}
        return self._call("reply", lambda: self._post_json(REPLY_PATH, body))

    def push(self, to: str | Sequence[str], messages: Sequence[Message], retry_key: str) -> Delivery:
        """Push to a chat, or multicast to several (a list of at most 500); the retry key makes a
        repeat harmless (LINE answers 409)."""
        if not isinstance(to, str):
            body_many = {"to": list(to), "messages": list(messages)}
            return self._call("multicast", lambda: self._post_json(MULTICAST_PATH, body_many, {"X-Line-Retry-Key": retry_key}))
        body = {"to": to, "messages": list(messages)}
        return self._call("push", lambda: self._post_json(PUSH_PATH, body, {"X-Line-Retry-Key": retry_key}))

    def _post_json(self, path: str, body: dict, headers: dict[str, str] | None = None) -> None:
        """POST message JSON through the SDK's HTTP client (its connection pool, token and ApiException).

        The messages are already LINE's JSON (bot.line.messages): the SDK's request models and
        its call_api (which walks the body again to "sanitize" it) would only redo that work
        (about a seventh of a reply's CPU). The SDK's REST client still sends it and raises
        its ApiException for any status but 2xx.
        """
        self._client.rest_client.request(
            "POST",
            (self._client.configuration.host or self.api.line_base_path) + path,
            headers={**self._client.default_headers, "Content-Type": "application/json", "Accept": "application/json", **(headers or {})},
            body=body,
            _request_timeout=self._timeout,
        )

    def link_rich_menu(self, user_id: str, rich_menu_id: str) -> Delivery:
        """Show a rich menu to one user (their role's menu after registration)."""
        return self._call(
            "link rich menu", lambda: self.api.link_rich_menu_id_to_user(user_id, rich_menu_id, _request_timeout=self._timeout)
        )

    def unlink_rich_menu(self, user_id: str) -> Delivery:
        """Take a user's own rich menu away (they see the default guest menu again)."""
        return self._call("unlink rich menu", lambda: self.api.unlink_rich_menu_id_from_user(user_id, _request_timeout=self._timeout))

    def close(self) -> None:
        """Release the connection pool."""
        self._client.close()

    def _call(self, what: str, send) -> Delivery:  # type: ignore[no-untyped-def]
        """Run one API call and classify its outcome (logging status codes only, never bodies)."""
        try:
            send()
            return Delivery.SENT
        except ApiException as error:
            return self._classify_api_error(what, error)
        except (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.NewConnectionError) as error:
            log.warning("LINE %s: no connection (%s)", what, type(error).__name__)
            return Delivery.RETRY_LATER
        except urllib3.exceptions.MaxRetryError as error:
            if isinstance(error.reason, (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.NewConnectionError)):
                log.warning("LINE %s: no connection", what)
                return Delivery.RETRY_LATER
            return self._answer_lost(what, type(error.reason).__name__)
        except (urllib3.exceptions.HTTPError, OSError) as error:
            return self._answer_lost(what, type(error).__name__)

    @staticmethod
    def _answer_lost(what: str, cause: str) -> Delivery:
        """The request may have reached LINE but its answer did not reach us.

        A push can be sent again: its retry key makes LINE refuse a repeat (409). A reply
        cannot: it has no retry key, so sending it again might show it twice.
        """
        log.warning("LINE %s: request may have been sent (%s)", what, cause)
        return Delivery.RETRY_LATER if what in PUSHES else Delivery.UNCERTAIN

    @staticmethod
    def _classify_api_error(what: str, error: ApiException) -> Delivery:
        """Map LINE's HTTP status to what we should do next."""
        status = error.status or 0
        if status == 409 and what in PUSHES:
            return Delivery.SENT  # this retry key was accepted before: already delivered
        if status == 429 and what in PUSHES:
            if b"monthly limit" in _body_bytes(error).lower():
                log.error("LINE %s: the channel's monthly message limit is reached", what)
                return Delivery.LIMIT_REACHED
            log.warning("LINE %s: status 429, backing off", what)
            return Delivery.THROTTLED
        if status == 400 and what == "reply" and b"reply token" in _body_bytes(error).lower():
            log.info("LINE reply: token unusable, falling back to push")
            return Delivery.TOKEN_UNUSABLE
        if status == 429 or status >= 500:
            log.warning("LINE %s: status %s, will retry", what, status)
            return Delivery.RETRY_LATER
        log.error("LINE %s: rejected with status %s", what, status)
        return Delivery.REJECTED


# The calls that carry a retry key: a repeat is harmless, so a lost answer may be retried.
PUSHES = ("push", "multicast")


def _body_bytes(error: ApiException) -> bytes:
    """The error response body as bytes (the SDK gives str or bytes)."""
    body = error.body or b""
    return body.encode() if isinstance(body, str) else bytes(body)

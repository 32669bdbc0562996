"""A LINE chat in the browser for local mode: `/emulator`, on 127.0.0.1 only.

The page does what LINE does and nothing more: it builds LINE-shaped webhook bodies,
signs them with the channel secret, posts them to `/callback`, and reads what the bot
sent (replies and pushes, through the real SDK) from the local LINE stand-in. The bot
has no emulator code path. The blueprint exists only in local mode: with real LINE
credentials `/emulator` is a 404 and the development secret is never handed out.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, request, send_from_directory
from sqlalchemy import select

from bot.config import Config
from bot.local.emulator.personas import PERSONAS
from bot.local.emulator.standin_client import StandInClient, StandInUnavailable
from bot.i18n import _
from bot.state import app_state
from storage.models import LineUser

STATIC_DIR = Path(__file__).with_name("static")
# The bot's own user id as LINE puts it in `destination` (any U + 32 hex digits will do locally).
DESTINATION = "U" + "0" * 31 + "1"
LOOPBACK = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
# Names the page may be opened under; any other Host is a DNS-rebinding page in disguise.
LOCAL_HOSTNAMES = frozenset({"127.0.0.1", "localhost", "::1"})
# Request lines of the page's polling, which would otherwise fill the terminal twice a second.
POLLING_PATHS = ("/emulator/api/", "/_standin/")
# Stickers offered in the sticker panel: LINE's free sticker ids, drawn as emoji here.
STICKERS = (
    {"packageId": "446", "stickerId": "1988", "keywords": ["thumbs up"], "emoji": "👍"},
    {"packageId": "446", "stickerId": "1989", "keywords": ["thank you"], "emoji": "🙏"},
    {"packageId": "789", "stickerId": "10855", "keywords": ["happy"], "emoji": "😊"},
    {"packageId": "11537", "stickerId": "52002734", "keywords": ["ok"], "emoji": "👌"},
)
SAMPLE_LOCATION = {"latitude": 16.4419, "longitude": 102.8360}


def emulator_enabled(config: Config) -> bool:
    """Only without LINE credentials, and only when LINE calls go to a stand-in we can read."""
    return config.local_mode and not config.uses_line_own_api


def page_texts() -> dict[str, str]:
    """The page's own words (the bot's words come from the bot), in Thai."""
    return {
        "title": _("LINE emulator"),
        "botName": _("ThaiQM household survey"),
        "newUser": _("New user"),
        "anotherNewUser": _("Start over as another new user"),
        "addFriend": _("Add friend"),
        "addFriendHint": _("Add this account as a friend to start chatting."),
        "block": _("Block"),
        "unblock": _("Unblock"),
        "blockedHint": _("You have blocked this account. Unblock it to chat again."),
        "typeMessage": _("Type a message"),
        "send": _("Send"),
        "stickers": _("Stickers"),
        "sticker": _("sticker"),
        "ok": _("OK"),
        "cancel": _("Cancel"),
        "pickDate": _("Choose a date"),
        "pickTime": _("Choose a time"),
        "pickDatetime": _("Choose a date and time"),
        "unavailable": _("Not available in the emulator"),
        "refused": _("The bot refused the message (HTTP status {status})."),
        "standInDown": _("The local LINE stand-in does not answer. Is thaiqm-bot serve running?"),
        "cannotShow": _("A {type} message the emulator cannot show"),
        "read": _("Read"),
        "locationTitle": _("Sample house (emulator)"),
        "locationAddress": _("Nai Mueang, Mueang Khon Kaen, Khon Kaen 40000"),
    }


def build_emulator(config: Config) -> Blueprint:
    """The emulator's page, its static files and the three calls the page makes."""
    emulator = Blueprint("emulator", __name__, url_prefix="/emulator", static_folder=str(STATIC_DIR), static_url_path="/static")
    standin = StandInClient(config.line_api_base_url)
    # Built once: the catalog does not change while the app runs.
    fixed_setup: dict[str, Any] = {
        "secret": config.line_channel_secret,
        "destination": DESTINATION,
        "texts": page_texts(),
        "stickers": STICKERS,
        "sampleLocation": SAMPLE_LOCATION,
    }

    @emulator.before_request
    def _loopback_only():  # type: ignore[no-untyped-def]
        # Local mode signs with a published secret: nobody but this machine may use it,
        # and no web page from elsewhere may reach it through a rebound DNS name.
        if request.remote_addr not in LOOPBACK or urlsplit("//" + request.host).hostname not in LOCAL_HOSTNAMES:
            abort(404)

    @emulator.get("")
    @emulator.get("/")
    def page():  # type: ignore[no-untyped-def]
        """The chat page."""
        response = send_from_directory(STATIC_DIR, "index.html")
        response.headers["Cache-Control"] = "no-store"
        return response

    @emulator.get("/api/setup")
    def setup():  # type: ignore[no-untyped-def]
        """What the page needs: the secret to sign with, the personas, its texts."""
        return fixed_setup | {"personas": _personas_with_state()}

    @emulator.post("/api/reply-token")
    def reply_token():  # type: ignore[no-untyped-def]
        """A reply token for the event the page is about to send (LINE issues one per event)."""
        chat_id = str((request.get_json(silent=True) or {}).get("chatId", ""))
        try:
            return {"replyToken": standin.reply_token(chat_id)}
        except ValueError:
            return {"message": "chatId must be a LINE user id"}, 400
        except StandInUnavailable:
            return {"message": "stand-in unavailable"}, 502

    @emulator.get("/api/messages")
    def messages():  # type: ignore[no-untyped-def]
        """What the bot delivered to these chats since a sequence number (replies and pushes)."""
        chat_ids = request.args.getlist("chat")[:20]
        since = request.args.get("since", "0")
        if not since.isdigit():
            return {"message": "since must be a number"}, 400
        try:
            return {"messages": standin.messages(chat_ids, int(since))}
        except ValueError:
            return {"message": "chat must be a LINE user id"}, 400
        except StandInUnavailable:
            return {"message": "stand-in unavailable"}, 502

    @emulator.get("/api/rich-menu")
    def rich_menu():  # type: ignore[no-untyped-def]
        """The rich menu a chat shows now (its areas and where its image is), or null."""
        try:
            rich_menu_id, menu = standin.rich_menu(request.args.get("chat", ""))
        except ValueError:
            return {"message": "chat must be a LINE user id"}, 400
        except StandInUnavailable:
            return {"message": "stand-in unavailable"}, 502
        if menu is None:
            return {"richMenu": None}
        return {"richMenu": menu | {"image": f"{request.script_root}/emulator/api/rich-menu/{rich_menu_id}/image"}}

    @emulator.get("/api/rich-menu/<rich_menu_id>/image")
    def rich_menu_image(rich_menu_id: str):  # type: ignore[no-untyped-def]
        """A rich menu's image, as the stand-in received it."""
        try:
            found = standin.rich_menu_image(rich_menu_id)
        except ValueError:
            abort(404)
        except StandInUnavailable:
            return {"message": "stand-in unavailable"}, 502
        if found is None:
            abort(404)
        image, content_type = found
        # A rich menu's image never changes (a new image means a new menu id).
        return Response(image, mimetype=content_type, headers={"Cache-Control": "private, max-age=3600"})

    return emulator


def _personas_with_state() -> list[dict[str, Any]]:
    """The personas, each with whether it is currently a friend of the bot (one query)."""
    ids = [persona.line_user_id for persona in PERSONAS]
    factory = app_state(current_app).session_factory
    with factory() as session:
        friends = set(
            session.scalars(
                select(LineUser.line_user_id).where(
                    LineUser.line_user_id.in_(ids), LineUser.active.is_(True), LineUser.followed_at.is_not(None)
                )
            )
        )
    return [
        {
            "key": persona.key,
            "userId": persona.line_user_id,
            "name": persona.display_name,
            "role": _(persona.role_label),
            "friend": persona.line_user_id in friends,
        }
        for persona in PERSONAS
    ]


class QuietPolling(logging.Filter):
    """Drops the access-log lines of the page's polling (werkzeug logs every request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a request line of the emulator's polling or of the stand-in's reads."""
        message = record.getMessage()
        return not any(path in message for path in POLLING_PATHS)

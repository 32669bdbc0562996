"""The dispatcher: every webhook event reaches exactly one handler."""

from __future__ import annotations

from typing import Callable

from linebot.v3.webhooks import (
    AudioMessageContent,
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

from bot.chat import postback
from bot.handlers import accounts, follow, help, survey, text
from bot.handlers.context import EventContext
from bot.i18n import N_, _
from bot.chat.replies import Reply

# A postback handler gets the data's parameters and LINE's params (e.g. {"date": "2024-01-15"}).
PostbackHandler = Callable[[EventContext, dict[str, str], dict[str, str]], list[Reply]]

# Each feature adds its routes here: postback data "do=<route>&…" reaches POSTBACK_ROUTES[route].
POSTBACK_ROUTES: dict[str, PostbackHandler] = {}
POSTBACK_ROUTES.update(accounts.ROUTES)
POSTBACK_ROUTES.update(survey.ROUTES)

# What to call each kind of message the bot cannot use, in the polite answer.
UNUSABLE_CONTENT = {
    StickerMessageContent: N_("sticker"),
    ImageMessageContent: N_("picture"),
    AudioMessageContent: N_("voice message"),
    VideoMessageContent: N_("video"),
    FileMessageContent: N_("file"),
    LocationMessageContent: N_("location"),
}


def dispatch(ctx: EventContext) -> list[Reply]:
    """Route one event to its handler and return what to say."""
    event = ctx.event
    if isinstance(event, UnfollowEvent):
        return follow.on_unfollow(ctx)
    if not isinstance(getattr(event, "source", None), UserSource):
        return help.on_group_chat(ctx) if _has_reply_token(event) else []
    if isinstance(event, FollowEvent):
        return follow.on_follow(ctx)
    if isinstance(event, MessageEvent):
        content = event.message
        if isinstance(content, TextMessageContent):
            return text.on_text(ctx, content.text)
        kind = UNUSABLE_CONTENT.get(type(content), N_("message"))
        where = (content.latitude, content.longitude) if isinstance(content, LocationMessageContent) else None
        return survey.on_message(ctx, _(kind), where) or help.on_unusable_message(ctx, _(kind))
    if isinstance(event, PostbackEvent):
        route, params = postback.decode(event.postback.data)
        handler = POSTBACK_ROUTES.get(route)
        if handler is None:
            return help.on_stale_postback(ctx)
        if (refused := accounts.gate_postback(ctx)) is not None:  # only registered, active people tap work buttons
            return refused
        return handler(ctx, params, event.postback.params or {})
    return help.on_other_event(ctx) if _has_reply_token(event) else []


def _has_reply_token(event: object) -> bool:
    """True when the event can be answered."""
    return bool(getattr(event, "reply_token", None))

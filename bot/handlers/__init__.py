"""The dispatcher: every webhook event reaches exactly one handler."""

from __future__ import annotations

from typing import Callable

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
    "sticker": N_("sticker"),
    "image": N_("picture"),
    "audio": N_("voice message"),
    "video": N_("video"),
    "file": N_("file"),
    "location": N_("location"),
}


def dispatch(ctx: EventContext) -> list[Reply]:
    """Route one event to its handler and return what to say."""
    event = ctx.event
    if event.kind == "unknown":  # an event the channel adapter could not read: answer politely if we can
        return [help.cannot_use()] if event.reply_token else []
    if event.kind == "unfollow":
        return follow.on_unfollow(ctx)
    if not event.one_to_one:
        return help.on_group_chat(ctx) if event.reply_token else []
    if event.kind == "follow":
        return follow.on_follow(ctx)
    if event.kind == "text":
        return text.on_text(ctx, event.text)
    if event.kind in ("location", "message"):
        kind = UNUSABLE_CONTENT.get(event.content, N_("message"))
        return survey.on_message(ctx, _(kind), event.location) or help.on_unusable_message(ctx, _(kind))
    if event.kind == "postback":
        route, params = postback.decode(event.data)
        handler = POSTBACK_ROUTES.get(route)
        if handler is None:
            return help.on_stale_postback(ctx)
        if (refused := accounts.gate_postback(ctx)) is not None:  # only registered, active people tap work buttons
            return refused
        return handler(ctx, params, dict(event.params))
    return help.on_other_event(ctx) if event.reply_token else []

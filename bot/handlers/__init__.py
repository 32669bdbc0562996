"""The dispatcher: every webhook event reaches exactly one handler."""

from __future__ import annotations

from bot.handlers import conversation, follow, help
from bot.handlers.context import EventContext
from bot.i18n import N_, _
from bot.chat.replies import Reply

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
        return conversation.on_text(ctx, event.text)
    if event.kind in ("location", "message"):
        kind = UNUSABLE_CONTENT.get(event.content, N_("message"))
        return conversation.on_message(ctx, _(kind), event.location) or help.on_unusable_message(ctx, _(kind))
    if event.kind == "postback":
        return conversation.on_postback(ctx, event.data, dict(event.params))
    return help.on_other_event(ctx) if event.reply_token else []

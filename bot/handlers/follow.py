"""Follow and unfollow: greet a new user, stop pushing to one who blocked the bot."""

from __future__ import annotations

from bot.handlers.context import EventContext
from bot.handlers.help import main_buttons
from bot.i18n import _
from bot.chat.replies import Reply, Text
from storage.users import mark_followed, mark_unfollowed


def on_follow(ctx: EventContext) -> list[Reply]:
    """Greet the user, say what the bot does and what to do next."""
    mark_followed(ctx.user, ctx.now)
    return [
        Text(
            _(
                "Welcome to the ThaiQM household survey of your municipality.\n\n"
                "This LINE account helps community volunteers and municipal staff collect "
                "household data for the poverty-eradication programme (ThaiQM), check it and "
                "send it to the municipality.\n\n"
                "Next step: if you are a volunteer or a member of staff, tap \"Register\" and "
                "enter the invite code you received from the municipality.\n"
                "If your household received a 6-digit confirmation code from its volunteer, "
                "send the code here."
            ),
            main_buttons(),
        )
    ]


def on_unfollow(ctx: EventContext) -> list[Reply]:
    """The user blocked the bot: mark them inactive; LINE gives no way to answer."""
    mark_unfollowed(ctx.user, ctx.now)
    return []

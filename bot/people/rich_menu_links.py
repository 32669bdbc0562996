"""Link a user to their role's rich menu (made earlier by `thaiqm-bot richmenu`), once the event commits."""

from __future__ import annotations

import logging

from bot.chat.effects import LinkMenu, UnlinkMenu
from bot.handlers.context import EventContext
from storage.models import LineUser, Person, RichMenu

log = logging.getLogger(__name__)


def link_rich_menu(ctx: EventContext, role: str) -> None:
    """Link the role's menu to this user after the commit; a log line when the role has none yet."""
    menu = ctx.session.get(RichMenu, role)
    if menu is None:
        log.info("no rich menu for role %s yet: the user gets the menu as quick replies only", role)
        return
    ctx.effects.append(LinkMenu(ctx.user.line_user_id, menu.line_rich_menu_id))


def unlink_rich_menu(ctx: EventContext, person: Person) -> None:
    """A deactivated person loses their role's menu and sees the guest menu (after the commit)."""
    line_user = ctx.session.get(LineUser, person.line_user_id) if person.line_user_id else None
    if line_user is not None:
        ctx.effects.append(UnlinkMenu(line_user.line_user_id))

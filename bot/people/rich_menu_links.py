"""Link a user to their role's rich menu (made earlier by `thaiqm-bot richmenu`)."""

from __future__ import annotations

import logging

from bot.handlers.context import EventContext
from bot.line.gateway import Delivery
from storage.models import LineUser, Person, RichMenu

log = logging.getLogger(__name__)


def link_rich_menu(ctx: EventContext, role: str) -> bool:
    """Link the role's menu to this user; False (and a log line) when there is none or LINE refused."""
    menu = ctx.session.get(RichMenu, role)
    if menu is None or ctx.gateway is None:
        log.info("no rich menu for role %s yet: the user gets the menu as quick replies only", role)
        return False
    # Called before the commit: linking is idempotent, and a failed registration leaves at
    # worst a menu whose buttons answer "please register".
    outcome = ctx.gateway.link_rich_menu(ctx.user.line_user_id, menu.line_rich_menu_id)
    return outcome is Delivery.SENT


def unlink_rich_menu(ctx: EventContext, person: Person) -> bool:
    """A deactivated person loses their role's menu and sees the guest menu; False when nothing was done."""
    line_user = ctx.session.get(LineUser, person.line_user_id) if person.line_user_id else None
    if line_user is None or ctx.gateway is None:
        return False
    return ctx.gateway.unlink_rich_menu(line_user.line_user_id) is Delivery.SENT

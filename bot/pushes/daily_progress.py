"""The supervisors' daily progress: the Flex view of their area, compact, with a button to the full one."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from bot.chat.replies import Button, Cards, CardRow
from bot.config import Config
from bot.handlers import progress as view
from bot.i18n import _
from bot.people.menus import MENU, PROGRESS, VOLUNTEERS
from storage.progress import Progress, progress
from storage.rounds import current_round

# Bubbles of communities in the push (those furthest behind); "Progress" shows them all.
PUSHED_COMMUNITY_CARDS = 2


def extra_rows(session: Session, figures: Progress) -> tuple[CardRow, ...]:
    """Rows added to the summary bubble. Hook: approved records (export/approval) are counted here once recorded."""
    return ()


def daily_progress(session: Session, config: Config, municipality_id: int, community_id: int | None, now: datetime) -> Cards:
    """The progress a supervisor of this area (a community, or the whole municipality) gets each day."""
    found = current_round(session, municipality_id)
    figures = progress(session, municipality_id, found.name, view.start_of_day(now, config.zone), community_id)
    text, cards = view.progress_cards(
        figures, found, view.dimension_names(view.round_form(found)), now, config.zone, community_cards=PUSHED_COMMUNITY_CARDS, idle_days=config.idle_days
    )
    detail = Button(_("Full progress"), text=_(PROGRESS.command))
    summary = replace(cards[0], rows=cards[0].rows + extra_rows(session, figures), buttons=(detail,))
    buttons = (Button(_(PROGRESS.label), text=_(PROGRESS.command)), Button(_(VOLUNTEERS.label), text=_(VOLUNTEERS.command)), Button(_(MENU.label), text=_(MENU.command)))
    return Cards(_("Daily progress. {summary}", summary=text), (summary, *cards[1:]), buttons)

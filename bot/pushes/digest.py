"""A volunteer's daily digest: households to revisit (the first few with a start button), drafts, problems
under way, households still to follow up after saying "not solved", and the days left to the next deadline."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bot.chat import postback
from bot.chat.replies import Button, Card, CardRow, Cards
from bot.dialogs.answers import format_date_be
from bot.i18n import N_, _
from bot.people.menus import CONTINUE, MENU, REXRAY
from storage.models import Round
from storage.pending_work import PendingWork
from storage.rexray import worklist

# Households to revisit shown by name with a start button (the rest: "Re-X-ray" lists them all).
FIRST_HOUSEHOLDS = 3
DEADLINE_NAMES = {"survey": N_("the survey deadline"), "resolution": N_("the deadline to solve the problems")}


def next_deadline(found: Round | None, today: date) -> tuple[str, date] | None:
    """The round's nearest deadline from today on: ("survey" or "resolution", its date)."""
    if found is None:
        return None
    ahead = [(day, name) for name, day in (("survey", found.survey_deadline), ("resolution", found.resolution_deadline)) if day is not None and day >= today]
    if not ahead:
        return None
    day, name = min(ahead)
    return name, day


def days_left(name: str, deadline: date, today: date) -> str:
    """อีก 14 วัน ถึงกำหนดส่งแบบสำรวจ 15 ม.ค. 2567 (today: "today is …")."""
    days = (deadline - today).days
    if days == 0:
        return _("Today is {what}: {date}", what=_(DEADLINE_NAMES[name]), date=format_date_be(deadline))
    return _("{days} days left until {what}: {date}", days=days, what=_(DEADLINE_NAMES[name]), date=format_date_be(deadline))


def digest(session: Session, work: PendingWork, found: Round | None, today: date) -> Cards:
    """The digest of one volunteer with open work."""
    rows: list[CardRow] = []
    if work.rexray:
        rows.append(CardRow(_("Households to revisit (Re-X-ray)"), _("{count} households", count=work.rexray)))
        items, _total = worklist(session, work.person_id, limit=FIRST_HOUSEHOLDS)
        for item in items:
            house = " ".join(part for part in (item.house_no, item.head_name) if part) or "-"
            start = Button(_("Start"), kind="postback", data=postback.encode("rx", a="visit", h=item.household_id), text=_("Revisit {house}", house=house)[:300])
            rows.append(CardRow(item.community or "", house, button=start))
    if work.drafts:
        rows.append(CardRow(_("Unfinished surveys (drafts)"), _("{count} households", count=work.drafts), button=Button(_(CONTINUE.label), text=_(CONTINUE.command))))
    if work.in_progress:
        rows.append(CardRow(_("Problems with help under way"), _("{count} problems", count=work.in_progress)))
    if work.not_solved:
        # Standing work, not news: each household's "not solved" reached the volunteer as its own
        # message when it was said (or at the end of the quiet hours), so this counts what is still open.
        rows.append(CardRow(_("Households to follow up (they said a problem is not solved)"), _("{count} households", count=work.not_solved)))
    deadline = next_deadline(found, today)
    if deadline is not None:
        rows.append(CardRow(_("Next deadline"), days_left(*deadline, today)))
    # The notification line names only what is waiting ("0 households" would read as work).
    parts = [
        text for count, text in (
            (work.rexray, _("{count} households to revisit", count=work.rexray)),
            (work.drafts, _("{count} drafts", count=work.drafts)),
            (work.in_progress, _("{count} problems under way", count=work.in_progress)),
            (work.not_solved, _("{count} households to follow up", count=work.not_solved)),
        ) if count
    ]
    summary = _("Your work today: {items}", items=" ".join(parts))
    buttons = ((Button(_(REXRAY.label), text=_(REXRAY.command)),) if work.rexray else ()) + (Button(_(MENU.label), text=_(MENU.command)),)
    return Cards(summary, (Card(_("Your work for today"), tuple(rows)),), buttons)

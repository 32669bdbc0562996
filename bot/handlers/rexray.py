"""Re-X-ray in the chat: a sub-district volunteer's worklist of earlier-round households, and adding a missed one.

"Re-X-ray" opens the households still to revisit, ten to a page, in walking order; "Re-X-ray 12"
or a name searches them; each card's button starts (or resumes) its visit (bot.handlers.rexray_visit).
"Add a missed household" starts the full household survey for a household the earlier round
missed (ตกหล่น), "Add a newly distressed household" for one newly in need; its record says which.
"""

from __future__ import annotations

from bot.chat import postback
from bot.chat.replies import Button, Card, CardRow, Cards, Reply, Text
from bot.handlers import rexray_visit, survey
from bot.handlers.context import EventContext
from bot.handlers.dialog import Dialog, Entry
from bot.i18n import _
from storage import rexray, surveys
from storage.models import Person
from storage.statuses import HouseholdOrigin, RexrayStatus

ROUTE = "rx"
PAGE_SIZE = 10
# A search travels in the page buttons' data: kept short for LINE's 300-character limit.
MAX_SEARCH = 20


def worklist(ctx: EventContext, search: str = "", page: int = 0) -> list[Reply]:
    """One page of the volunteer's households to revisit (searched when asked)."""
    person = _revisitor(ctx)
    if person is None:
        return _not_here(ctx)
    search = search.strip()[:MAX_SEARCH]
    items, total = rexray.worklist(ctx.session, person.id, search, page * PAGE_SIZE, PAGE_SIZE)
    if not items:
        text = _("No household matches \"{search}\".", search=search) if search else _("You have no household left to revisit.")
        return [Text(text, _buttons(search, page, total))]
    first, last = page * PAGE_SIZE + 1, page * PAGE_SIZE + len(items)
    if search:
        heading = _("Households to revisit matching \"{search}\": {first}-{last} of {total}.", search=search, first=first, last=last, total=total)
    else:
        heading = _("Households to revisit, in walking order: {first}-{last} of {total}.", first=first, last=last, total=total)
    hint = _("To find a household, type \"re-x-ray\" and its house number or the head's name, e.g. \"re-x-ray 12/3\".")
    return [Text(f"{heading}\n{hint}"), Cards(heading, tuple(_card(item) for item in items), _buttons(search, page, total))]


def _card(item: rexray.WorkItem) -> Card:
    """A household of the worklist: where it is, whose it is, how far its problems are checked; its visit's button."""
    title = _("House no. {house}", house=item.house_no or "-")
    rows = (
        CardRow(_("Head of household"), item.head_name or "-"),
        CardRow(_("Community"), item.community or "-"),
        CardRow(_("Problems recorded"), str(item.problems)),
        CardRow(_("Checked"), _("{checked} of {problems}", checked=item.checked, problems=item.problems)),
        CardRow(_("Re-X-ray visit"), _("started") if item.rexray_status == RexrayStatus.STARTED else _("not yet")),
    )
    label = _("Resume the visit") if item.rexray_status == RexrayStatus.STARTED else _("Start the visit")
    return Card(title, rows, (Button(label, kind="postback", data=postback.encode(ROUTE, a="visit", h=item.household_id), text=_("{action}: house {house}", action=label, house=item.house_no or "-")),))


def _buttons(search: str, page: int, total: int) -> tuple[Button, ...]:
    """Previous and next page where there is one, and adding a missed household."""
    buttons = []
    if page > 0:
        buttons.append(Button(_("Previous page"), kind="postback", data=postback.encode(ROUTE, a="page", p=page - 1, q=search), text=_("Previous page")))
    if (page + 1) * PAGE_SIZE < total:
        buttons.append(Button(_("Next page"), kind="postback", data=postback.encode(ROUTE, a="page", p=page + 1, q=search), text=_("Next page")))
    buttons.append(Button(_("Add a missed household"), kind="postback", data=postback.encode(ROUTE, a="missed"), text=_("Add a missed household")))
    buttons.append(Button(_("Add a new household"), kind="postback", data=postback.encode(ROUTE, a="new"), text=_("Add a newly distressed household")))
    return tuple(buttons)


def add_household(ctx: EventContext, origin: HouseholdOrigin) -> list[Reply]:
    """The full household survey for a household not on the earlier round's list: missed by it, or newly distressed."""
    person = _revisitor(ctx)
    if person is None:
        return _not_here(ctx)
    before = surveys.active_household(ctx.session, person.id)
    replies = survey.start(ctx, fresh=True)  # asked for a household of its own: paused drafts stay paused
    household = surveys.active_household(ctx.session, person.id)
    if household is not None and household is not before:
        household.origin = origin
        if origin == HouseholdOrigin.NEW:
            replies.insert(0, Text(_("A newly distressed household: its survey is recorded as a new household in need.")))
        else:
            replies.insert(0, Text(_("A household the earlier round missed: its survey is recorded as a missed household.")))
    return replies


def on_postback(ctx: EventContext, params: dict[str, str], _line_params: dict[str, str]) -> list[Reply]:
    """A worklist button: a household's visit, another page, or a missed or new household."""
    action = params.get("a")
    if action == "visit":
        person = _revisitor(ctx)
        return rexray_visit.begin(ctx, person, params.get("h", "")) if person is not None else _not_here(ctx)
    if action in ("missed", "new"):
        return add_household(ctx, HouseholdOrigin.NEW if action == "new" else HouseholdOrigin.MISSED)
    page = params.get("p", "0")
    return worklist(ctx, params.get("q", ""), int(page) if page.isdigit() else 0)


def _revisitor(ctx: EventContext) -> Person | None:
    """The volunteer of a sub-district municipality behind this user, who revisits the earlier round."""
    return rexray_visit.revisitor(ctx)


def _not_here(ctx: EventContext) -> list[Reply]:
    """Why this user has no Re-X-ray: it is for the volunteers of sub-district municipalities."""
    return [Text(_("Re-X-ray is done by the volunteers of sub-district municipalities, which revisit the households of the earlier round."))]


DIALOG = Dialog(
    name="rexray",
    entries=(
        Entry(("re-x-ray",), lambda ctx, search: worklist(ctx, search), argument=True),
        Entry(("Add a missed household",), lambda ctx, _argument: add_household(ctx, HouseholdOrigin.MISSED)),
        Entry(("Add a newly distressed household",), lambda ctx, _argument: add_household(ctx, HouseholdOrigin.NEW)),
    ),
    routes={ROUTE: on_postback},
)

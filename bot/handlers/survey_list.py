"""A volunteer's own surveys: drafts and submitted records, newest first, paged, searched by house number or head's name."""

from __future__ import annotations

from bot.chat import postback
from bot.chat.replies import Button, Card, CardRow, Cards, Reply, Text
from bot.dialogs.answers import normalize_digits
from bot.handlers.access import refusal
from bot.handlers.confirm_codes import code_button
from bot.handlers.context import EventContext
from bot.handlers.dialog import Entry
from bot.handlers.survey_drafts import day_of, draft_name
from bot.handlers.survey_view import data
from bot.i18n import N_, _
from bot.people import policy
from storage import confirmations, drafts
from storage.models import Household
from storage.statuses import HouseholdStatus

ROUTE = "ml"
# One carousel of at most 12 bubbles (LINE's limit) per page.
PAGE = 10
STATUS_LABELS = {HouseholdStatus.DRAFT: N_("Draft (not submitted)"), HouseholdStatus.SUBMITTED: N_("Submitted")}


def show(ctx: EventContext, query: str = "", page: int = 1) -> list[Reply]:
    """One page of the person's records (matching the query, if any)."""
    person = ctx.person()
    if (refused := policy.may_survey(person)) is not None or person is None:
        return refusal(refused or policy.Denied.NOT_ALLOWED, person.role if person else None)
    query = " ".join(normalize_digits(query).split())
    # A query with a digit is a house number (matched whole); otherwise part of the head's name.
    by_house = any(ch.isdigit() for ch in query)
    records = drafts.mine(ctx.session, person.id, search=None if by_house else query, house_no=query if by_house else None)
    start_button = Button(_("Start a survey"), text=_("survey"))
    if not records:
        if query:
            return [Text(_("None of your surveys matches “{query}”. Search by house number or by the head's name, e.g. “search 12/3” or “search Somchai”.", query=query), (Button(_("My surveys"), text=_("my surveys")), start_button))]
        return [Text(_("You have not surveyed any household yet."), (start_button,))]
    pages = (len(records) + PAGE - 1) // PAGE
    page = min(max(page, 1), pages)
    shown = records[(page - 1) * PAGE : page * PAGE]
    buttons: list[Button] = []
    if page > 1:
        buttons.append(Button(_("Previous page"), kind="postback", data=_page(query, page - 1), text=_("Previous page")))
    if page < pages:
        buttons.append(Button(_("Next page"), kind="postback", data=_page(query, page + 1), text=_("Next page")))
    buttons.append(start_button)
    intro = _("Your surveys, newest first: {first}–{last} of {count}.", first=(page - 1) * PAGE + 1, last=(page - 1) * PAGE + len(shown), count=len(records))
    if query:
        intro = _("Your surveys matching “{query}”: {first}–{last} of {count}.", query=query, first=(page - 1) * PAGE + 1, last=(page - 1) * PAGE + len(shown), count=len(records))
    hint = _("To search, type “search” and a house number or the head's name, e.g. “search 12/3”.")
    awaiting = confirmations.awaiting_among(ctx.session, [h.id for h in shown])
    return [Text(intro + "\n" + hint), Cards(intro, tuple(_card(ctx, h, h.id in awaiting) for h in shown), tuple(buttons))]


def _card(ctx: EventContext, household: Household, awaiting: bool = False) -> Card:
    """One record: house and head, status, receipt, date; continue or correct it (a draft may be deleted).

    A record with problems recorded as solved offers the household's confirmation code too.
    """
    rows = [CardRow(_("Status"), _(STATUS_LABELS.get(household.status, N_("Submitted"))))]
    if household.receipt_no:
        rows.append(CardRow(_("Survey number"), household.receipt_no))
    rows.append(CardRow(_("Date"), day_of(ctx, household)))
    if household.status == HouseholdStatus.DRAFT:
        buttons = (
            Button(_("Continue this survey"), kind="postback", data=data(household.id, "open"), text=_("Continue this survey")),
            Button(_("Delete draft"), kind="postback", data=data(household.id, "delete"), text=_("Delete draft")),
        )
    else:
        buttons = (Button(_("Correct this record"), kind="postback", data=data(household.id, "reopen"), text=_("Correct this record")),)
        buttons += (code_button(household.id),) if awaiting else ()
    return Card(draft_name(household), tuple(rows), buttons)


def _page(query: str, page: int) -> str:
    """Postback data of another page of the same list."""
    return postback.encode(ROUTE, p=page, q=query[:100]) if query else postback.encode(ROUTE, p=page)


def on_postback(ctx: EventContext, params: dict[str, str], _line_params: dict[str, str]) -> list[Reply]:
    """A tapped page button."""
    page = params.get("p", "1")
    return show(ctx, params.get("q", ""), int(page) if page.isdigit() else 1)


ENTRIES = (
    Entry((N_("my surveys"),), lambda ctx, _argument: show(ctx)),
    Entry((N_("search"),), lambda ctx, query: show(ctx, query), argument=True),
)

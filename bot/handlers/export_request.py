"""A supervisor asks for an export in the chat: a link to download their area's approved records, valid for 15 minutes.

The file behind the link (bot.exports.web) hides the middle digits of national IDs and phones:
a link in a chat is easily forwarded and a phone easily lost. The full file, for ThaiQM entry,
is the municipal IT officer's `thaiqm-bot export`. Every link made is recorded in the audit log.
"""

from __future__ import annotations

from bot.exports import query
from bot.exports.links import VALID_FOR, grant_for, make_token
from bot.handlers.access import refusal
from bot.handlers.context import EventContext
from bot.handlers.dialog import Dialog, Entry
from bot.i18n import _
from bot.people import policy
from bot.people.menus import menu_buttons
from bot.chat.replies import Reply, Text
from storage import audit


def request_export(ctx: EventContext, _argument: str) -> list[Reply]:
    """The link to the area's approved records, or why there is none."""
    person = ctx.person()
    if (refused := policy.may_supervise(person)) is not None:
        return refusal(refused, person.role if person else None)
    grant = grant_for(person)
    households = query.count(ctx.session, query.Filters(grant.municipality_id, grant.community_id, approval="approved"))
    if not households:
        return [Text(_("There are no approved records in your area to export yet. Type \"approve\" to see the records awaiting approval."), menu_buttons(person.role))]
    if not ctx.config.public_base_url:
        return [Text(_("Download links are not set up on this server yet. Please ask the municipal IT officer (setting PUBLIC_BASE_URL)."), menu_buttons(person.role))]
    link = f"{ctx.config.public_base_url}/exports/{make_token(grant)}"
    audit.record(ctx.session, "export.link", ctx.now, actor_id=person.id, municipality_id=grant.municipality_id, community_id=grant.community_id, households=households)
    minutes = int(VALID_FOR.total_seconds() // 60)
    return [Text(
        _("The approved records of your area ({count} households) as an Excel file:\n{link}\nThe link works for {minutes} minutes; whoever has it can download the file, so please do not forward it. "
          "National ID and phone numbers in it are partly hidden; the complete file for ThaiQM entry comes from the municipal IT officer.",
          count=households, link=link, minutes=minutes),
        menu_buttons(person.role),
    )]


DIALOG = Dialog(name="export", entries=(Entry(("export",), request_export, argument=True),))

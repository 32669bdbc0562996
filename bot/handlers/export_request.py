"""A supervisor asks for an export in the chat: the file is built by a job and its link, valid for 15 minutes, pushed when ready.

A large area takes minutes to build: the answer comes at once, the job (bot.exports.chat_file)
follows. The file hides the middle digits of national IDs and phones: a link in a chat is easily
forwarded and a phone easily lost. The full file, for ThaiQM entry, is the municipal IT officer's
`thaiqm-bot export`. Every link made and every download is recorded in the audit log.
"""

from __future__ import annotations

from bot.chat.effects import PrepareExport
from bot.exports import query
from bot.exports.chat_file import WAIT
from bot.exports.links import grant_for
from bot.handlers.access import refusal
from bot.handlers.context import EventContext
from bot.handlers.dialog import Dialog, Entry
from bot.i18n import _
from bot.people import policy
from bot.people.menus import menu_buttons
from bot.chat.replies import Reply, Text
from storage import export_files


def request_export(ctx: EventContext, _argument: str) -> list[Reply]:
    """Queue the area's file (its link follows in the chat), or say why not, or that one is on its way."""
    person = ctx.person()
    if (refused := policy.may_supervise(person)) is not None:
        return refusal(refused, person.role if person else None)
    grant = grant_for(person)
    buttons = menu_buttons(person.role)
    if export_files.open_request(ctx.session, person.id, grant.municipality_id, grant.community_id, ctx.now) is not None:
        return [Text(_("Your Excel file is still being prepared; its link will arrive in this chat as soon as it is ready."), buttons)]
    households = query.count(ctx.session, query.Filters(grant.municipality_id, grant.community_id, approval="approved"))
    if not households:
        return [Text(_("There are no approved records in your area to export yet. Type \"approve\" to see the records awaiting approval."), buttons)]
    if not ctx.config.public_base_url:
        return [Text(_("Download links are not set up on this server yet. Please ask the municipal IT officer (setting PUBLIC_BASE_URL)."), buttons)]
    export_id = export_files.add_request(ctx.session, person.id, grant.municipality_id, grant.community_id, households, ctx.now, WAIT)
    ctx.effects.append(PrepareExport(export_id))  # queued once the request is committed: the job must find it
    return [Text(
        _("Preparing the Excel file of the approved records of your area ({count} households). Its download link will arrive in this chat when it is ready; "
          "for a large area this takes a few minutes.", count=households),
        buttons,
    )]


DIALOG = Dialog(name="export", entries=(Entry(("export",), request_export, argument=True),))

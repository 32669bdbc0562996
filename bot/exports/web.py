"""The download a supervisor's link leads to: the file the job stored (approved records of their area, IDs and phones masked)."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from flask import Blueprint, current_app, send_file

from bot.exports.chat_file import reading
from bot.exports.links import Grant, LinkExpired, LinkInvalid, read_token, still_holds
from bot.i18n import _
from bot.runtime import utc_now
from bot.state import app_state
from storage import audit, export_files
from storage.db import transaction
from storage.models import Person

log = logging.getLogger(__name__)

downloads = Blueprint("exports", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(message: str, status: int):  # type: ignore[no-untyped-def]
    """A short Thai page for a browser (the link is opened from LINE)."""
    return f"<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'><p>{message}</p>", status, {"Content-Type": "text/html; charset=utf-8"}


@downloads.get("/exports/<token>")
def landing(token: str):  # type: ignore[no-untyped-def]
    """A page with the download button: LINE fetches a link's page for its preview, so a GET sends nothing."""
    checked = _check(token)
    if not isinstance(checked, Usable):
        return checked
    button = _("Download the Excel file")
    note = _("The file holds personal data of households: keep it on the municipality's computer and do not forward it.")
    return _page(f"<form method=post><button type=submit style='font-size:1.2em;padding:.6em 1.2em'>{button}</button></form><p>{note}</p>", 200)


@downloads.post("/exports/<token>")
def download(token: str):  # type: ignore[no-untyped-def]
    """Check the link, then send the stored file as it is (nothing is built here); every download is recorded in the audit log."""
    checked = _check(token)
    if not isinstance(checked, Usable):
        return checked
    grant, export_id = checked.grant, checked.export_id
    state = app_state(current_app)
    now = utc_now()
    # Megabytes read with batch timeouts on a connection of its own (on SQLite a plain BEGIN, no write lock).
    with reading(state.config.database_url)() as session:
        content = export_files.content_of(session, export_id, now)
        session.rollback()
    if content is None:  # ended between the check and now
        return _expired()
    with transaction(state.session_factory) as session:
        audit.record(session, "export.download", now, actor_id=grant.person_id, municipality_id=grant.municipality_id, community_id=grant.community_id,
                     households=checked.households)
    local = now.astimezone(state.config.zone)
    name = f"thaiqm-export-{local.year:04d}{local.month:02d}{local.day:02d}-{local.hour:02d}{local.minute:02d}.xlsx"
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=name, max_age=0)


@dataclass(frozen=True)
class Usable:
    """A link that may be used now: whose it is, its stored file, and the households in it."""

    grant: Grant
    export_id: int
    households: int


def _check(token: str):  # type: ignore[no-untyped-def]
    """Usable when the link may be used; else the page that refuses it (expired, not ours, no longer theirs)."""
    try:
        grant, export_id = read_token(token)
    except LinkExpired:
        return _expired()
    except LinkInvalid:
        return _page(_("This download link is not valid."), 404)
    now = utc_now()
    with transaction(app_state(current_app).session_factory) as session:
        if not still_holds(grant, session.get(Person, grant.person_id)):
            log.warning("export download refused: the link's person no longer holds its area")
            return _page(_("This download link is not yours to use."), 403)
        households = export_files.ready_households(session, export_id, grant.person_id, grant.municipality_id, grant.community_id, now)
        if households is None:
            export_files.remove_expired(session, now)  # ended files go on access too, not only at the worker's next tidy-up
            return _expired()
        return Usable(grant, export_id, households)


def _expired():  # type: ignore[no-untyped-def]
    """The page for a link (or file) whose time has passed."""
    return _page(_("This download link has expired. Type \"export\" in the chat for a new one."), 410)

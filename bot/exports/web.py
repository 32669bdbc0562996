"""The download a supervisor's link leads to: the approved records of their area as XLSX, IDs and phones masked."""

from __future__ import annotations

import io
import logging

from flask import Blueprint, current_app, send_file

from bot.exports import query
from bot.exports.links import LinkExpired, LinkInvalid, read_token, still_holds
from bot.exports.making import prepare, write
from bot.exports.sheets import Options
from bot.i18n import _
from bot.runtime import utc_now
from bot.state import app_state
from storage import audit
from storage.db import transaction
from storage.models import Person

log = logging.getLogger(__name__)

downloads = Blueprint("exports", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(message: str, status: int):  # type: ignore[no-untyped-def]
    """A short Thai page for a browser (the link is opened from LINE)."""
    return f"<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'><p>{message}</p>", status, {"Content-Type": "text/html; charset=utf-8"}


@downloads.get("/exports/<token>")
def download(token: str):  # type: ignore[no-untyped-def]
    """Check the link, then build and send the file; every download is recorded in the audit log."""
    try:
        grant = read_token(token)
    except LinkExpired:
        return _page(_("This download link has expired. Type \"export\" in the chat for a new one."), 410)
    except LinkInvalid:
        return _page(_("This download link is not valid."), 404)
    state = app_state(current_app)
    now = utc_now()
    with transaction(state.session_factory) as session:
        person = session.get(Person, grant.person_id)
        if not still_holds(grant, person):
            log.warning("export download refused: the link's person no longer holds its area")
            return _page(_("This download link is not yours to use."), 403)
        filters = query.Filters(grant.municipality_id, grant.community_id, approval="approved")
        prepared = prepare(session, filters, Options(state.config.zone, mask=True))
        if prepared is None:
            return _page(_("There are no approved records in your area to download yet."), 404)
        buffer = io.BytesIO()
        write(prepared, "xlsx", buffer)
        audit.record(session, "export.download", now, actor_id=grant.person_id, municipality_id=grant.municipality_id, community_id=grant.community_id,
                     households=prepared.households)
        local = now.astimezone(state.config.zone)
        name = f"thaiqm-export-{local.year:04d}{local.month:02d}{local.day:02d}-{local.hour:02d}{local.minute:02d}.xlsx"
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=name, max_age=0)

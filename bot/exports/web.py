"""The download a supervisor's link leads to: the approved records of their area as XLSX, IDs and phones masked."""

from __future__ import annotations

import functools
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
from sqlalchemy.orm import Session, sessionmaker

from storage.db import BATCH_TIMEOUT, make_engine, make_session_factory, transaction
from storage.models import Person
from storage.rounds import current_round

log = logging.getLogger(__name__)

downloads = Blueprint("exports", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(message: str, status: int):  # type: ignore[no-untyped-def]
    """A short Thai page for a browser (the link is opened from LINE)."""
    return f"<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'><p>{message}</p>", status, {"Content-Type": "text/html; charset=utf-8"}


@downloads.get("/exports/<token>")
def landing(token: str):  # type: ignore[no-untyped-def]
    """A page with the download button: LINE fetches a link's page for its preview, so a GET builds nothing."""
    refused = _refused(token)
    if refused is not None:
        return refused
    button = _("Download the Excel file")
    note = _("The file holds personal data of households: keep it on the municipality's computer and do not forward it.")
    return _page(f"<form method=post><button type=submit style='font-size:1.2em;padding:.6em 1.2em'>{button}</button></form><p>{note}</p>", 200)


@downloads.post("/exports/<token>")
def download(token: str):  # type: ignore[no-untyped-def]
    """Check the link, then build and send the file; every download is recorded in the audit log."""
    refused = _refused(token)
    if refused is not None:
        return refused
    grant = read_token(token)
    state = app_state(current_app)
    now = utc_now()
    # Read with batch timeouts on a connection of its own, outside the webhooks' write lock:
    # a large area takes longer than a webhook may wait (SQLite readers never block writers in WAL).
    with _reader(state.config.database_url)() as session:
        filters = query.Filters(grant.municipality_id, grant.community_id, approval="approved")
        prepared = prepare(session, filters, Options(state.config.zone, mask=True))
        session.rollback()
    if prepared is None:
        return _page(_("There are no approved records in your area to download yet."), 404)
    buffer = io.BytesIO()
    write(prepared, "xlsx", buffer)
    with transaction(state.session_factory) as session:
        audit.record(session, "export.download", now, actor_id=grant.person_id, municipality_id=grant.municipality_id, community_id=grant.community_id,
                     households=prepared.households)
    local = now.astimezone(state.config.zone)
    name = f"thaiqm-export-{local.year:04d}{local.month:02d}{local.day:02d}-{local.hour:02d}{local.minute:02d}.xlsx"
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=name, max_age=0)


def _refused(token: str):  # type: ignore[no-untyped-def]
    """The page that refuses a link (expired, not ours, or its person no longer holds the area); None: it may be used."""
    try:
        grant = read_token(token)
    except LinkExpired:
        return _page(_("This download link has expired. Type \"export\" in the chat for a new one."), 410)
    except LinkInvalid:
        return _page(_("This download link is not valid."), 404)
    with transaction(app_state(current_app).session_factory) as session:
        if not still_holds(grant, session.get(Person, grant.person_id)):
            log.warning("export download refused: the link's person no longer holds its area")
            return _page(_("This download link is not yours to use."), 403)
        current_round(session, grant.municipality_id)  # made here if missing: the export only reads
    return None


@functools.cache
def _reader(database_url: str) -> sessionmaker[Session]:
    """Sessions for reading an export: batch timeouts, and on SQLite a plain BEGIN that takes no write lock."""
    return make_session_factory(make_engine(database_url, timeout=BATCH_TIMEOUT, read_only=True))

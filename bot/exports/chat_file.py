"""A supervisor's chat export, built by a job: read, write the masked XLSX, keep it in the database, push the link.

A large area takes minutes to build: far too long for a web request (gunicorn's timeout, a
worker held). The worker's job builds it instead and the link arrives in the chat when the
file is ready. A job run twice (a retry, two workers) announces once: only the current claim
on the request may store the file (storage/export_files.py). A job that fails keeps no file
and tells the supervisor to try again; the log names the request, never its data.
"""

from __future__ import annotations

import functools
import tempfile
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from bot.chat.replies import Text
from bot.config import Config
from bot.delivery.notify import Outside, notify
from bot.delivery.send import Outgoing
from bot.delivery.sender import Sending
from bot.exports import query
from bot.exports.links import VALID_FOR, Grant, make_token, still_holds
from bot.exports.making import Prepared, prepare, write
from bot.exports.sheets import Options
from bot.i18n import _
from bot.people.menus import menu_buttons
from bot.safe_log import log_failure
from storage import audit, export_files
from storage.db import BATCH_TIMEOUT, make_engine, make_session_factory, transaction
from storage.export_files import Claim
from storage.models import Person
from storage.rounds import current_round

log = logging.getLogger(__name__)

# A request not done within this gives way to a new one (the supervisor may ask again).
WAIT = timedelta(minutes=30)
# A job that has held a request this long without finishing is taken to have died: another may take it over.
# 50,000 households took 8 minutes on a loaded 2-core machine (bench/chat_export_benchmark.py): well above that.
LEASE = timedelta(minutes=20)
# A request no job has taken after this was not queued (Redis away when asked): the tidy-up queues it.
LOST_AFTER = timedelta(minutes=1)
# A build renews its claim this often while it writes, so however long it takes no other run takes it over.
RENEW_EVERY = timedelta(minutes=1)


class ClaimLost(Exception):
    """The request's claim was voided (a household of the area erased) or taken over while building: stop, announce nothing."""


def build_and_send(config: Config, factory: sessionmaker[Session], sender: Sending, export_id: int, now: Callable[[], datetime]) -> bool:
    """Build one requested file and push its link (or an apology); False when another run has the request, or it has ended."""
    try:
        with transaction(factory) as session:
            held = export_files.claim(session, export_id, now(), LEASE, WAIT)
            if held is not None:
                current_round(session, held.municipality_id)  # made here if missing: the export only reads
    except Exception as error:  # the request stays waiting: the tidy-up queues it again
        log_failure(log, f"claiming chat export {export_id}", error)
        return False
    if held is None:
        log.info("chat export %d: taken by another run, or ended", export_id)
        return False
    try:
        outgoing = _build_and_store(config, held, now)
    except ClaimLost:  # voided by an erasure (the tidy-up has it built again) or taken over: that run announces
        log.info("chat export %d: its claim was voided or taken over while building", export_id)
        return False
    except Exception as error:  # a database timeout, a bug: the supervisor is told, nothing half-made stays
        log_failure(log, f"building chat export {export_id}", error)
        outgoing = _apologise(config, factory, held, now)
    sender.submit(outgoing)
    return bool(outgoing)


def _build_and_store(config: Config, held: Claim, now: Callable[[], datetime]) -> list[Outgoing]:
    """Read and write the file, then in one transaction keep it and queue its link; what to send after the commit."""
    if not config.public_base_url:
        raise RuntimeError("PUBLIC_BASE_URL is not set for the worker: no link can be made")
    grant = Grant(held.person_id, held.municipality_id, held.community_id)
    with reading(config.database_url)() as session:
        filters = query.Filters(grant.municipality_id, grant.community_id, approval="approved")
        prepared = prepare(session, filters, Options(config.zone, mask=True))
        session.rollback()
    content = b"" if prepared is None else _written(prepared, _renewing(config, held, now))
    with transaction(writing(config.database_url)) as session:
        person = session.get(Person, held.person_id)
        if not still_holds(grant, person):  # moved or deactivated since asking: the link would be refused
            export_files.give_up(session, held, now())
            log.info("chat export %d given up: its person no longer holds the area", held.export_id)
            return []
        assert person is not None
        at = now()
        if prepared is None:  # approvals withdrawn since asking
            if not export_files.give_up(session, held, at):
                return []
            text = _("There are no approved records in your area to download yet.")
            return _answer(session, config, person.id, Text(text, menu_buttons(person.role)), at)
        if not export_files.store(session, held, content, prepared.households, at, VALID_FOR):
            return []  # another run's claim: that run announces its own file
        audit.record(session, "export.link", at, actor_id=person.id, municipality_id=grant.municipality_id, community_id=grant.community_id,
                     households=prepared.households)
        link = f"{config.public_base_url}/exports/{make_token(grant, held.export_id)}"
        return _answer(session, config, person.id, Text(link_message(prepared.households, link), menu_buttons(person.role)), at)


def _answer(session: Session, config: Config, person_id: int, reply: Text, at: datetime) -> list[Outgoing]:
    """Queue the answer to the person's request (due now, even at night: they are waiting); what to send after the commit."""
    outside = Outside(session, config, at)
    notify(outside, [person_id], [reply], answering=True)
    return outside.outgoing()


def _written(prepared: Prepared, progress: Callable[[int], None]) -> bytes:
    """The XLSX's bytes, written through a file: XlsxWriter streams rows to a file three times faster than into memory.

    The folder is the caller's alone (mode 0700) and goes, with XlsxWriter's row files, when the bytes are read.
    """
    with tempfile.TemporaryDirectory(prefix="thaiqm-export-") as folder:
        target = Path(folder) / "export.xlsx"
        write(prepared, "xlsx", target, progress)
        return target.read_bytes()


def _renewing(config: Config, held: Claim, now: Callable[[], datetime]) -> Callable[[int], None]:
    """A progress callback that renews the build's claim every RENEW_EVERY, and stops the build once the claim is lost."""
    renewed = [now()]

    def progress(_rows: int) -> None:
        at = now()
        if at - renewed[0] < RENEW_EVERY:
            return
        with transaction(writing(config.database_url)) as session:
            if not export_files.renew(session, held, at, WAIT):
                raise ClaimLost()
        renewed[0] = at

    return progress


def link_message(households: int, link: str) -> str:
    """The pushed link, with how long it works and why it must not be forwarded."""
    minutes = int(VALID_FOR.total_seconds() // 60)
    return _(
        "The approved records of your area ({count} households) as an Excel file:\n{link}\nThe link works for {minutes} minutes; whoever has it can download the file, so please do not forward it. "
        "National ID and phone numbers in it are partly hidden; the complete file for ThaiQM entry comes from the municipal IT officer.",
        count=households, link=link, minutes=minutes,
    )


def _apologise(config: Config, factory: sessionmaker[Session], held: Claim, now: Callable[[], datetime]) -> list[Outgoing]:
    """Mark the request failed and queue a short apology (if this run still holds it); nothing when the database is away too."""
    try:
        with transaction(factory) as session:
            at = now()
            if not export_files.give_up(session, held, at):
                return []
            text = _("Sorry, your Excel file could not be prepared. Please type \"export\" to try again in a moment.")
            return _answer(session, config, held.person_id, Text(text), at)
    except Exception as error:  # the claim lapses and the tidy-up runs the request again
        log_failure(log, f"recording the failed chat export {held.export_id}", error)
        return []


def tidy(factory: sessionmaker[Session], now: Callable[[], datetime]) -> list[int]:
    """Delete ended files and requests; the requests whose job was lost (never queued, or died), to run again."""
    at = now()
    with transaction(factory) as session:
        removed = export_files.remove_expired(session, at)
        lost = export_files.lost_requests(session, at - LOST_AFTER, at - LEASE, at)
    if removed:
        log.info("chat exports: %d ended files and requests deleted", removed)
    return lost


@functools.cache
def reading(database_url: str) -> sessionmaker[Session]:
    """Sessions for reading an export: batch timeouts, and on SQLite a plain BEGIN that takes no write lock."""
    return make_session_factory(make_engine(database_url, timeout=BATCH_TIMEOUT, read_only=True))


@functools.cache
def writing(database_url: str) -> sessionmaker[Session]:
    """Sessions for storing a file: megabytes take longer than the serving timeout allows."""
    return make_session_factory(make_engine(database_url, timeout=BATCH_TIMEOUT))

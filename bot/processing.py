"""Handle a webhook's events: one transaction each, once each, one user at a time."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.delivery.notify import sending
from bot.delivery.send import Outgoing
from bot.delivery.sender import Sending
from bot.handlers import dispatch
from bot.handlers.context import EventContext
from bot.i18n import _
from bot.line.gateway import LineGateway
from bot.line.messages import to_line_messages
from bot.chat.effects import Effect, LinkMenu, PrepareExport, SendNow, UnlinkMenu
from bot.chat.incoming import Incoming
from bot.chat.replies import Reply, Text
from bot.safe_log import log_failure
from storage.db import INFRASTRUCTURE_ERRORS, DatabaseTimeout, Deadline, is_transient_conflict, transaction
from storage.events import claim_event_and_lock_user
from storage.outbox import add_outgoing
from storage.statuses import EventOutcome

if TYPE_CHECKING:
    from bot.jobs import Jobs

log = logging.getLogger(__name__)


class WebhookProcessor:
    """Turns chat events into stored state and outgoing messages."""

    def __init__(
        self,
        config: Config,
        factory: sessionmaker[Session],
        gateway: LineGateway,
        sender: Sending,
        clock: Callable[[], datetime],
        jobs: Callable[[], Jobs] | None = None,
    ):
        self.config = config
        self.factory = factory
        self.gateway = gateway
        self.sender = sender
        self.clock = clock
        # The job queue, reached on first use (few events queue a job); None: jobs are left to the worker's tidy-up.
        self.jobs = jobs
        # Database work gets config.webhook_deadline in all, so the webhook answers within LINE's 2 s.
        self.deadline = Deadline()

    def process(self, events: list[Incoming]) -> bool:
        """Handle every event in time; False when the database failed or froze (LINE should redeliver)."""
        if not events:
            return True
        try:
            return self.deadline.run(lambda: self._process(events), self.config.webhook_deadline)
        except DatabaseTimeout:
            log.error("events %s not stored in time: database unavailable", ", ".join(event.event_id or "-" for event in events))
            return False

    def _process(self, events: list[Incoming]) -> bool:
        """Handle every event; False when the database failed for one."""
        batch: list[Outgoing] = []
        all_stored = True
        for event in events:
            try:
                outgoing = self._handle_safely(event)
            except INFRASTRUCTURE_ERRORS as error:
                log.error("event %s (%s) not stored: database unavailable (%s)", event.event_id, event.event_type, type(error).__name__)
                all_stored = False
                continue
            if outgoing is not None:
                batch.append(outgoing)
        self.sender.submit(batch)
        return all_stored

    def _handle_safely(self, event: Incoming) -> Outgoing | None:
        """Handle one event; a handler bug is logged and answered with an apology."""
        if not event.event_id or not event.chat_id:
            log.warning("event of type %s without id or source ignored", event.event_type)
            return None
        try:
            return self._handle_again_on_conflict(event)
        except INFRASTRUCTURE_ERRORS:
            raise
        except Exception as error:  # a bug must not stop the other events of the body
            log_failure(log, f"event {event.event_id} ({event.event_type})", error)
        try:
            return self._record_failure(event)
        except INFRASTRUCTURE_ERRORS:
            raise
        except Exception as error:  # e.g. a value the database refuses: the event cannot even be recorded
            log_failure(log, f"recording failed event {event.event_id}", error)
            return None

    def _handle_again_on_conflict(self, event: Incoming) -> Outgoing | None:
        """Handle the event; once more if PostgreSQL aborted it to break a deadlock with another event.

        Two events may lock the same counter rows in opposite orders (an approval and a
        submission of one volunteer's households): PostgreSQL then aborts one of them. Its
        transaction left nothing behind, so running it again here answers the person at once,
        instead of a 503 and LINE's redelivery later.
        """
        try:
            return self._handle(event)
        except INFRASTRUCTURE_ERRORS as error:
            if not is_transient_conflict(error):
                raise
            log.warning("event %s (%s): transaction aborted by a conflict with another, handling it again", event.event_id, event.event_type)
        return self._handle(event)

    def _handle(self, event: Incoming) -> Outgoing | None:
        """Lock the user, claim the event, run its handler and queue the answer, in one transaction."""
        now = self.clock()
        with transaction(self.factory) as session:
            # Claim first: a duplicate delivered concurrently waits on the event's key and
            # is skipped without touching the user; then the user's lock serializes the rest.
            user = claim_event_and_lock_user(session, event.event_id, event.chat_id, event.event_type, now)
            if user is None:
                log.info("event %s already processed: skipped", event.event_id)
                return None
            ctx = EventContext(session=session, user=user, event=event, now=now, config=self.config)
            replies = dispatch(ctx)
            outgoing = self._queue(session, event, replies, now)
        # Only a committed event changes anything at LINE: a rolled-back one leaves no trace there.
        self._carry_out(ctx.effects)
        return outgoing

    def _carry_out(self, effects: list[Effect]) -> None:
        """Make the LINE calls (and queue the jobs) a committed event asked for; a failure is logged, the event stays handled."""
        for effect in effects:
            try:
                if isinstance(effect, LinkMenu):
                    self.gateway.link_rich_menu(effect.chat_id, effect.menu_id)
                elif isinstance(effect, UnlinkMenu):
                    self.gateway.unlink_rich_menu(effect.chat_id)
                elif isinstance(effect, SendNow):  # a notice to another chat (bot/delivery/notify.py)
                    self.sender.submit([sending(effect)])
                elif isinstance(effect, PrepareExport) and self.jobs is not None:
                    self.jobs().prepare_export(effect.export_id)  # Redis away: the worker's tidy-up queues it within minutes
            except Exception as error:  # committed already: a LINE (or queue) hiccup must not turn into an apology
                log_failure(log, f"effect {type(effect).__name__}", error)

    def _record_failure(self, event: Incoming) -> Outgoing | None:
        """Mark the event handled (so a redelivery does not fail again) and apologise."""
        now = self.clock()
        with transaction(self.factory) as session:
            if claim_event_and_lock_user(session, event.event_id, event.chat_id, event.event_type, now, outcome=EventOutcome.FAILED) is None:
                return None
            apology = Text(_("Sorry, something went wrong on our side. Your earlier answers are safe; please try again."))
            return self._queue(session, event, [apology], now)

    def _queue(self, session: Session, event: Incoming, replies: list[Reply], now: datetime) -> Outgoing | None:
        """Put the replies in the outbox within the event's transaction."""
        if not replies:
            return None
        messages = to_line_messages(replies)
        outbox_id, retry_key = add_outgoing(session, event.chat_id, event.reply_token, messages, now)
        return Outgoing(outbox_id, retry_key, event.chat_id, event.reply_token, messages)

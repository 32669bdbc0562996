"""Handle a webhook's events: one transaction each, once each, one user at a time."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from linebot.v3.webhooks import Event
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.delivery.send import Outgoing
from bot.delivery.sender import Sender
from bot.handlers import dispatch, help
from bot.handlers.context import EventContext
from bot.i18n import _
from bot.line.gateway import LineGateway
from bot.line.messages import to_line_messages
from bot.chat.replies import Reply, Text
from bot.safe_log import log_failure
from storage.db import transaction
from storage.events import claim_event
from storage.outbox import add_outgoing
from storage.statuses import EventOutcome
from storage.users import lock_line_user

log = logging.getLogger(__name__)

# Errors that mean "the database was not there", as opposed to a bug in a handler.
INFRASTRUCTURE_ERRORS = (OperationalError, InterfaceError, DisconnectionError)


@dataclass(frozen=True)
class RawEvent:
    """One event of a webhook body: its parsed model (None if unparseable) and its JSON."""

    model: Event | None
    data: dict[str, Any]

    @property
    def event_id(self) -> str | None:
        """LINE's unique id of the event (the same on redelivery)."""
        return self.data.get("webhookEventId")

    @property
    def event_type(self) -> str:
        """The event type as LINE names it."""
        return str(self.data.get("type", "unknown"))[:32]

    @property
    def chat_id(self) -> str | None:
        """The user, group or room the event comes from."""
        source = self.data.get("source") or {}
        return source.get("userId") or source.get("groupId") or source.get("roomId")

    @property
    def reply_token(self) -> str | None:
        """The token for answering, if the event has one."""
        return self.data.get("replyToken")


class WebhookProcessor:
    """Turns parsed events into stored state and outgoing messages."""

    def __init__(
        self,
        config: Config,
        factory: sessionmaker[Session],
        gateway: LineGateway,
        sender: Sender,
        clock: Callable[[], datetime],
    ):
        self.config = config
        self.factory = factory
        self.gateway = gateway
        self.sender = sender
        self.clock = clock

    def process(self, events: list[RawEvent]) -> bool:
        """Handle every event; False when the database failed for one (LINE should redeliver)."""
        batch: list[Outgoing] = []
        all_stored = True
        for raw in events:
            try:
                outgoing = self._handle_safely(raw)
            except INFRASTRUCTURE_ERRORS as error:
                log.error("event %s (%s) not stored: database unavailable (%s)", raw.event_id, raw.event_type, type(error).__name__)
                all_stored = False
                continue
            if outgoing is not None:
                batch.append(outgoing)
        self.sender.submit(batch)
        return all_stored

    def _handle_safely(self, raw: RawEvent) -> Outgoing | None:
        """Handle one event; a handler bug is logged and answered with an apology."""
        if not raw.event_id or not raw.chat_id:
            log.warning("event of type %s without id or source ignored", raw.event_type)
            return None
        try:
            return self._handle(raw)
        except INFRASTRUCTURE_ERRORS:
            raise
        except Exception as error:  # a bug must not stop the other events of the body
            log_failure(log, f"event {raw.event_id} ({raw.event_type})", error)
        return self._record_failure(raw)

    def _handle(self, raw: RawEvent) -> Outgoing | None:
        """Lock the user, claim the event, run its handler and queue the answer, in one transaction."""
        now = self.clock()
        with transaction(self.factory) as session:
            # Claim first: a duplicate delivered concurrently waits on the event's key and
            # is skipped without touching the user; then the user's lock serializes the rest.
            if not claim_event(session, raw.event_id, raw.chat_id, raw.event_type, now):
                log.info("event %s already processed: skipped", raw.event_id)
                return None
            user = lock_line_user(session, raw.chat_id)
            if raw.model is None:
                replies = self._unparseable(raw)
            else:
                replies = dispatch(EventContext(session=session, user=user, event=raw.model, now=now, config=self.config, gateway=self.gateway))
            return self._queue(session, raw, replies, now)

    def _record_failure(self, raw: RawEvent) -> Outgoing | None:
        """Mark the event handled (so a redelivery does not fail again) and apologise."""
        now = self.clock()
        with transaction(self.factory) as session:
            if not claim_event(session, raw.event_id, raw.chat_id, raw.event_type, now, outcome=EventOutcome.FAILED):
                return None
            lock_line_user(session, raw.chat_id)
            apology = Text(_("Sorry, something went wrong on our side. Your earlier answers are safe; please try again."))
            return self._queue(session, raw, [apology], now)

    def _queue(self, session: Session, raw: RawEvent, replies: list[Reply], now: datetime) -> Outgoing | None:
        """Put the replies in the outbox within the event's transaction."""
        if not replies:
            return None
        messages = to_line_messages(replies)
        outbox_id, retry_key = add_outgoing(session, raw.chat_id, raw.reply_token, messages, now)
        return Outgoing(outbox_id, retry_key, raw.chat_id, raw.reply_token, messages)

    @staticmethod
    def _unparseable(raw: RawEvent) -> list[Reply]:
        """An event the SDK could not read still gets a polite answer when it can be answered."""
        if not raw.reply_token:
            return []
        return [help.cannot_use()]

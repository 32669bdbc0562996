"""What a handler gets: the event, the locked user row, the open transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import Config
from bot.line_gateway import LineGateway
from storage.models import LineUser


@dataclass
class EventContext:
    """One webhook event being handled inside its own transaction."""

    session: Session
    user: LineUser
    event: object  # a linebot.v3.webhooks event model
    now: datetime
    config: Config
    # For the few calls a handler makes itself (linking a rich menu); replies go through the outbox.
    gateway: LineGateway | None = None

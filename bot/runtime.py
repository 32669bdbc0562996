"""What a process builds once and shares: the web app and the job worker alike."""

from __future__ import annotations

import atexit
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.data_keys import install_keyring
from bot.delivery.sweeper import Sweeper
from bot.delivery.sender import OutcomeRecorder, Sender
from bot.line.gateway import LineGateway
from bot.quiet_hours import quiet_for
from storage.db import SERVING_TIMEOUT, make_engine, make_session_factory


def utc_now() -> datetime:
    """The clock the bot uses (UTC)."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Runtime:
    """The long-lived parts: config, database, LINE client and the background sender."""

    config: Config
    engine: Engine
    session_factory: sessionmaker[Session]
    gateway: LineGateway
    sender: Sender

    def close(self) -> None:
        """Send what is queued, write its outcomes and release connections (shutdown, tests)."""
        self.sender.close()
        self.gateway.close()
        self.engine.dispose()


def build_runtime(config: Config) -> Runtime:
    """Build the shared parts once for this process."""
    install_keyring(config)  # personal data is sealed and opened with it
    engine = make_engine(config.database_url, timeout=SERVING_TIMEOUT, prepare_repeated=config.prepare_statements)
    factory = make_session_factory(engine)
    gateway = LineGateway(config)
    sender = Sender(gateway, OutcomeRecorder(factory, utc_now))
    if config.outbox_sweep_seconds:  # rows a killed process left: settled within seconds, not a minute
        sender.sweep_with(Sweeper(gateway, factory, utc_now, config.outbox_sweep_seconds, busy=lambda: set(sender.in_flight), quiet=quiet_for(config)))
    atexit.register(sender.close)  # a process that exits sends what is queued and records it
    return Runtime(config=config, engine=engine, session_factory=factory, gateway=gateway, sender=sender)

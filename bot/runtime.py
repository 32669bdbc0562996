"""What a process builds once and shares: the web app and the job worker alike."""

from __future__ import annotations

import atexit
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.data_keys import install_keyring
from bot.delivery.child import SenderInChild
from bot.delivery.sweeper import Sweeper
from bot.delivery.sender import OutcomeRecorder, Sender, Sending
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
    sender: Sending

    def close(self) -> None:
        """Send what is queued, write its outcomes and release connections (shutdown, tests)."""
        self.sender.close()
        self.gateway.close()
        self.engine.dispose()


def build_runtime(config: Config, send_from_child: bool = False) -> Runtime:
    """Build the shared parts once for this process.

    `send_from_child` (the web app on PostgreSQL, unless config.sending_process is off):
    replies are sent by a child process of each worker (bot/delivery/child.py), so sending
    never holds up the webhooks; the job worker and the command line send from threads of
    their own. SQLite sends from threads: its in-process lock bookkeeping, copied by a fork
    while another thread holds the write lock, would keep the child waiting for a lock
    nobody releases (sqlite.org/howtocorrupt.html, section 2.6).
    """
    install_keyring(config)  # personal data is sealed and opened with it
    engine = make_engine(config.database_url, timeout=SERVING_TIMEOUT, prepare_repeated=config.prepare_statements)
    factory = make_session_factory(engine)
    gateway = LineGateway(config)
    sender: Sending
    if send_from_child and config.sending_process and engine.dialect.name == "postgresql":
        sender = SenderInChild(config)
        sender.start()  # now: a gunicorn worker builds the app before it has threads (and sweeps from the start)
    else:
        sender = _sending_threads(config, factory, gateway)
    atexit.register(sender.close)  # a process that exits sends what is queued and records it
    return Runtime(config=config, engine=engine, session_factory=factory, gateway=gateway, sender=sender)


def sending_threads(config: Config) -> Sender:
    """A sending process's Sender (bot/delivery/child.py): keyring, database and LINE connections of its own."""
    install_keyring(config)
    engine = make_engine(config.database_url, timeout=SERVING_TIMEOUT, prepare_repeated=config.prepare_statements)
    return _sending_threads(config, make_session_factory(engine), LineGateway(config))


def _sending_threads(config: Config, factory: sessionmaker[Session], gateway: LineGateway) -> Sender:
    """A sender on this process's threads, sweeping the outbox if the config asks for it."""
    sender = Sender(gateway, OutcomeRecorder(factory, utc_now))
    if config.outbox_sweep_seconds:  # rows a killed process left: settled within seconds, not a minute
        sender.sweep_with(Sweeper(gateway, factory, utc_now, config.outbox_sweep_seconds, busy=lambda: set(sender.in_flight), quiet=quiet_for(config)))
    return sender

"""What the app builds once and every request shares: the runtime and the webhook processor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.delivery.sender import Sending
from bot.jobs import Jobs
from bot.line.gateway import LineGateway
from bot.processing import WebhookProcessor
from bot.runtime import Runtime


@dataclass(frozen=True)
class AppState:
    """The app's long-lived parts: the shared runtime, the webhook processor and the job queue it feeds."""

    runtime: Runtime
    processor: WebhookProcessor
    jobs: Callable[[], Jobs]

    # The runtime's parts, read through the state by the webhook, the emulator and tests.
    @property
    def config(self) -> Config:
        """The configuration the app was built with."""
        return self.runtime.config

    @property
    def engine(self) -> Engine:
        """The database engine."""
        return self.runtime.engine

    @property
    def session_factory(self) -> sessionmaker[Session]:
        """The session factory every transaction starts from."""
        return self.runtime.session_factory

    @property
    def gateway(self) -> LineGateway:
        """The LINE API client."""
        return self.runtime.gateway

    @property
    def sender(self) -> Sending:
        """The background sender of the outbox."""
        return self.runtime.sender


EXTENSION_KEY = "thaiqm"


def app_state(app: Flask) -> AppState:
    """The state create_app attached to this app."""
    return app.extensions[EXTENSION_KEY]


def close_app(app: Flask) -> None:
    """Send what is queued, write its outcomes and release connections (shutdown, tests)."""
    app_state(app).runtime.close()

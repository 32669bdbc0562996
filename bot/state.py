"""What the app builds once and every request shares."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.delivery.sender import Sender
from bot.line.gateway import LineGateway
from bot.processing import WebhookProcessor


@dataclass(frozen=True)
class AppState:
    """The app's long-lived parts: config, database, LINE client, processor."""

    config: Config
    engine: Engine
    session_factory: sessionmaker[Session]
    gateway: LineGateway
    sender: Sender
    processor: WebhookProcessor


EXTENSION_KEY = "thaiqm"


def app_state(app: Flask) -> AppState:
    """The state create_app attached to this app."""
    return app.extensions[EXTENSION_KEY]


def close_app(app: Flask) -> None:
    """Send what is queued, write its outcomes and release connections (shutdown, tests)."""
    state = app_state(app)
    state.sender.close()
    state.gateway.close()
    state.engine.dispose()

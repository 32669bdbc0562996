"""The Flask app factory: `gunicorn 'bot.app:create_app()'`."""

from __future__ import annotations

import atexit
import logging
from datetime import datetime, timezone

from flask import Flask
from linebot.v3.webhook import SignatureValidator

from bot.config import Config, ConfigError
from bot.data_keys import install_keyring
from bot.delivery.sender import OutcomeRecorder, Sender
from bot.dialogs.engine import preload as preload_forms
from bot.local.emulator import build_emulator, emulator_enabled
from bot.line.gateway import LineGateway
from bot.processing import WebhookProcessor
from bot.state import EXTENSION_KEY, AppState
from bot.line.webhook import webhook
from storage.db import make_engine, make_session_factory

log = logging.getLogger(__name__)

# LINE's webhook bodies are a few kilobytes; refuse anything absurd before reading it.
MAX_BODY_BYTES = 1024 * 1024


def utc_now() -> datetime:
    """The clock the app uses (UTC)."""
    return datetime.now(timezone.utc)


def create_app(config: Config | None = None) -> Flask:
    """Build the app: nothing runs at import, everything shared is built here once."""
    if config is None:
        config = Config.from_env()
        if config.local_mode:
            # The local mode signs with a published secret: only `thaiqm-bot serve`/`demo`,
            # which listen on 127.0.0.1 alone, may run it; a WSGI server could listen anywhere.
            raise ConfigError(
                "LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN are not set: a production server "
                "needs them (the local mode without them runs only with 'thaiqm-bot serve' or 'demo')"
            )
    preload_forms()  # a broken form file stops the start with a message naming it
    install_keyring(config)  # personal data is sealed and opened with it
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    engine = make_engine(config.database_url)
    factory = make_session_factory(engine)
    gateway = LineGateway(config)
    sender = Sender(gateway, OutcomeRecorder(factory, utc_now))
    atexit.register(sender.close)  # a worker that exits sends what is queued and records it
    app.extensions[EXTENSION_KEY] = AppState(
        config=config,
        engine=engine,
        session_factory=factory,
        gateway=gateway,
        sender=sender,
        processor=WebhookProcessor(config, factory, gateway, sender, utc_now),
        signature_validator=SignatureValidator(config.line_channel_secret),
    )
    app.register_blueprint(webhook)
    if config.local_mode:
        log.warning("LOCAL MODE: no LINE credentials set; LINE API calls go to %s", config.line_api_base_url)
    if emulator_enabled(config):
        app.register_blueprint(build_emulator(config))
    return app

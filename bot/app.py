"""The Flask app factory: `gunicorn 'bot.app:create_app()'`."""

from __future__ import annotations

import functools
import logging

from flask import Flask

from bot.config import Config, ConfigError
from bot.dialogs.engine import preload as preload_forms
from bot.jobs import make_jobs
from bot.processing import WebhookProcessor
from bot.runtime import build_runtime, utc_now
from bot.state import EXTENSION_KEY, AppState
from bot.line.images import images
from bot.line.webhook import webhook
from bot.exports.web import downloads

log = logging.getLogger(__name__)

# LINE's webhook bodies are a few kilobytes; refuse anything absurd before reading it.
MAX_BODY_BYTES = 1024 * 1024


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
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    runtime = build_runtime(config, send_from_child=True)
    # The queue the worker consumes (Redis, or the instance's SQLite file), opened on first use.
    jobs = functools.cache(lambda: make_jobs(config, runtime=runtime))
    app.extensions[EXTENSION_KEY] = AppState(
        runtime=runtime,
        processor=WebhookProcessor(config, runtime.session_factory, runtime.gateway, runtime.sender, utc_now, jobs=jobs),
        jobs=jobs,
    )
    app.register_blueprint(webhook)
    app.register_blueprint(images)
    app.register_blueprint(downloads)
    if config.local_mode:
        log.warning("LOCAL MODE: no LINE credentials set; LINE API calls go to %s", config.line_api_base_url)
    return app

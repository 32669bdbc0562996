"""The local mode's web app: the production app plus the chat emulator, assembled here so production code never imports local tooling."""

from __future__ import annotations

from flask import Flask

from bot.app import create_app
from bot.config import Config
from bot.local.emulator import build_emulator, emulator_enabled


def create_local_app(config: Config) -> Flask:
    """`create_app(config)`, with the emulator's page when LINE calls go to a local stand-in."""
    app = create_app(config)
    if emulator_enabled(config):
        app.register_blueprint(build_emulator(config))
    return app

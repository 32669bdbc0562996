"""The `thaiqm-bot` command: serve the bot, manage the database."""

from __future__ import annotations

import logging
import sys

import click

from bot.config import Config, ConfigError

log = logging.getLogger("thaiqm-bot")


def load_config() -> Config:
    """Read the configuration or stop with one clear line."""
    try:
        return Config.from_env()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@click.group()
def main() -> None:
    """ThaiQM household survey bot for LINE."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the current schema."""
    config = load_config()
    _upgrade(config)
    click.echo("database is at the current schema")


def _upgrade(config: Config) -> None:
    """Run migrations, turning a connection failure into one clear line."""
    from sqlalchemy.exc import OperationalError

    from storage.migrate import upgrade

    try:
        upgrade(config.database_url)
    except OperationalError as error:
        raise click.ClickException(f"cannot reach the database: {error.orig.__class__.__name__}") from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Upgrade the database, then run the bot (local LINE stand-in when no credentials are set)."""
    config = load_config()
    _upgrade(config)
    if config.local_mode:
        _start_local_line(config)
        host = "127.0.0.1"  # local mode has a development secret: never expose it
    _run(config, host, port)


@main.command()
@click.option("--port", default=8080, show_default=True, help="Port to listen on (always on 127.0.0.1).")
def demo(port: int) -> None:
    """Seed a demo municipality and serve the LINE emulator, to try the bot without LINE."""
    from bot.demo import seed_database

    config = load_config()
    if not config.local_mode:
        raise click.ClickException(
            "the demo adds made-up people and chats through a local LINE stand-in: "
            "unset LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN to run it"
        )
    _upgrade(config)
    click.echo(f"demo data: {seed_database(config.database_url)}")
    _start_local_line(config)
    _run(config, "127.0.0.1", port)


def _run(config: Config, host: str, port: int) -> None:
    """Serve the app until interrupted, saying where the emulator is when there is one."""
    from werkzeug.serving import run_simple

    from bot.app import create_app
    from bot.emulator import QuietPolling, emulator_enabled

    app = create_app(config)
    click.echo(f"bot listening on http://{host}:{port}  (webhook: /callback, health: /healthz)")
    if emulator_enabled(config):
        logging.getLogger("werkzeug").addFilter(QuietPolling())
        click.echo(f"LINE emulator: open http://127.0.0.1:{port}/emulator in a browser")
    run_simple(host, port, app, threaded=True, use_reloader=False)


def _start_local_line(config: Config) -> None:
    """Start the local LINE stand-in where the config expects it and say so loudly."""
    from urllib.parse import urlparse

    from bot.local_line import LineStandIn, StandInServer

    port = urlparse(config.line_api_base_url).port or 80
    try:
        server = StandInServer(LineStandIn(access_token=config.line_channel_access_token), port=port).start()
    except OSError as error:
        raise click.ClickException(f"cannot start the local LINE stand-in on port {port}: {error.strerror}") from None
    click.echo(
        "LOCAL MODE: no LINE credentials are set.\n"
        f"  channel secret for signing test webhooks: {config.line_channel_secret}\n"
        f"  LINE API calls go to a local stand-in at {server.url} that records them."
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

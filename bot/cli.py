"""The `thaiqm-bot` command: serve the bot, manage the database."""

from __future__ import annotations

import logging
import signal
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
    # Their INFO lines (plugins loaded, a periodic job queued each minute) drown ours.
    for chatty in ("alembic", "huey"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


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
    from werkzeug.serving import run_simple

    from bot.app import create_app

    config = load_config()
    _upgrade(config)
    if config.local_mode:
        _start_local_line(config)
        host = "127.0.0.1"  # local mode has a development secret: never expose it
    app = create_app(config)
    from bot.jobs import make_jobs, start_consumer

    consumer = start_consumer(make_jobs(config).huey)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly under a supervisor
    click.echo(f"bot listening on http://{host}:{port}  (webhook: /callback, health: /healthz)")
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        consumer.stop()


@main.command()
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def worker(workers: int) -> None:
    """Run the background and scheduled jobs (Huey consumer); one or more per deployment."""
    from bot.jobs import make_jobs

    config = load_config()
    make_jobs(config).huey.create_consumer(workers=workers, worker_type="thread").run()


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

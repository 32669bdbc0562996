"""`thaiqm-bot serve` and `demo`: the bot on 127.0.0.1 with the local LINE stand-in and the emulator.

bot.cli loads this module only when one of these commands is asked for.
"""

from __future__ import annotations

import logging
import signal
import sys
from typing import TYPE_CHECKING

import click

from bot.cli.common import load_config, upgrade
from bot.config import Config

if TYPE_CHECKING:
    from flask import Flask


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Upgrade the database, then run the bot (local LINE stand-in when no credentials are set)."""
    config = load_config()
    _check_port_free("127.0.0.1" if config.local_mode else host, port)
    if config.local_mode:  # before the database: a busy port is the only line the person reads
        config = _served_at(config, port)
        _start_local_line(config)
        host = "127.0.0.1"  # local mode has a development secret: never expose it
    upgrade(config)
    _run(config, host, port)


@click.command()
@click.option("--port", default=8080, show_default=True, help="Port to listen on (always on 127.0.0.1).")
def demo(port: int) -> None:
    """Seed a demo municipality and serve the LINE emulator, to try the bot without LINE."""
    from bot.i18n import _
    from bot.local.demo import DemoError, seed
    from bot.local.emulator.scripted_chat import ChatRefused
    from bot.local.emulator.standin_client import StandInUnavailable
    from bot.local.server import create_local_app

    config = load_config()
    if not config.local_mode:
        raise click.ClickException(
            "the demo adds made-up people and chats through a local LINE stand-in: "
            "unset LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN to run it"
        )
    _check_port_free("127.0.0.1", port)
    config = _served_at(config, port)
    # The stand-in first: the demo people add the bot and register in their chats through it
    # (and a busy port is then the only line the person reads).
    _start_local_line(config)
    upgrade(config)
    app = create_local_app(config)
    try:
        seeded = seed(app)
    except StandInUnavailable:
        raise click.ClickException(f"cannot seed the demo: the local LINE stand-in at {config.line_api_base_url} does not answer") from None
    except (DemoError, ChatRefused) as error:
        raise click.ClickException(f"cannot seed the demo: {error}") from None
    click.echo(f"demo data: {seeded.summary}; rich menus {seeded.rich_menus}")
    from bot.local.demo_pushes import push_now

    pushed = push_now(app)  # the day's digests and progress in the emulator now, not at 07:30
    click.echo(f"today's scheduled pushes sent now (digests, reminders, progress): {pushed.sent} people reached")
    _run(
        config,
        "127.0.0.1",
        port,
        app,
        f"  a new user registers there with the volunteer invite code {seeded.newcomer_code} "
        f"(open {_('New user')!r}, add the bot as a friend, tap {_('Register')!r})"
        + (f"\n  the household persona links its LINE by sending the confirmation code {seeded.household_code}" if seeded.household_code else ""),
    )


def _served_at(config: Config, port: int) -> Config:
    """In local mode the app's images (QR codes) are fetched from the local server on its port, unless PUBLIC_BASE_URL says otherwise."""
    from bot.config import LOCAL_PUBLIC_BASE_URL

    if config.public_base_url == LOCAL_PUBLIC_BASE_URL:
        return config.with_overrides(public_base_url=f"http://127.0.0.1:{port}")
    return config


def _check_port_free(host: str, port: int) -> None:
    """Stop at once, naming --port, when the bot's port is taken (werkzeug would say so only after the demo is seeded)."""
    import errno
    import socket

    try:
        socket.create_server((host, port)).close()
    except OSError as error:
        why = "another program uses it" if error.errno == errno.EADDRINUSE else error.strerror
        raise click.ClickException(f"cannot listen on {host}:{port}: {why}; stop that program or choose another port with --port") from None


def _run(config: Config, host: str, port: int, app: Flask | None = None, emulator_note: str = "") -> None:
    """Serve the app until interrupted, saying where the emulator is when there is one."""
    from werkzeug.serving import run_simple

    from bot.jobs import start_consumer
    from bot.local.emulator import QuietPolling, emulator_enabled
    from bot.local.server import create_local_app
    from bot.state import app_state, close_app

    app = app or create_local_app(config)
    # The jobs share the app's runtime (one database pool and LINE client per process) and its queue.
    consumer = start_consumer(app_state(app).jobs().huey)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly under a supervisor
    click.echo(f"bot listening on http://{host}:{port}  (webhook: /callback, health: /healthz)")
    if emulator_enabled(config):
        logging.getLogger("werkzeug").addFilter(QuietPolling())
        click.echo(f"LINE emulator: open http://127.0.0.1:{port}/emulator in a browser")
        if emulator_note:
            click.echo(emulator_note)
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        consumer.stop(graceful=True)  # let a running job finish before its connections close
        close_app(app)  # send what is queued and record its outcomes before leaving


def _start_local_line(config: Config) -> None:
    """Start the local LINE stand-in where the config expects it and say so loudly."""
    from urllib.parse import urlparse

    from bot.local.standin_server import StandInPortError, start_local_standin

    port = urlparse(config.line_api_base_url).port or 80
    try:
        server = start_local_standin(config.line_channel_access_token, port)
    except StandInPortError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        "LOCAL MODE: no LINE credentials are set.\n"
        f"  channel secret for signing test webhooks: {config.line_channel_secret}\n"
        f"  LINE API calls go to a local stand-in at {server.url} that records them."
    )

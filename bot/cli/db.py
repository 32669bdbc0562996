"""`thaiqm-bot db`: the database schema."""

from __future__ import annotations

import click

from bot.cli.common import load_config, upgrade


@click.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the current schema."""
    upgrade(load_config())
    click.echo("database is at the current schema")

"""`thaiqm-bot db`: the database schema."""

from __future__ import annotations

import click

from bot.cli.common import load_config
from bot.cli.keys import seal_personal_data


@click.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the current schema (and seal personal data still stored plain)."""
    seal_personal_data(load_config())
    click.echo("database is at the current schema")

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


# Drift lines printed at most: the count says how many more there are.
SHOWN_DRIFT = 40


@db.command("recount")
@click.option("--check", is_flag=True, help="Only report counters that differ from a recount; change nothing (exit status 1 when any do).")
def db_recount(check: bool) -> None:
    """Count the progress view's households and problems again, report any drift, and store the count."""
    from bot.cli.common import session_for
    from storage.progress_counts import drift, rebuild

    with session_for(load_config()) as session:
        found = drift(session) if check else rebuild(session)
    for item in found[:SHOWN_DRIFT]:
        click.echo(f"{item.table} {_key(item.key)}: stored {item.stored}, counted {item.counted}")
    if len(found) > SHOWN_DRIFT:
        click.echo(f"… and {len(found) - SHOWN_DRIFT} more")
    if not found:
        click.echo("the progress counters agree with a recount")
    elif check:
        click.echo(f"{len(found)} counters differ from a recount: run `thaiqm-bot db recount` to set them right")
        raise SystemExit(1)
    else:
        click.echo(f"{len(found)} counters differed from a recount and were set right")


def _key(key: tuple) -> str:  # type: ignore[type-arg]
    """A counter's key for the operator: ids and codes only (municipality, round, community, volunteer, then statuses)."""
    municipality, round_name, community, volunteer, *rest = key
    return f"(municipality {municipality}, round {round_name}, community {community or '-'}, volunteer {volunteer or '-'}, {' '.join(r or '-' for r in rest)})"

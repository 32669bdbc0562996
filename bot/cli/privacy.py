"""`thaiqm-bot forget` and `thaiqm-bot audit`: erasing a household on request, reading and pruning the audit log."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone

import click

from bot.cli.common import load_config, session_for
from bot.pushes.schedule import local_day


@click.command()
@click.argument("receipt")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget(receipt: str, yes: bool) -> None:
    """Erase a household's personal data on request (names, IDs, phones, location, free text, history); counts stay."""
    from bot.people.erasure import erase_household
    from storage.surveys import by_receipt

    with session_for(load_config()) as session:
        household = by_receipt(session, receipt.strip().upper())
        if household is None:
            raise click.ClickException(f"no household has receipt {receipt}")
        if household.forgotten_at is not None:
            click.echo(f"{household.receipt_no}: its personal data was already erased")
            return
        if not yes:
            click.confirm(f"Erase the personal data of {household.receipt_no}? This cannot be undone", abort=True)
        erase_household(session, household, datetime.now(timezone.utc))
        click.echo(f"{household.receipt_no}: personal data erased; the record stays in the counts")


@click.group(invoke_without_command=True)
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="First day (YYYY-MM-DD); default: 30 days ago.")
@click.option("--action", default=None, help="Only this action, e.g. household.forget, export, household.view.")
@click.pass_context
def audit(ctx: click.Context, since: datetime | None, action: str | None) -> None:
    """The audit log: who did what to whom, when (ids only, never personal data)."""
    if ctx.invoked_subcommand is not None:
        return
    from sqlalchemy import select

    from storage.models import AuditEntry

    config = load_config()
    # Days are the municipality's: after 17:00 UTC Thailand is already on the next one.
    first_day = since.date() if since else local_day(datetime.now(timezone.utc), config.zone) - timedelta(days=30)
    start = datetime.combine(first_day, time.min, tzinfo=config.zone)
    with session_for(config) as session:
        query = select(AuditEntry).where(AuditEntry.at >= start.astimezone(timezone.utc)).order_by(AuditEntry.at, AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        for entry in session.scalars(query):
            at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=timezone.utc)
            click.echo(
                "\t".join(
                    [
                        at.astimezone(config.zone).strftime("%Y-%m-%d %H:%M"),
                        entry.action,
                        f"by {entry.actor_person_id}" if entry.actor_person_id else "by CLI",
                        f"person {entry.subject_person_id}" if entry.subject_person_id else "-",
                        f"household {entry.household_id}" if entry.household_id else "-",
                        json.dumps(entry.details, ensure_ascii=False, sort_keys=True) if entry.details else "",
                    ]
                )
            )


@audit.command("prune")
@click.option("--days", type=click.IntRange(min=1), default=None, help="Keep this many days (default: AUDIT_RETENTION_DAYS).")
def audit_prune(days: int | None) -> None:
    """Delete audit entries older than the retention period."""
    from storage.audit import prune

    config = load_config()
    keep = days or config.audit_retention_days
    with session_for(config) as session:
        removed = prune(session, datetime.now(timezone.utc) - timedelta(days=keep))
    click.echo(f"{removed} audit entr{'y' if removed == 1 else 'ies'} older than {keep} days removed")

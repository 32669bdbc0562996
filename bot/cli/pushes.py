"""`thaiqm-bot remind` (send what is due, or print it with --dry-run) and `thaiqm-bot push-status` (today's pushes)."""

from __future__ import annotations

import click

from bot.cli.common import load_config, upgrade


@click.command()
@click.option("--dry-run", is_flag=True, help="Print what would be sent to whom; send nothing.")
@click.option("--now", "force", is_flag=True, help="Everything a person can get today, now: schedule and quiet hours aside (each still once a day).")
def remind(dry_run: bool, force: bool) -> None:
    """Send the scheduled pushes that are due (digests, deadline reminders, supervisors' progress)."""
    from bot.pushes.run import dry_run as plan_only
    from bot.pushes.run import run_due
    from bot.runtime import build_runtime, utc_now

    config = load_config()
    upgrade(config)
    runtime = build_runtime(config)
    try:
        if dry_run:
            planned = plan_only(runtime.session_factory, config, utc_now(), force)
            names = _names(runtime.session_factory, [pid for p in planned for pid in p.person_ids])
            for item in planned:
                how = "multicast" if len(item.person_ids) > 1 else "push"
                who = ", ".join(names.get(pid, f"#{pid}") for pid in item.person_ids)
                click.echo(f"{item.kind:<9} {how:<9} to {who}: {_alt_text(item)}")
            click.echo(f"{sum(len(p.person_ids) for p in planned)} people would get {len(planned)} messages" if planned else "nothing is due now")
            return
        report = run_due(runtime.session_factory, runtime.gateway, config, utc_now, force=force)
        click.echo(f"queued {report.queued}, sent {report.sent}, waiting for a retry {report.waiting}, refused by LINE {report.failed}")
        if report.limit_reached:
            raise click.ClickException("LINE's monthly message limit is reached: the rest was not sent")
    finally:
        runtime.close()


@click.command("push-status")
@click.option("--day", default=None, help="Local day as 2026-11-28 (default: today).")
def push_status(day: str | None) -> None:
    """Today's scheduled pushes: recipient, kind, retry key, status and attempts."""
    import datetime as dt

    from bot.cli.common import session_for
    from bot.pushes.schedule import local_day
    from storage.models import utcnow
    from storage.push_records import records_of_day

    config = load_config()
    wanted = dt.date.fromisoformat(day) if day else local_day(utcnow(), config.zone)
    with session_for(config) as session:
        rows = records_of_day(session, wanted)
    if not rows:
        click.echo(f"no scheduled push recorded on {wanted.isoformat()}")
        return
    for row in rows:
        via = "multicast" if row.multicast else "push"
        error = f"  ({row.last_error})" if row.last_error else ""
        click.echo(f"{row.kind:<9} {row.role:<10} {row.name:<30} {via:<9} {row.status:<8} attempts {row.attempts}  key {row.retry_key}{error}")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    click.echo(f"{len(rows)} pushes on {wanted.isoformat()}: " + ", ".join(f"{status} {n}" for status, n in sorted(counts.items())))
    if any(row.last_error == "limit_reached" for row in rows):
        click.echo("LINE's monthly message limit was reached: raise the channel's plan, pending pushes go out once it allows")


def _alt_text(item) -> str:  # type: ignore[no-untyped-def]
    """The first line a phone's notification would show."""
    from bot.chat.replies import Cards

    first = item.replies[0]
    text = first.text if isinstance(first, Cards) else first.text
    return text.splitlines()[0] if text else ""


def _names(factory, person_ids: list[int]) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """People's names by id (for the operator's terminal only)."""
    from sqlalchemy import select

    from storage.db import transaction
    from storage.models import Person

    if not person_ids:
        return {}
    with transaction(factory) as session:
        return dict(session.execute(select(Person.id, Person.full_name).where(Person.id.in_(set(person_ids)))).all())

"""`thaiqm-bot report`: the progress a supervisor sees in the chat, printed in the terminal with text bars."""

from __future__ import annotations

from datetime import timedelta

import click

from bot.cli.common import load_config, municipality_of, session_for

BAR_WIDTH = 20


def text_bar(done: int, target: int) -> str:
    """[#####...............] for the part done."""
    from bot.handlers.progress import percent

    filled = min(BAR_WIDTH, round(percent(done, target) / (100 / BAR_WIDTH)))
    return "[" + "#" * filled + "." * (BAR_WIDTH - filled) + "]"


@click.command()
@click.option("--tambon", required=True, help="Tambon code of the municipality.")
@click.option("--community", default=None, help="Only this community (its name, or part of it).")
@click.option("--idle-days", type=click.IntRange(min=1), default=None, help="Days without activity that list a volunteer holding drafts (default 3).")
def report(tambon: str, community: str | None, idle_days: int | None) -> None:
    """Progress of the current round: households per community, problems, today's work, idle volunteers."""
    from sqlalchemy import select

    from bot.handlers import progress as view
    from bot.i18n import _
    from storage.models import Community, utcnow
    from storage.progress import progress
    from storage.rounds import current_round

    config = load_config()
    with session_for(config) as session:
        municipality = municipality_of(session, tambon)
        community_id = None
        if community:
            wanted = " ".join(community.split()).casefold()
            names = session.execute(select(Community.id, Community.name).where(Community.municipality_id == municipality.id).order_by(Community.id))
            community_id = next((cid for cid, name in names if wanted in " ".join(name.split()).casefold()), None)
            if community_id is None:
                raise click.ClickException(f"no community called {community!r} in {municipality.name}")
        now = utcnow()
        found = current_round(session, municipality.id)
        figures = progress(session, municipality.id, found.name, view.start_of_day(now, config.zone), community_id)
        dimensions = view.dimension_names(view.round_form(found))
        days = idle_days or view.IDLE_DAYS
        echo = click.echo
        echo(f"{municipality.name} – round {found.name} (survey until {_be(found.survey_deadline)}, resolve until {_be(found.resolution_deadline)})")
        echo(f"households surveyed  {figures.surveyed}/{figures.target}  {text_bar(figures.surveyed, figures.target)}  {view.percent(figures.surveyed, figures.target)}%")
        verified, assigned = sum(c.rexray_verified for c in figures.communities), sum(c.rexray_assigned for c in figures.communities)
        echo(f"re-x-ray verified  {verified}/{assigned}  {text_bar(verified, assigned)}  {view.percent(verified, assigned)}%")
        echo(f"records approved by a supervisor: {figures.approved}, awaiting approval: {figures.awaiting}")
        echo(f"confirmations received: {figures.confirmations}")
        echo("problems by status: " + (", ".join(f"{view.status_name(s)} {n}" for s, n in sorted(figures.problems_by_status.items())) or "none"))
        order = [d for d in dimensions if d in figures.problems_by_dimension] + sorted(set(figures.problems_by_dimension) - set(dimensions))
        echo("problems by dimension: " + (", ".join(f"{dimensions.get(d, d)} {figures.problems_by_dimension[d]}" for d in order) or "none"))
        echo("communities:")
        width = max((len(c.name) for c in figures.communities), default=0)
        for c in figures.communities:
            echo(
                f"  {c.name.ljust(width)}  {c.surveyed}/{c.target}  {text_bar(c.surveyed, c.target)}  {view.percent(c.surveyed, c.target)}%"
                f"  drafts {c.drafts}  refused {c.refused}  re-x-ray {c.rexray_verified}/{c.rexray_assigned}"
            )
        active = figures.active_today()
        echo("today:" if active else "today: no household submitted yet")
        for v in active:
            echo(f"  {_who(v)}: {v.submitted_today} submitted, {v.drafts} drafts")
        idle = figures.idle(now - timedelta(days=days))
        echo(f"no activity for {days} days, drafts waiting:" if idle else f"no activity for {days} days, drafts waiting: nobody")
        for v in idle:
            revisits = f", {v.revisits} households to revisit" if v.revisits else ""
            echo(f"  {_who(v)}: {v.drafts} drafts{revisits}, last active {view.last_seen(v, config.zone) if v.last_activity else _('never')}")


def _who(volunteer) -> str:  # type: ignore[no-untyped-def]
    """Name (community)."""
    return f"{volunteer.name} ({volunteer.community})" if volunteer.community else volunteer.name


def _be(day) -> str:  # type: ignore[no-untyped-def]
    """A date as day/month/Buddhist year, or a dash."""
    return f"{day.day}/{day.month}/{day.year + 543}" if day else "-"

"""`thaiqm-bot export`: approved households, members, problems and their history for the district office and ThaiQM entry."""

from __future__ import annotations

import sys
from datetime import date, datetime, timezone
from pathlib import Path

import click

from bot.cli.common import load_config, municipality_of, session_for
from bot.pushes.schedule import local_day


def _day(text: str | None, today: date) -> date | None:
    """A date option: 2024-01-15 or 15/1/2567 (or เมื่อวาน: `today` is the municipality's day)."""
    if not text:
        return None
    from bot.dialogs.answers import AnswerError, parse_date

    try:
        return parse_date(text, today)
    except AnswerError:
        raise click.BadParameter(f"{text!r} is not a date; write 2024-01-15 or 15/1/2567") from None


@click.command("export")
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--tambon", required=True, help="Tambon code of the municipality.")
@click.option("--community", default=None, help="Only this community (its name, or part of it).")
@click.option("--round", "round_name", default=None, help="Only this round (default: every round).")
@click.option("--from", "since", default=None, help="Records surveyed or revisited on or after this day (2024-01-15 or 15/1/2567).")
@click.option("--to", "until", default=None, help="Records surveyed or revisited on or before this day.")
@click.option("--status", "approval", type=click.Choice(["approved", "awaiting", "sent_back", "all"]), default="approved", show_default=True,
              help="Records by their supervisor's approval.")
@click.option("--problem-status", "problem_statuses", multiple=True, help="Only problems of this status (found, helped, …); may be repeated.")
@click.option("--format", "kind", type=click.Choice(["xlsx", "csv"]), default=None, help="Default: xlsx for a .xlsx OUTPUT, else CSV files in the OUTPUT folder.")
@click.option("--mask", is_flag=True, help="Hide the middle digits of national IDs and phones.")
def export(output: Path, tambon: str, community: str | None, round_name: str | None, since: str | None, until: str | None, approval: str,
           problem_statuses: tuple[str, ...], kind: str | None, mask: bool) -> None:
    """Write the records of a municipality as XLSX (one sheet each, summaries with charts) or CSV files (UTF-8 with BOM)."""
    from bot.exports import query
    from bot.exports.making import prepare, write
    from bot.exports.sheets import Options
    from storage import audit
    from storage.models import utcnow
    from storage.statuses import ProblemStatus

    wrong = [s for s in problem_statuses if s not in ProblemStatus.__members__.values()]
    if wrong:
        raise click.BadParameter(f"{', '.join(wrong)}: use {', '.join(ProblemStatus)}", param_hint="--problem-status")
    kind = kind or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")
    config = load_config()
    with session_for(config) as session:
        municipality = municipality_of(session, tambon)
        community_id = _community_id(session, municipality.id, community) if community else None
        today = local_day(datetime.now(timezone.utc), config.zone)
        filters = query.Filters(municipality.id, community_id, round_name, _day(since, today), _day(until, today), approval, problem_statuses)
        click.echo("reading records…", err=True)
        prepared = prepare(session, filters, Options(config.zone, mask))
        if prepared is None:
            raise click.ClickException(f"nothing to export: no {'' if approval == 'all' else approval + ' '}record matches (no file written)")
        with click.progressbar(length=prepared.rows, label=f"writing {kind}", file=sys.stderr) as bar:
            write(prepared, kind, output, bar.update)
        audit.record(session, "export.cli", utcnow(), municipality_id=municipality.id, community_id=community_id, round=round_name, approval=approval,
                     format=kind, masked=int(mask), households=prepared.households)
    click.echo(f"{prepared.households} households, {prepared.problems} problems written to {output}")


def _community_id(session, municipality_id: int, typed: str) -> int:  # type: ignore[no-untyped-def]
    """The community whose name holds the typed words, or one clear line."""
    from sqlalchemy import select

    from storage.models import Community

    wanted = " ".join(typed.split()).casefold()
    for cid, name in session.execute(select(Community.id, Community.name).where(Community.municipality_id == municipality_id).order_by(Community.id)):
        if wanted in " ".join(name.split()).casefold():
            return int(cid)
    raise click.ClickException(f"no community called {typed!r} in this municipality")

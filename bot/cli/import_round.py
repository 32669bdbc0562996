"""`thaiqm-bot import-round`: an earlier round's households and problems, to revisit at Re-X-ray."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.common import load_config, municipality_of, session_for

# Shown at most: a file with thousands of wrong rows is one mistake repeated.
MAX_LISTED = 200


@click.command("import-round")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--round", "round_name", required=True, help="The round the file records, e.g. 2565.")
@click.option("--tambon", required=True, help="Tambon code of the municipality.")
@click.option("--skip-bad-rows", is_flag=True, help="Import the good rows and list the rows left out.")
@click.option("--encoding", default=None, help="The CSV's encoding (default: UTF-8, with or without BOM, else cp874 as Excel on Thai Windows writes).")
def import_round(file: Path, round_name: str, tambon: str, skip_bad_rows: bool, encoding: str | None) -> None:
    """Read households and problems (CSV or XLSX, one row per problem); all or nothing unless --skip-bad-rows."""
    from bot.dialogs.form import current_form
    from bot.pushes.schedule import local_day
    from bot.imports.checking import Area, check_rows, problem_dimensions
    from bot.imports.reading import FileProblem, read_rows
    from storage.areas import communities_of
    from storage.models import utcnow
    from storage.round_import import store_round, volunteer_ids

    try:
        header, rows = read_rows(file, encoding)
    except FileProblem as problem:
        raise click.ClickException(str(problem)) from None
    config = load_config()
    with session_for(config) as session:
        municipality = municipality_of(session, tambon)
        by_community, by_name = volunteer_ids(session, municipality.id)
        now = utcnow()
        area = Area(
            communities={c.name: c.id for c in communities_of(session, municipality.id)}, volunteers_by_name=by_name,
            volunteer_ids=frozenset(by_community[None]), problem_dimensions=problem_dimensions(current_form()), today=local_day(now, config.zone),
        )
        with click.progressbar(length=len(rows), label="checking rows", file=sys.stderr) as bar:
            checked = check_rows(header, rows, area, bar.update)
        if checked.errors:
            _list_errors(checked.errors, skipped=skip_bad_rows)
            if not skip_bad_rows:
                raise click.ClickException(f"nothing imported: {len(checked.errors)} rows are wrong (--skip-bad-rows imports the others)")
        with click.progressbar(length=len(checked.households), label="storing households", file=sys.stderr) as bar:
            counts = store_round(session, municipality.id, round_name, checked.households, by_community, now, bar.update)
    click.echo(
        f"round {round_name}: {counts.households_added} households added, {counts.households_updated} updated; "
        f"problems {counts.problems_added} added, {counts.problems_updated} updated, {counts.problems_removed} removed"
    )
    if counts.unassigned:
        click.echo(f"{counts.unassigned} new households have no volunteer (no active volunteer in their community or municipality)")


def _list_errors(errors: list, skipped: bool) -> None:  # type: ignore[type-arg]
    """Each wrong row in English and Thai (rows left out when skipping)."""
    click.echo(("rows left out / แถวที่ไม่ได้นำเข้า:" if skipped else "rows with errors / แถวที่ผิด:"), err=True)
    for error in errors[:MAX_LISTED]:
        click.echo(f"  {error.english()}\n  {error.thai()}", err=True)
    if len(errors) > MAX_LISTED:
        click.echo(f"  … and {len(errors) - MAX_LISTED} more", err=True)

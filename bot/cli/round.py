"""`thaiqm-bot round`: survey rounds (form, deadlines, income line, survey-date window) and the current one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from bot.cli.common import load_config, municipality_of, session_for

BE_OFFSET = 543


class BuddhistOrIsoDate(click.ParamType):
    """A date typed as 2024-01-15 or 15/1/2567 (Buddhist Era)."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        """Read either form, or fail with one line."""
        if isinstance(value, dt.date):
            return value
        try:
            if "/" in value:
                day, month, year = (int(part) for part in value.split("/"))
                return dt.date(year - BE_OFFSET if year > 2400 else year, month, day)
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date (2024-01-15 or 15/1/2567)", param, ctx)


DATE = BuddhistOrIsoDate()


def _round_options(command):  # type: ignore[no-untyped-def]
    """The settings a round has, shared by `add` and `set`."""
    options = [
        click.option("--form-version", default=None, help="Form version its new surveys use (default: the newest)."),
        click.option("--survey-deadline", type=DATE, default=None, help="Last day of the survey, e.g. 15/1/2567."),
        click.option("--resolution-deadline", type=DATE, default=None, help="Last day to solve the problems found."),
        click.option("--income-line", "basic_needs_line", type=click.IntRange(min=0), default=None, help="Basic-needs (จปฐ.) income line, baht per person per year."),
        click.option("--survey-opens", type=DATE, default=None, help="First survey date a volunteer may enter."),
        click.option("--days-back", "survey_days_back", type=click.IntRange(min=0, max=3660), default=None, help="How many days before today a survey date may be (default 366)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _check_form(form_id: str, version: str | None) -> None:
    """Refuse a round whose form file is not there: its surveys could not start."""
    from bot.dialogs.form import forms

    known = {(fid, v) for fid, v in forms()}
    if not any(fid == form_id and (version is None or v == version) for fid, v in known):
        listed = ", ".join(sorted(f"{fid} v{v}" for fid, v in known))
        raise click.ClickException(f"no form {form_id}{' version ' + version if version else ''} (forms: {listed})")


@click.group("round")
def round_group() -> None:
    """Survey rounds and the current round of each municipality."""


@round_group.command("add")
@click.argument("name")
@click.option("--form", "form_id", required=True, help="Form id its surveys use, e.g. thaiqm-2566.")
@_round_options
def round_add(name: str, form_id: str, **fields: Any) -> None:
    """Add a round (it becomes current only with `round set-current`)."""
    from storage.rounds import RoundError, add_round

    _check_form(form_id, fields.get("form_version"))
    with session_for(load_config()) as session:
        try:
            added = add_round(session, name, form_id, **fields)
        except RoundError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"added round {added.name} ({added.form_id})")


@round_group.command("set")
@click.argument("name")
@_round_options
def round_set(name: str, **fields: Any) -> None:
    """Change a round's form version, deadlines, income line or survey-date window."""
    from storage.rounds import RoundError, change_round, round_by_name

    with session_for(load_config()) as session:
        found = round_by_name(session, name)
        if found is not None and fields.get("form_version"):
            _check_form(found.form_id, fields["form_version"])
        try:
            changed = change_round(session, name, **fields)
        except RoundError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"changed round {changed.name}")


@round_group.command("set-current")
@click.argument("name")
@click.option("--tambon", default=None, help="Only this municipality (default: every municipality without its own choice).")
def round_set_current(name: str, tambon: str | None) -> None:
    """Send new surveys to this round."""
    from storage.rounds import RoundError, set_current

    with session_for(load_config()) as session:
        municipality = municipality_of(session, tambon) if tambon else None
        try:
            set_current(session, name, municipality)
        except RoundError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"round {name} is now current for {municipality.name if municipality else 'every municipality without its own round'}")


@round_group.command("list")
def round_list() -> None:
    """Every round with its form, deadlines and settings; * marks the current one for all."""
    from sqlalchemy import select

    from storage.models import Municipality
    from storage.rounds import list_rounds

    with session_for(load_config()) as session:
        chosen: dict[str, list[str]] = {}
        for municipality_name, round_name in session.execute(select(Municipality.name, Municipality.current_round).where(Municipality.current_round.is_not(None))):
            chosen.setdefault(round_name, []).append(municipality_name)
        for found in list_rounds(session):
            click.echo(
                f"{'*' if found.current else ' '} {found.name}  form {found.form_id} v{found.form_version or 'newest'}"
                f"  survey until {_shown(found.survey_deadline)}  resolve until {_shown(found.resolution_deadline)}"
                f"  income line {found.basic_needs_line if found.basic_needs_line is not None else '(form)'}"
                f"  survey dates from {_shown(found.survey_opens)} / {found.survey_days_back} days back"
                + (f"  current for: {', '.join(sorted(chosen[found.name]))}" if found.name in chosen else "")
            )


def _shown(day: dt.date | None) -> str:
    """A date as day/month/Buddhist year, or a dash."""
    return f"{day.day}/{day.month}/{day.year + BE_OFFSET}" if day else "-"

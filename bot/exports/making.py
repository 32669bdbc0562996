"""One export from filters to a file: read, build the sheets, write XLSX or CSV (the CLI and the chat's download share it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session

from bot.dialogs.form import Form, current_form, get_form
from bot.exports import query
from bot.exports.csv_files import write_csv
from bot.exports.sheets import Labels, Options, Sheet, build
from bot.exports.summary import CommunitySummary, summaries
from bot.exports.xlsx import write_xlsx
from storage.rounds import current_round

FORMATS = ("xlsx", "csv")


@dataclass
class Prepared:
    """An export read and laid out, ready to write."""

    sheets: list[Sheet]
    summaries: list[CommunitySummary]
    labels: Labels
    households: int
    problems: int

    @property
    def rows(self) -> int:
        """Rows the sheets hold (the progress bar's length)."""
        return sum(len(sheet.rows) for sheet in self.sheets)


def round_form(session: Session, municipality_id: int) -> Form:
    """The form of the municipality's current round: its words name the problems and dimensions."""
    found = current_round(session, municipality_id)
    return get_form(found.form_id, found.form_version) if found.form_version else current_form(found.form_id)


def prepare(session: Session, filters: query.Filters, options: Options) -> Prepared | None:
    """Read what the filters select and lay it out; None when they select no household."""
    data = query.load(session, filters)
    if not data.households:
        return None
    labels = Labels(round_form(session, filters.municipality_id))
    return Prepared(build(data, labels, options), summaries(data), labels, len(data.households), len(data.problems))


def write(prepared: Prepared, kind: str, target: Path, progress: Callable[[int], None] = lambda _n: None) -> None:
    """Write the export: an XLSX workbook file, or a folder of CSV files."""
    if kind == "csv":
        write_csv(target, prepared.sheets, prepared.summaries, prepared.labels, progress)
    else:
        write_xlsx(target, prepared.sheets, prepared.summaries, prepared.labels, progress)

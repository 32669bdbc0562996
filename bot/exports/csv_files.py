"""The export as CSV files, one per sheet, in UTF-8 with a BOM (so Excel shows the Thai): round.csv is what import-round reads."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from bot.exports import layout as L
from bot.exports.sheets import Cell, Labels, Sheet
from bot.exports.summary import CommunitySummary, long_rows
from bot.imports.reading import protected

ENCODING = "utf-8-sig"


def text(cell: Cell) -> str:
    """A cell as CSV text: dates in ISO, whole numbers without .0, nothing for None, text that
    a spreadsheet would run as a formula (=, +, -, @ first) behind an apostrophe."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.isoformat(timespec="minutes")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return protected(cell) if isinstance(cell, str) else str(cell)


def write_csv(folder: Path, sheets: list[Sheet], summaries: list[CommunitySummary], labels: Labels, progress: Callable[[int], None] = lambda _n: None) -> list[Path]:
    """Write <sheet>.csv for every sheet and summary.csv into a folder; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for layout, rows in [(sheet.layout, sheet.rows) for sheet in sheets] + [(L.SUMMARY_SHEET, long_rows(summaries, labels))]:
        path = folder / f"{layout.name}.csv"
        with path.open("w", encoding=ENCODING, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(layout.headers())
            writer.writerows([text(cell) for cell in row] for row in rows)
        progress(len(rows))
        written.append(path)
    return written

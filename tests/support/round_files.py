"""Round files as a municipality would have them: rows of households and problems, written as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.imports.layout import COLUMNS


def national_id(first12: str) -> str:
    """A 13-digit national ID with its check digit."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


def row(**cells: str) -> dict[str, str]:
    """One row of the file (missing columns empty)."""
    return {name: cells.get(name, "") for name in COLUMNS}


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    """The rows as a CSV file in an encoding (utf-8-sig writes the BOM Excel writes)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]]) -> Path:
    """The rows as the first sheet of a workbook (numbers as Excel keeps them: numbers)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for cells in rows:
        sheet.append([int(v) if v.isdigit() and len(v) < 15 else v for v in cells.values()])
    book.save(path)
    return path

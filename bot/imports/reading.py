"""A round file's rows as text: CSV in UTF-8 (with or without BOM) or cp874/TIS-620, or XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from bot.imports.layout import column_of

# Excel on Thai Windows saves "CSV" in cp874 (TIS-620 with a few more characters).
THAI_WINDOWS = "cp874"
UTF8_BOM = b"\xef\xbb\xbf"
ZIP_MAGIC = b"PK\x03\x04"

Row = tuple[int, dict[str, str]]
# A spreadsheet reads a cell starting with one of these as a formula: the CSV export writes such
# text behind an apostrophe (as OWASP advises against CSV injection) and reading takes it off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PROTECTED = "'"


class FileProblem(ValueError):
    """The file cannot be read at all; the message is one line for the operator."""


def guess_encoding(raw: bytes) -> str:
    """utf-8-sig for a BOM or valid UTF-8, else the Thai Windows code page."""
    if raw.startswith(UTF8_BOM):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return THAI_WINDOWS
    return "utf-8"


def read_rows(path: Path, encoding: str | None = None) -> tuple[list[str], list[Row]]:
    """The header and the rows (numbered as a spreadsheet shows them: the header is row 1)."""
    raw = path.read_bytes()
    if raw.startswith(ZIP_MAGIC) or path.suffix.lower() == ".xlsx":
        return _xlsx(raw)
    try:
        text = raw.decode(encoding or guess_encoding(raw))
    except (UnicodeDecodeError, LookupError) as error:
        raise FileProblem(f"cannot read {path.name} as {encoding}: {error.__class__.__name__}") from None
    return _table(csv.reader(io.StringIO(text, newline="")))


def _xlsx(raw: bytes) -> tuple[list[str], list[Row]]:
    """The first sheet of a workbook, its cells as text."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise FileProblem(f"not a readable XLSX workbook: {error.__class__.__name__}") from None
    try:
        return _table([_cell(value) for value in row] for row in book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def _cell(value: object) -> str:
    """A cell as the text a CSV would hold (whole numbers without .0, dates in ISO)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(lines: Iterator[list[str]] | list) -> tuple[list[str], list[Row]]:  # type: ignore[type-arg]
    """Header and numbered rows, blank lines skipped, cells stripped."""
    iterator = iter(lines)
    header = [column_of(name) for name in next(iterator, [])]
    if not header:
        raise FileProblem("the file is empty")
    rows: list[Row] = []
    for number, cells in enumerate(iterator, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        rows.append((number, {name: (unprotected(cells[i].strip()) if i < len(cells) else "") for i, name in enumerate(header) if name}))
    return header, rows


def protected(text: str) -> str:
    """Text a spreadsheet would run as a formula, behind an apostrophe; any other text as it is."""
    return PROTECTED + text if text.startswith(FORMULA_STARTS) else text


def unprotected(text: str) -> str:
    """A cell without the apostrophe the export put before text a spreadsheet would run as a formula."""
    return text[1:].strip() if text.startswith(PROTECTED) and text[1:2] and text[1] in FORMULA_STARTS else text

"""The export as one XLSX workbook (XlsxWriter, rows streamed to the file): the sheets, then a summary per community with its chart.

XlsxWriter rather than openpyxl: without lxml, openpyxl writes some 20,000 cells a second, and a
50,000-household municipality has millions. Texts stay texts: nothing typed in the field becomes
a formula or a link in the district office's Excel.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import xlsxwriter

from bot.exports.sheets import Labels, Sheet
from bot.exports.summary import CommunitySummary
from bot.exports.xlsx_rows import RowSheet
from bot.i18n import _

# Excel's limits on a sheet's name.
MAX_TITLE = 31
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# The summary table's header row (0-based, below the figures); the chart goes below the table.
TABLE_ROW = 4
OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd"}


def write_xlsx(target: Path, sheets: list[Sheet], summaries: list[CommunitySummary], labels: Labels, progress: Callable[[int], None] = lambda _n: None) -> None:
    """Write every sheet, then each community's summary with a bar chart of its problems by dimension.

    Always to a file, rows streamed (constant_memory): a workbook kept in memory would hold a large
    municipality's millions of cells, and its shared strings would take typed text shaped like
    "<r>…</r>" for rich-string XML (bot/exports/xlsx_rows.py writes it as text).
    """
    book = xlsxwriter.Workbook(str(target), {**OPTIONS, "constant_memory": True})
    times = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    bold = book.add_format({"bold": True})
    used: set[str] = set()
    try:
        for sheet in sheets:
            page = book.add_worksheet(_title(_(sheet.layout.title), used), worksheet_class=RowSheet)
            page.write_row(0, 0, sheet.layout.headers(), bold)
            page.freeze_panes(1, 0)  # the header row stays in view
            _rows(page, sheet.rows, times, progress)
        for community in summaries:
            _summary(book, community, labels, used, bold)
    finally:
        book.close()


def _rows(page: RowSheet, rows: list[list[Any]], times: Any, progress: Callable[[int], None]) -> None:
    """The rows under the header, a row at a time (bot/exports/xlsx_rows.py); a moment gets a date-and-time format, a date the book's default."""
    write_cells = page.write_cells
    step = 0
    for number, row in enumerate(rows, start=1):
        write_cells(number, row, times)
        step += 1
        if step == 1000:
            progress(step)
            step = 0
    progress(step)


def _summary(book: Any, community: CommunitySummary, labels: Labels, used: set[str], bold: Any) -> None:
    """A community's figures, its table of problems by dimension and status, and the chart of the table's totals."""
    title = _title(_("Summary {community}", community=community.name), used)
    page = book.add_worksheet(title, worksheet_class=RowSheet)  # its text, a community's name too, written as text
    header, rows = community.table(labels)
    page.write_row(0, 0, [_("Community name"), community.name])
    page.write_row(1, 0, [_("Households to survey"), community.target])
    page.write_row(2, 0, [_("Households in this file"), community.households])
    page.write_row(TABLE_ROW, 0, header, bold)
    for offset, row in enumerate(rows, start=1):
        page.write_row(TABLE_ROW + offset, 0, row)
    total, last = len(header) - 1, TABLE_ROW + len(rows)
    chart = book.add_chart({"type": "bar"})
    chart.add_series({"name": [title, TABLE_ROW, total], "categories": [title, TABLE_ROW + 1, 0, last, 0], "values": [title, TABLE_ROW + 1, total, last, total]})
    chart.set_title({"name": _("Problems by dimension")})
    chart.set_legend({"none": True})
    chart.set_size({"width": 720, "height": 320})
    page.insert_chart(last + 2, 0, chart)


def _title(text: str, used: set[str]) -> str:
    """A sheet name Excel accepts: no [ ] : * ? / \\, 31 characters at most, unique in the book."""
    base = FORBIDDEN.sub(" ", text).strip()[:MAX_TITLE] or "-"
    title, number = base, 2
    while title.casefold() in used:
        suffix = f" ({number})"
        title, number = base[: MAX_TITLE - len(suffix)] + suffix, number + 1
    used.add(title.casefold())
    return title

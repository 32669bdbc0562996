"""The export as one XLSX workbook (openpyxl, write-only: rows stream to the file): the sheets, then a summary per community with its chart."""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Callable

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter

from bot.exports.sheets import Labels, Sheet
from bot.exports.summary import CommunitySummary
from bot.i18n import _

# Excel's limits on a sheet's name.
MAX_TITLE = 31
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# The table of a summary sheet starts on this row (below the figures); the chart sits beside it.
TABLE_ROW = 5


def write_xlsx(target: Path | IO[bytes], sheets: list[Sheet], summaries: list[CommunitySummary], labels: Labels, progress: Callable[[int], None] = lambda _n: None) -> None:
    """Write every sheet, then each community's summary with a bar chart of its problems by dimension."""
    book = Workbook(write_only=True)
    used: set[str] = set()
    for sheet in sheets:
        page = book.create_sheet(_title(_(sheet.layout.title), used))
        page.freeze_panes = f"{get_column_letter(1)}2"  # the header row stays in view
        page.append(sheet.layout.headers())
        for row in sheet.rows:
            page.append(row)
        progress(len(sheet.rows))
    for community in summaries:
        _summary(book, community, labels, used)
    book.save(target)


def _summary(book: Workbook, community: CommunitySummary, labels: Labels, used: set[str]) -> None:
    """A community's figures, its table of problems by dimension and status, and the chart of the table's totals."""
    page = book.create_sheet(_title(_("Summary {community}", community=community.name), used))
    header, rows = community.table(labels)
    page.append([_("Community name"), community.name])
    page.append([_("Households to survey"), community.target])
    page.append([_("Households in this file"), community.households])
    page.append([])
    page.append(header)
    for row in rows:
        page.append(row)
    chart = BarChart()
    chart.type = "bar"
    chart.title = _("Problems by dimension")
    chart.legend = None
    total = len(header)
    chart.add_data(Reference(page, min_col=total, min_row=TABLE_ROW, max_row=TABLE_ROW + len(rows)), titles_from_data=True)
    chart.set_categories(Reference(page, min_col=1, min_row=TABLE_ROW + 1, max_row=TABLE_ROW + len(rows)))
    chart.width, chart.height = 18, 9
    page.add_chart(chart, f"{get_column_letter(1)}{TABLE_ROW + len(rows) + 2}")


def _title(text: str, used: set[str]) -> str:
    """A sheet name Excel accepts: no [ ] : * ? / \\, 31 characters at most, unique in the book."""
    base = FORBIDDEN.sub(" ", text).strip()[:MAX_TITLE] or "-"
    title, number = base, 2
    while title.casefold() in used:
        suffix = f" ({number})"
        title, number = base[: MAX_TITLE - len(suffix)] + suffix, number + 1
    used.add(title.casefold())
    return title

"""Whole rows into XlsxWriter's streamed sheet at once: the very XML its cell writers make, without their per-cell cost.

A 50,000-household export has some nine million cells, and XlsxWriter spends 6-12 µs on each
(a tuple stored per cell, then per cell the reference, four regular expressions for escaping,
an attribute list): a minute of the export. In constant_memory mode a finished row is only
text in the sheet's temporary file, so a row of plain cells (text without anything to escape,
numbers, dates) is written here as one string. Anything else (text to escape or to keep spaces
around, NaN, another type, a sheet with row or column formats) goes through XlsxWriter's own
escaping or its public writers, and tests/test_export_xlsx_rows.py checks the sheet's XML is
byte for byte what XlsxWriter writes cell by cell: an XlsxWriter upgrade that changes it fails there.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from xlsxwriter.utility import _preserve_whitespace, _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

# Text XlsxWriter changes before writing: XML's &, < and >, control characters (and text that
# looks like their _xHHHH_ escape), the two non-characters, and spaces to preserve at either end.
SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
RISKY = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]")  # SPECIAL's characters alone: a plain class searches twice as fast
# Excel's column letters, computed once (a sheet here has a few dozen columns).
LETTERS = [xl_col_to_name(column) for column in range(256)]


class RowSheet(Worksheet):
    """A worksheet (XlsxWriter's, chosen with add_worksheet's worksheet_class) with a writer for a whole row."""

    def write_cells(self, row: int, values: list[Any], moment_format: Any) -> None:
        """Write a row's cells from column A: text, numbers, dates (the book's date format), moments (moment_format);
        None and "" leave the cell empty."""
        if not self._write_plain(row, values, moment_format):
            self._write_each(row, values, moment_format)

    def _write_plain(self, row: int, values: list[Any], moment_format: Any) -> bool:
        """The row as one string into the streamed sheet; False (nothing written) when it needs XlsxWriter's cell writers."""
        if not self.constant_memory or self.col_info or row in self.row_info or len(values) > len(LETTERS) or row >= self.xls_rowmax:
            return False
        if row < self.previous_row or (row == self.previous_row and self.table.get(row)):
            return False  # an earlier row, or one begun cell by cell: XlsxWriter decides
        if row > self.previous_row:
            # The row before goes out first, if it was written cell by cell (the header), as XlsxWriter's
            # writers do: its formats take their style numbers before this row's.
            self._write_single_row(row)
        number, cells, first, last = row + 1, [], -1, -1
        add, letters, risky, longest = cells.append, LETTERS, RISKY.search, self.xls_strmax // 2
        day_format = self.default_date_format
        for column, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                # Most text has nothing XlsxWriter would change: inline here (the checks are SPECIAL's, split for speed).
                if len(value) <= longest and risky(value) is None and "_x" not in value and not value[0].isspace() and not value[-1].isspace():
                    add(f'<c r="{letters[column]}{number}" t="inlineStr"><is><t>{value}</t></is></c>')
                else:
                    add(self._text(f"{letters[column]}{number}", value))
            elif value is None:
                continue
            elif kind is int or (kind is float and math.isfinite(value)):
                add(f'<c r="{letters[column]}{number}"><v>{value:.16G}</v></c>')
            elif kind is datetime or kind is date:
                # The format's style index is taken at its first use, as XlsxWriter does, so styles.xml is the same too.
                chosen = moment_format if kind is datetime else day_format
                style = f' s="{chosen._get_xf_index()}"' if chosen else ""
                add(f'<c r="{letters[column]}{number}"{style}><v>{self._convert_date_time(value):.16G}</v></c>')
            else:
                return False
            if first < 0:
                first = column
            last = column
        if first < 0:
            return True  # nothing to write: XlsxWriter writes no row either
        self._check_dimensions(row, first)
        self._check_dimensions(row, last)  # the sheet's extent, for its <dimension>
        self._write_row(row, None)
        self.fh.write("".join(cells) + "</row>")
        return True

    def _text(self, reference: str, value: str) -> str:
        """A text cell as XlsxWriter writes it in constant_memory mode: an inline string, escaped as it escapes."""
        if len(value) > self.xls_strmax // 2 and _utf16_len(value) > self.xls_strmax:
            value = _utf16_truncate(value, self.xls_strmax)
        if not SPECIAL.search(value):
            return f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>'
        value = self._escape_control_characters(value)
        preserve = ' xml:space="preserve"' if _preserve_whitespace(value) else ""
        return f'<c r="{reference}" t="inlineStr"><is><t{preserve}>{self._escape_data(value)}</t></is></c>'

    def _xml_rich_inline_string(self, string: str, attributes: list[tuple[str, Any]]) -> None:
        """Text shaped like "<r>…</r>", written as the text it is.

        In constant_memory mode XlsxWriter takes any such text for a rich string's XML (which it
        makes itself) and writes it unescaped. The export writes no rich strings, so this is a
        person's answer: unescaped, an "&" or a "<" in it would make Excel call the file damaged.
        """
        self._xml_inline_string(string, _preserve_whitespace(string), attributes)

    def _write_each(self, row: int, values: list[Any], moment_format: Any) -> None:
        """The row cell by cell through XlsxWriter's public writers."""
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            kind = type(value)
            if kind is str:
                self.write_string(row, column, value)
            elif kind is int or kind is float:
                self.write_number(row, column, value)
            elif kind is datetime:
                self.write_datetime(row, column, value, moment_format)
            else:
                self.write(row, column, value)

"""The XLSX export's whole-row writer: the workbook is byte for byte the one XlsxWriter writes cell by cell, for awkward cells and a real export."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
import xlsxwriter
from openpyxl import load_workbook

from bot.exports.xlsx import OPTIONS
from bot.exports.xlsx_rows import RowSheet
from tests.support.export_seed import TAMBON, seed_small

CREATED = datetime(2024, 1, 10, 12, 0)  # docProps/core.xml holds the time of writing: fixed, so whole files compare
AWKWARD = [
    ["plain", "ไทย ภาษา", 7, 0.1, 1e20, -3, date(2024, 1, 15), datetime(2024, 1, 15, 14, 30), None, "", "R&D <a> b>c"],
    ["  leading", "trailing ", "tab\tinside", "line\nbreak", "\x01control", "_x0041_ looks escaped", "<r>rich</r>", "\ufffe", "\u00a0nbsp", "box_xy", "nbsp\u00a0", "end\n", "<r>R&D <b></r>"],
    ["x" * 40_000, "ก" * 20_000, "😀" * 17_000],  # beyond Excel's 32,767 UTF-16 units: truncated as XlsxWriter truncates
    [True, Decimal("1.5"), 2, "after other kinds"],  # kinds written cell by cell by XlsxWriter
    [],
    [None, "", None],
    [None, None, None, "from column D", 4],
    [float("nan"), "NaN goes cell by cell"],  # last: only with nan_inf_to_errors
]


def _book(target: io.BytesIO, whole_rows: bool, rows: list[list[object]], options: dict[str, object] | None = None) -> None:
    """A streamed workbook like the export's: a bold header, then the rows, whole or (XlsxWriter's own way) cell by cell."""
    book = xlsxwriter.Workbook(target, {**OPTIONS, "constant_memory": True, **(options or {})})
    book.set_properties({"created": CREATED})
    times, bold = book.add_format({"num_format": "yyyy-mm-dd hh:mm"}), book.add_format({"bold": True})
    page = book.add_worksheet("rows", worksheet_class=RowSheet)
    page.write_row(0, 0, ["header", "หัว"], bold)
    page.freeze_panes(1, 0)
    try:
        for number, row in enumerate(rows, start=1):
            if whole_rows:
                page.write_cells(number, row, times)
            else:
                page._write_each(number, row, times)
    finally:
        book.close()


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("options", [{}, {"nan_inf_to_errors": True}, {"default_date_format": None}, {"excel2010": True}])
def test_whole_rows_write_the_same_workbook_as_xlsxwriter_cell_by_cell(options):
    rows = AWKWARD if options.get("nan_inf_to_errors") else AWKWARD[:-1]
    whole, each = io.BytesIO(), io.BytesIO()
    _book(whole, True, rows, options)
    _book(each, False, rows, options)
    assert _entries(whole.getvalue()) == _entries(each.getvalue())
    sheet = load_workbook(whole)["rows"]
    assert sheet["K2"].value == "R&D <a> b>c" and sheet["A3"].value == "  leading" and sheet["E3"].value == "_x0001_control"  # Excel's escape (openpyxl leaves it)
    # Typed text shaped like XlsxWriter's rich-string XML stays text (written as XML, "&" and "<b>" broke the file).
    assert sheet["G3"].value == "<r>rich</r>" and sheet["M3"].value == "<r>R&D <b></r>"
    if "default_date_format" not in options:
        assert sheet["G2"].value == datetime(2024, 1, 15) and sheet["H2"].value == datetime(2024, 1, 15, 14, 30)
    assert len(sheet["A4"].value) == 32_767 and sheet["D8"].value == "from column D"


def test_nan_without_the_option_fails_as_xlsxwriter_fails():
    with pytest.raises(TypeError):
        _book(io.BytesIO(), True, [[float("nan")]])


def test_a_real_export_is_the_same_file_written_whole_rows_or_cell_by_cell(run, db_engine, tmp_path, monkeypatch):
    seed_small(db_engine)
    monkeypatch.setattr("bot.exports.xlsx_rows.RowSheet._write_plain", lambda *_args: False)
    assert run("export", str(tmp_path / "each.xlsx"), "--tambon", TAMBON, "--status", "all").exit_code == 0
    monkeypatch.undo()
    assert run("export", str(tmp_path / "whole.xlsx"), "--tambon", TAMBON, "--status", "all").exit_code == 0
    each, whole = _entries((tmp_path / "each.xlsx").read_bytes()), _entries((tmp_path / "whole.xlsx").read_bytes())
    each.pop("docProps/core.xml"), whole.pop("docProps/core.xml")  # the time of writing
    assert whole == each
    assert any(name.startswith("xl/charts/") for name in whole)


def test_text_shaped_like_rich_string_xml_stays_text_in_a_real_export(run, db_engine, tmp_path):
    from sqlalchemy import update

    from storage.models import Community

    seed_small(db_engine)
    named = "<r>ชุมชน & เหนือ</r>"  # an admin may name a community anything
    with db_engine.begin() as connection:
        connection.execute(update(Community).where(Community.name == "ชุมชนเหนือ").values(name=named))
    assert run("export", str(tmp_path / "e.xlsx"), "--tambon", TAMBON, "--status", "all").exit_code == 0
    book = load_workbook(tmp_path / "e.xlsx")  # unescaped, the "&" would make the file unreadable
    cells = {cell.value for page in book.worksheets for row in page.iter_rows() for cell in row}
    assert named in cells

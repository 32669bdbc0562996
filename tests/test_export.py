"""`thaiqm-bot export`: a seeded municipality's approved records as XLSX and CSV, read back as people and import-round read them."""

from __future__ import annotations

import csv
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.exports import layout as L
from bot.i18n import _
from bot.imports.layout import COLUMNS
from storage.models import AuditEntry, Household, HouseholdProblem
from tests.support.export_seed import HEAD_IDS, MEMBER_ID, TAMBON, seed_small

SHEETS = ["ครัวเรือนและปัญหา", "ครัวเรือน", "สมาชิกในครัวเรือน", "ปัญหา", "ประวัติสถานะปัญหา", "ผลการรีเอกซเรย์", "การยืนยันของครัวเรือน", "สรุป ชุมชนเหนือ", "สรุป ชุมชนใต้"]


@pytest.fixture
def seeded(db_engine):  # type: ignore[no-untyped-def]
    return seed_small(db_engine).ids


def rows_of(sheet) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """A sheet's rows by column code (the code beside each Thai header)."""
    values = list(sheet.iter_rows(values_only=True))
    codes = [header.rsplit("(", 1)[1].rstrip(")") for header in values[0]]
    return [dict(zip(codes, row)) for row in values[1:] if any(cell is not None for cell in row)]


def test_xlsx_export_of_a_municipality_has_every_sheet_column_and_code(run, seeded, tmp_path, db_engine):
    out = tmp_path / "export.xlsx"
    result = run("export", str(out), "--tambon", TAMBON)
    assert result.exit_code == 0, result.output
    assert "3 households, 5 problems written" in result.output  # approved only: the awaiting one is left out
    book = load_workbook(out)
    assert book.sheetnames == SHEETS
    # Thai headers with the codes beside them, in the layout's order; the first sheet starts with import-round's columns.
    for layout, title in zip((L.ROUND_SHEET, L.HOUSEHOLDS_SHEET, L.MEMBERS_SHEET, L.PROBLEMS_SHEET, L.HISTORY_SHEET, L.REXRAY_SHEET, L.CONFIRMATIONS_SHEET), SHEETS):
        header = [cell.value for cell in book[title][1]]
        assert header == [f"{_(column.title)} ({column.code})" for column in layout.columns]
        assert all(any("\u0e00" <= ch <= "\u0e7f" for ch in cell) for cell in header), header  # every header in Thai
    assert [c.value.rsplit("(", 1)[1].rstrip(")") for c in book[SHEETS[0]][1]][: len(COLUMNS)] == list(COLUMNS)
    assert book[SHEETS[0]]["B1"].value == "บ้านเลขที่ (house_no)"

    households = {row["house_no"]: row for row in rows_of(book["ครัวเรือน"])}
    assert set(households) == {"12/3", "15", "99"}  # another municipality's and the awaiting record are not there
    first = households["12/3"]
    assert first["head_national_id"] == HEAD_IDS[0] and first["phone"] == "0812345601"  # opened for the district office
    assert first["survey_date"] == "01/01/2567" and first["survey_date_iso"] == datetime(2024, 1, 1)
    assert first["receipt_no"] == "QM-2566-900001" and first["tambon_code"] == TAMBON and first["community"] == "ชุมชนเหนือ"
    assert first["approval"] == "อนุมัติแล้ว (approved)" and first["approved_by"] == "ผู้ควบคุม เมืองเพีย" and first["approved_at"] == "10/01/2567 12:00"
    assert households["99"]["origin"] == "ครัวเรือนของรอบก่อน (imported)"

    members = rows_of(book["สมาชิกในครัวเรือน"])
    assert [(m["household_id"], m["member_no"]) for m in members] == [(seeded["h1"], 1), (seeded["h1"], 2)]  # the parent's key on each
    assert members[1]["m_national_id"] == MEMBER_ID and members[1]["m_sex"] == "หญิง (female)" and members[1]["m_health"] == "ป่วยติดเตียง (bedridden)"
    assert members[1]["m_welfare"] == "เบี้ยยังชีพผู้สูงอายุ (elderly_allowance), บัตรสวัสดิการแห่งรัฐ (welfare_card)"

    problems = {row["problem_code"]: row for row in rows_of(book["ปัญหา"])}
    assert set(problems) == {"H1", "L2", "I4", "A1", "I1"}
    assert problems["H1"]["problem"] == "มีผู้ป่วยติดเตียง" and problems["H1"]["dimension"] == "ปัญหาด้านสุขภาพ (health)" and problems["H1"]["member_no"] == 2
    assert problems["I4"]["status"] == "in_progress" and problems["I4"]["status_name"] == "อยู่ระหว่างดำเนินการ"
    assert (problems["I4"]["partners"], problems["I4"]["help_kinds"], problems["I4"]["help_date"]) == ("government citizens", "money", "01/12/2566")
    assert problems["A1"]["status"] == "helped" and problems["I1"]["note"] == "ยังหางานไม่ได้"

    history = rows_of(book["ประวัติสถานะปัญหา"])
    i4 = [(h["old_status"], h["new_status"], h["via"]) for h in history if h["problem_code"] == "I4"]
    assert i4 == [(None, "found", "สำรวจ (survey)"), ("found", "in_progress", "ผู้ควบคุมการสำรวจ (supervisor)")]

    [rexray] = rows_of(book["ผลการรีเอกซเรย์"])
    assert (rexray["house_no"], rexray["presence"], rexray["problems"], rexray["checked"], rexray["resolved"]) == ("99", "ยังอาศัยอยู่ (present)", 2, 2, 1)
    [confirmation] = rows_of(book["การยืนยันของครัวเรือน"])
    assert (confirmation["problem_code"], confirmation["via"], confirmation["changed_at"]) == ("A1", "การยืนยันของครัวเรือน (household)", "11/01/2567 12:00")

    summary = book["สรุป ชุมชนเหนือ"]
    assert [summary["A1"].value, summary["B1"].value] == ["ชุมชน", "ชุมชนเหนือ"]
    assert (summary["B2"].value, summary["B3"].value) == (10, 2)
    table = {row[0]: row for row in summary.iter_rows(min_row=6, values_only=True) if row[0]}
    assert table["ปัญหาด้านสุขภาพ (health)"][-1] == 1 and table["ปัญหาด้านรายได้ (income)"][-1] == 1
    [chart] = summary._charts
    assert chart.title is not None
    with Session(db_engine) as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "export.cli")).all()
        assert entry.details["households"] == 3 and entry.details["approval"] == "approved"
        assert not any(value in str(entry.details) for value in (HEAD_IDS[0], "นายหนึ่ง"))  # ids and codes only


def test_csv_export_is_utf8_with_bom_and_reads_back_as_thai(run, seeded, tmp_path):
    folder = tmp_path / "csv"
    result = run("export", str(folder), "--tambon", TAMBON, "--status", "all")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{layout.name}.csv" for layout in (
        L.ROUND_SHEET, L.HOUSEHOLDS_SHEET, L.MEMBERS_SHEET, L.PROBLEMS_SHEET, L.HISTORY_SHEET, L.REXRAY_SHEET, L.CONFIRMATIONS_SHEET, L.SUMMARY_SHEET))
    raw = (folder / "round.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert list(rows[0])[:2] == ["รหัสประจำบ้าน (11 หลัก) (house_code)", "บ้านเลขที่ (house_no)"]
    by_code = {row["รหัสปัญหา (problem_code)"] or row["บ้านเลขที่ (house_no)"]: row for row in rows}
    assert by_code["E5"]["หัวหน้าครัวเรือน (head_name)"] == "นายสาม รอตรวจ"  # --status all: the awaiting record too
    assert by_code["H1"]["วันที่สำรวจ (survey_date)"] == "01/01/2567" and by_code["H1"]["วันที่สำรวจ (ค.ศ.) (survey_date_iso)"] == "2024-01-01"
    summary = list(csv.DictReader((folder / "summary.csv").read_text(encoding="utf-8-sig").splitlines()))
    found = {(row["ชุมชน (community)"], row["ด้าน (dimension)"], row["สถานะ (status)"], row["ปัญหา (problems)"]) for row in summary}
    assert found >= {("ชุมชนเหนือ", "ปัญหาด้านสุขภาพ (health)", "found", "1"), ("ชุมชนเหนือ", "ปัญหาด้านรายได้ (income)", "in_progress", "1"),
                     ("ชุมชนใต้", "ปัญหาด้านการเข้าถึงบริการรัฐ (accessibility)", "helped", "1")}


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_round_trip_export_then_import_round_creates_the_same_households_and_problems(run, seeded, tmp_path, db_engine, kind):
    target = tmp_path / ("round.xlsx" if kind == "xlsx" else "csv")
    assert run("export", str(target), "--tambon", TAMBON, "--round", "2566", "--status", "all").exit_code == 0
    out = target if kind == "xlsx" else target / "round.csv"
    result = run("import-round", str(out), "--round", "2567", "--tambon", TAMBON)
    assert result.exit_code == 0, result.output
    assert "3 households added" in result.output

    def snapshot(round_name: str) -> set[tuple[object, ...]]:
        with Session(db_engine) as session:
            households = session.scalars(select(Household).where(Household.round_name == round_name, Household.municipality_id == seeded["town"])).all()
            found = set()
            for h in households:
                problems = session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == h.id)).all()
                found.add((h.house_code, h.house_no, h.moo, h.community_id, h.head_name, h.head_national_id, h.phone, h.member_count, h.survey_date, h.volunteer_id,
                           frozenset((p.code, p.dimension, p.member_no, p.detail, p.status, p.partners, p.help_kinds, p.agency, p.help_date, p.note) for p in problems)))
            return found

    assert snapshot("2567") == snapshot("2566")
    again = run("import-round", str(out), "--round", "2567", "--tambon", TAMBON)
    assert "0 households added" in again.output  # the export reads as the same file twice


def test_filters_by_community_date_and_problem_status(run, seeded, tmp_path):
    out = tmp_path / "north.xlsx"
    assert run("export", str(out), "--tambon", TAMBON, "--community", "เหนือ", "--from", "2/1/2567", "--to", "2024-01-31").exit_code == 0
    assert {row["house_no"] for row in rows_of(load_workbook(out)["ครัวเรือน"])} == {"15"}
    out = tmp_path / "helped.xlsx"
    assert run("export", str(out), "--tambon", TAMBON, "--problem-status", "helped").exit_code == 0
    book = load_workbook(out)
    assert [row["problem_code"] for row in rows_of(book["ครัวเรือนและปัญหา"])] == ["A1"]
    assert book.sheetnames[-2:] == ["สรุป ชุมชนเหนือ", "สรุป ชุมชนใต้"]


def test_an_export_that_finds_nothing_says_so_and_writes_no_file(run, seeded, tmp_path):
    out = tmp_path / "none.xlsx"
    result = run("export", str(out), "--tambon", TAMBON, "--status", "sent_back")
    assert result.exit_code != 0 and "nothing to export" in result.output
    assert not out.exists()


def test_masked_export_hides_the_middle_of_ids_and_phones(run, seeded, tmp_path):
    out = tmp_path / "masked.xlsx"
    assert run("export", str(out), "--tambon", TAMBON, "--mask").exit_code == 0
    first = next(row for row in rows_of(load_workbook(out)["ครัวเรือน"]) if row["house_no"] == "12/3")
    assert first["head_national_id"] == HEAD_IDS[0][0] + "x" * 8 + HEAD_IDS[0][-4:] and first["phone"] == "08xxxxx601"


def test_dates_are_buddhist_era_beside_iso():
    from zoneinfo import ZoneInfo

    from bot.exports.sheets import be_date

    assert be_date(date(2024, 1, 15), ZoneInfo("Asia/Bangkok")) == "15/01/2567"


def test_the_round_sheet_names_only_active_volunteers_so_it_imports(run, seeded, tmp_path, db_engine):
    from storage.models import Person

    with Session(db_engine) as session, session.begin():
        session.get(Person, seeded["v1"]).active = False
    out = tmp_path / "round.xlsx"
    assert run("export", str(out), "--tambon", TAMBON).exit_code == 0
    book = load_workbook(out)
    assert {row["volunteer"] for row in rows_of(book["ครัวเรือนและปัญหา"])} == {None, "สมปอง ขยัน"}
    assert {row["volunteer"] for row in rows_of(book["ครัวเรือน"])} == {"สมศรี เดินดี", "สมปอง ขยัน"}  # who surveyed it, for people
    result = run("import-round", str(out), "--round", "2567", "--tambon", TAMBON)
    assert result.exit_code == 0 and "3 households added" in result.output, result.output


FORMULA_NOTE = '=HYPERLINK("http://example.com/x","คลิก")'


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_free_text_a_spreadsheet_would_run_as_a_formula_is_protected_and_still_round_trips(run, seeded, tmp_path, db_engine, kind):
    with Session(db_engine) as session, session.begin():
        by_code = {p.code: p for p in session.scalars(select(HouseholdProblem))}
        by_code["I4"].note, by_code["H1"].detail = FORMULA_NOTE, "-ติดเตียง @บ้าน"
        session.get(Household, by_code["E5"].household_id).head_name = "+นายสาม รอตรวจ"
    target = tmp_path / ("round.xlsx" if kind == "xlsx" else "csv")
    assert run("export", str(target), "--tambon", TAMBON, "--round", "2566", "--status", "all").exit_code == 0
    if kind == "csv":
        rows = list(csv.DictReader((target / "round.csv").read_text(encoding="utf-8-sig").splitlines()))
        cells = {cell for row in rows for cell in row.values()}
        assert {"'" + FORMULA_NOTE, "'-ติดเตียง @บ้าน", "'+นายสาม รอตรวจ"} <= cells  # shown as text, never run
        assert not any(cell[:1] in "=+-@" for cell in cells if cell)
        problems = csv.reader((target / "problems.csv").read_text(encoding="utf-8-sig").splitlines())
        assert "'" + FORMULA_NOTE in {cell for row in problems for cell in row}  # every sheet, not only the round
    out = target if kind == "xlsx" else target / "round.csv"
    assert "3 households added" in run("import-round", str(out), "--round", "2567", "--tambon", TAMBON).output
    with Session(db_engine) as session:
        imported = session.scalars(select(Household).where(Household.round_name == "2567")).all()
        problems = session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id.in_([h.id for h in imported]))).all()
        assert "+นายสาม รอตรวจ" in {h.head_name for h in imported}  # the apostrophe is taken off again
        assert {(p.code, p.note, p.detail) for p in problems} >= {("I4", FORMULA_NOTE, None), ("H1", None, "-ติดเตียง @บ้าน")}


def test_a_relative_day_in_the_export_options_counts_from_the_day_it_is_given():
    """`--from เมื่อวาน` means the municipality's yesterday: the command passes its local day, not the server's."""
    from datetime import date

    from bot.cli.export import _day

    assert _day("เมื่อวาน", date(2026, 11, 29)) == date(2026, 11, 28)
    assert _day("15/1/2567", date(2026, 11, 29)) == date(2024, 1, 15)
    assert _day(None, date(2026, 11, 29)) is None

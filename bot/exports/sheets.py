"""The export's sheets as rows of cells, the same for XLSX and CSV: codes as stored, words beside them, dates twice.

Dates are written as ThaiQM shows them (day/month/Buddhist year) in the column of their code,
which `import-round` reads back, and in ISO in the column after. National IDs and phones are
written in full for the district office unless the export masks them (the chat's download).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, timezone
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

from bot.dialogs.form import Form
from bot.exports import layout as L
from bot.exports.query import ExportData
from bot.i18n import _
from storage.statuses import ProblemChange, ProblemStatus, RexrayStatus

BE_OFFSET = 543
SOLVED = (ProblemStatus.HELPED, ProblemStatus.SELF_RESOLVED)

Cell = Any


@dataclass(frozen=True)
class Options:
    """How cells are written: the municipality's time zone, and whether IDs and phones are masked."""

    zone: ZoneInfo
    mask: bool = False


@dataclass
class Sheet:
    """A sheet's layout and its rows (cells in the layout's column order)."""

    layout: L.SheetLayout
    rows: list[list[Cell]]


def be_date(day: date | datetime | None, zone: ZoneInfo) -> str:
    """15/06/2565 (a moment: 15/06/2565 14:30, local time), or ""."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        local = local_time(day, zone)
        return f"{local.day:02d}/{local.month:02d}/{local.year + BE_OFFSET} {local.hour:02d}:{local.minute:02d}"
    return f"{day.day:02d}/{day.month:02d}/{day.year + BE_OFFSET}"


def local_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """A stored moment (UTC; naive from SQLite) as local time without a zone, as spreadsheets keep times."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(zone).replace(tzinfo=None, microsecond=0)


def iso(value: date | datetime | None, zone: ZoneInfo) -> date | datetime | None:
    """The ISO column's value: a date, or a local moment (the writer formats it)."""
    return local_time(value, zone) if isinstance(value, datetime) else value


def masked_id(value: str | None) -> str | None:
    """A national ID with its middle hidden: 1xxxxxxxx2345."""
    return value if not value else value[:1] + "x" * max(len(value) - 5, 0) + value[-4:]


def masked_phone(value: str | None) -> str | None:
    """A phone with its middle hidden: 08xxxxx678."""
    return value if not value else value[:2] + "x" * max(len(value) - 5, 0) + value[-3:]


class Labels:
    """The form's words for its codes: problems, dimensions and member choices, in Thai."""

    def __init__(self, form: Form) -> None:
        self.problems: dict[str, str] = {}
        self.dimensions: dict[str, str] = {}
        self.choices: dict[str, dict[str, str]] = {}
        for section in form.sections:
            for question in section.questions:
                if question.problems:
                    self.dimensions[section.id] = _(section.title)
                    self.problems.update({c.code: _(c.label) for c in question.choices if c.code != question.none})
                elif question.choices:
                    self.choices[question.code] = {c.code: _(c.label) for c in question.choices}

    def dimension(self, code: str | None) -> str:
        """A dimension in words with its key."""
        return f"{self.dimensions[code]} ({code})" if code in self.dimensions else code or ""

    def choice(self, question: str, value: str | None) -> str:
        """A member answer's choices in words, each with its code."""
        if not value:
            return ""
        known = self.choices.get(question, {})
        return ", ".join(f"{known[code]} ({code})" if code in known else code for code in value.split())


class _Cells:
    """One build's cell makers; what repeats (dates, moments, words for codes, member choices) is made once and remembered.

    Half a million rows hold a few hundred distinct survey dates and codes: the remembered
    texts saved a third of laying out a 50,000-household export.
    """

    def __init__(self, labels: Labels, options: Options) -> None:
        zone = options.zone
        self.labels = labels
        self.ident: Callable[[str | None], str | None] = masked_id if options.mask else (lambda v: v)
        self.phone: Callable[[str | None], str | None] = masked_phone if options.mask else (lambda v: v)
        self.be: Callable[[Any], str] = lru_cache(maxsize=None, typed=True)(lambda day: be_date(day, zone))
        self.iso: Callable[[Any], Any] = lru_cache(maxsize=None, typed=True)(lambda value: iso(value, zone))
        self.statuses = {code: f"{_(word)}" for code, word in L.STATUS_WORDS.items()}
        self._words: dict[tuple[int, str | None], str] = {}
        self._choices: dict[tuple[str, str | None], str] = {}

    def status(self, code: str | None) -> str | None:
        """A problem status in words (an unknown code as it is)."""
        return self.statuses.get(code, code) if code else code

    def words(self, table: dict[str, str], code: str | None) -> str:
        """layout.words, remembered."""
        key = (id(table), code)
        found = self._words.get(key)
        if found is None:
            found = self._words[key] = L.words(table, code)
        return found

    def choice(self, question: str, value: str | None) -> str:
        """Labels.choice, remembered."""
        key = (question, value)
        found = self._choices.get(key)
        if found is None:
            found = self._choices[key] = self.labels.choice(question, value)
        return found


def build(data: ExportData, labels: Labels, options: Options) -> list[Sheet]:
    """Every sheet but the summaries, in the workbook's order (the round layout first: import-round reads it)."""
    c = _Cells(labels, options)
    by_household = data.problems_by_household()
    households = {h.id for h in data.households}
    return [
        Sheet(L.ROUND_SHEET, list(_round_rows(data, by_household, c))),
        Sheet(L.HOUSEHOLDS_SHEET, [_household_row(h, data, c) for h in data.households]),
        Sheet(L.MEMBERS_SHEET, [_member_row(m, c) for m in data.members]),
        Sheet(L.PROBLEMS_SHEET, [_problem_row(p, c) for p in data.problems]),
        Sheet(L.HISTORY_SHEET, [_change_row(h, c) for h in data.history]),
        Sheet(L.REXRAY_SHEET, [_rexray_row(h, by_household.get(h.id, []), c) for h in data.households if h.rexray_status]),
        Sheet(L.CONFIRMATIONS_SHEET, [_change_row(h, c) for h in data.history if h.via == ProblemChange.HOUSEHOLD and h.household_id in households]),
    ]


def _round_rows(data: ExportData, by_household: dict, c: _Cells) -> Iterator[list[Cell]]:  # type: ignore[type-arg]
    """One row per problem, the household's columns repeated; one row without a problem for a household without any.

    The volunteer is named only while still an active volunteer: import-round refuses other names
    (and, given none, assigns the household to the community's volunteers in turn).
    """
    labels = c.labels
    for h in data.households:
        base = [h.house_code, h.house_no, h.moo, h.community_name, h.head_name, c.ident(h.head_national_id), c.phone(h.phone), h.member_count, c.be(h.survey_date),
                h.volunteer if h.volunteer_active else None]
        approval = c.words(L.APPROVAL_WORDS, h.approval)
        for p in by_household.get(h.id, []) or [None]:
            if p is None:
                yield base + [None] * 9 + [h.id, h.survey_date, None, None, None, None, h.round_name, approval]
                continue
            yield base + [
                p.code, p.member_no, p.detail, p.status, p.partners, p.help_kinds, p.agency, c.be(p.help_date), p.note,
                h.id, h.survey_date, p.help_date, labels.dimension(p.dimension), labels.problems.get(p.code, ""), c.status(p.status), h.round_name, approval,
            ]


def _household_row(h: Any, data: ExportData, c: _Cells) -> list[Cell]:
    """A household's own columns."""
    return [
        h.id, h.receipt_no, h.round_name, data.municipality.tambon_code, h.community_name, h.moo, h.house_code, h.house_no, h.head_name,
        c.ident(h.head_national_id), c.phone(h.phone), h.member_count, c.be(h.survey_date), h.survey_date, h.volunteer, h.respondent,
        h.latitude, h.longitude, h.needs, h.note, c.words(L.ORIGIN_WORDS, h.origin), h.status, c.words(L.APPROVAL_WORDS, h.approval),
        h.approved_by_name, c.be(h.approved_at), c.iso(h.approved_at), h.sent_back_note,
    ]


MEMBER_CODES = [column.code for column in L.MEMBERS_SHEET.columns]


def _member_row(m: Any, c: _Cells) -> list[Cell]:
    """A member: the parent's key, then the member's answers (choices in words with their codes)."""
    codes, choice = MEMBER_CODES, c.choice
    return [
        m.household_id, m.member_no, m.full_name, choice(codes[3], m.sex), choice(codes[4], m.relation), m.birth_year_be,
        c.ident(m.national_id), choice(codes[7], m.health), choice(codes[8], m.education), choice(codes[9], m.occupation),
        m.monthly_income, choice(codes[11], m.welfare),
    ]


def _problem_row(p: Any, c: _Cells) -> list[Cell]:
    """A problem with its current status and how it was helped."""
    labels = c.labels
    return [
        p.id, p.household_id, labels.dimension(p.dimension), p.code, labels.problems.get(p.code, ""), p.member_no, p.detail, p.status,
        c.status(p.status), p.found_round, p.partners, p.help_kinds, p.agency,
        c.be(p.help_date), p.help_date, p.note, c.be(p.status_changed_at), c.iso(p.status_changed_at),
    ]


def _change_row(h: Any, c: _Cells) -> list[Cell]:
    """One change of a problem's status."""
    return [
        h.problem_id, h.household_id, h.code, h.old_status, h.new_status, c.status(h.new_status), c.words(L.CHANGE_WORDS, h.via), h.round_name,
        h.changed_by_name, c.be(h.changed_at), c.iso(h.changed_at),
    ]


def _rexray_row(h: Any, problems: list, c: _Cells) -> list[Cell]:  # type: ignore[type-arg]
    """A household's Re-X-ray: whether it was found, when, and how many of its problems were checked and solved."""
    checked = sum(p.status != ProblemStatus.FOUND for p in problems)
    solved = sum(p.status in SOLVED for p in problems)
    return [
        h.id, h.house_no, h.community_name, h.round_name, c.words(L.REXRAY_WORDS, h.rexray_status), c.words(L.PRESENCE_WORDS, h.presence),
        c.be(h.rexray_at), c.iso(h.rexray_at), len(problems), checked if h.rexray_status != RexrayStatus.PENDING else 0, solved,
        c.words(L.APPROVAL_WORDS, h.approval),
    ]

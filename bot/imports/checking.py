"""Every row of a round file checked and grouped into households; what is wrong listed by row, in English and Thai."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from bot.dialogs.answers import AnswerError, digits_only, national_id_valid, parse_date, parse_phone
from bot.dialogs.form_model import Form
from bot.i18n import N_, _
from bot.imports.layout import REQUIRED_COLUMNS, Col
from bot.imports.reading import Row
from storage.round_import import HouseholdRecord, ProblemRecord
from storage.statuses import HelpKind, PartnerNetwork, ProblemStatus



@dataclass(frozen=True)
class RowError:
    """One thing wrong in the file: its row (0: the file as a whole) and a message id with parameters."""

    row: int
    message: str
    params: dict[str, object] = field(default_factory=dict)

    def english(self) -> str:
        """The message in English (the id itself)."""
        return self.message.format(row=self.row, **self.params)

    def thai(self) -> str:
        """The message in Thai."""
        return _(self.message, row=self.row, **self.params)


class _Bad(Exception):
    """A row's first error (a row is reported once, at its first problem)."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message, self.params = message, params


@dataclass
class Checked:
    """The households the good rows make, what is wrong, and which rows were left out."""

    households: list[HouseholdRecord]
    errors: list[RowError]
    rows_read: int


@dataclass(frozen=True)
class Area:
    """What a row is checked against: the municipality's communities and volunteers, the form's problems."""

    communities: dict[str, int]
    volunteers_by_name: dict[str, int]
    volunteer_ids: frozenset[int]
    problem_dimensions: dict[str, str]
    today: date


def problem_dimensions(form: Form) -> dict[str, str]:
    """Every problem code of the household form with its dimension (the section of its checklist)."""
    return {
        choice.code: form.section_of(question.code).id
        for question in form.questions()
        if question.problems
        for choice in question.choices
        if choice.code != question.none
    }


def check_rows(header: list[str], rows: list[Row], area: Area, progress: Callable[[int], None] = lambda _n: None) -> Checked:
    """Check every row and group the good ones into households, in file order."""
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return Checked([], [RowError(1, N_("Row {row}: the file has no column {column}."), {"column": column}) for column in missing], len(rows))
    errors: list[RowError] = []
    households: dict[tuple[str, ...], HouseholdRecord] = {}
    for number, cells in rows:
        try:
            record, problem = _household(number, cells, area), _problem(cells, area)
            key = _key(record)
            household = households.setdefault(key, record)
            if problem is not None:
                if any(p.code == problem.code for p in household.problems):
                    raise _Bad(N_("Row {row}: problem {code} is listed twice for this household."), code=problem.code)
                household.problems.append(problem)
        except _Bad as bad:
            errors.append(RowError(number, bad.message, bad.params))
        progress(1)
    return Checked(list(households.values()), errors, len(rows))


def _key(record: HouseholdRecord) -> tuple[str, ...]:
    """What makes rows one household within the file: house code, else head's ID, else community and house number."""
    if record.house_code:
        return ("by_code", record.house_code)
    if record.head_national_id:
        return ("by_id", record.head_national_id)
    return ("by_house", str(record.community_id), record.house_no)


def _household(number: int, cells: dict[str, str], area: Area) -> HouseholdRecord:
    """The household columns of a row, checked."""
    house_no = cells.get(Col.HOUSE_NO, "")
    if not house_no:
        raise _Bad(N_("Row {row}: the house number is missing."))
    community = cells.get(Col.COMMUNITY, "")
    if community not in area.communities:
        raise _Bad(N_("Row {row}: \"{community}\" is not a community of this municipality."), community=community)
    house_code = digits_only(cells.get(Col.HOUSE_CODE, "")) or None
    if house_code is not None and (len(house_code) != 11 or not house_code.isdigit()):
        raise _Bad(N_("Row {row}: a house code has 11 digits."))
    national_id = digits_only(cells.get(Col.HEAD_NATIONAL_ID, "")) or None
    if national_id is not None and not national_id_valid(national_id):
        raise _Bad(N_("Row {row}: the head's national ID is not valid (13 digits, the last one a check digit)."))
    return HouseholdRecord(
        order=number, community_id=area.communities[community], house_no=house_no[:64], house_code=house_code, head_national_id=national_id,
        moo=_integer(cells, Col.MOO, 0, 99), head_name=cells.get(Col.HEAD_NAME) or None, phone=_phone(cells.get(Col.PHONE, "")),
        member_count=_integer(cells, Col.MEMBER_COUNT, 0, 30), survey_date=_date(cells, Col.SURVEY_DATE, area.today), volunteer_id=_volunteer(cells, area),
    )


def _problem(cells: dict[str, str], area: Area) -> ProblemRecord | None:
    """The problem columns of a row, checked (None: a household recorded without problems)."""
    code = cells.get(Col.PROBLEM_CODE, "").upper()
    if not code:
        return None
    if code not in area.problem_dimensions:
        raise _Bad(N_("Row {row}: \"{code}\" is not a problem code of the form."), code=code)
    status = cells.get(Col.STATUS, "") or None
    if status is not None and status not in ProblemStatus.__members__.values():
        raise _Bad(N_("Row {row}: \"{status}\" is not a problem status; use one of {allowed}."), status=status, allowed=", ".join(ProblemStatus))
    return ProblemRecord(
        code=code, dimension=area.problem_dimensions[code], member_no=_integer(cells, Col.MEMBER_NO, 1, 30), detail=cells.get(Col.DETAIL) or None, status=status,
        partners=_codes(cells, Col.PARTNERS, PartnerNetwork), help_kinds=_codes(cells, Col.HELP_KINDS, HelpKind), agency=cells.get(Col.AGENCY) or None,
        help_date=_date(cells, Col.HELP_DATE, area.today), note=cells.get(Col.NOTE) or None,
    )


def _integer(cells: dict[str, str], column: str, low: int, high: int) -> int | None:
    """A whole number in a range, or None for an empty cell."""
    text = digits_only(cells.get(column, ""))
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        raise _Bad(N_("Row {row}: {column} must be a whole number from {low} to {high}."), column=column, low=low, high=high)
    return int(text)


def _date(cells: dict[str, str], column: str, today: date) -> date | None:
    """A date in ISO (2022-05-31) or the Buddhist Era (31/5/2565), or None for an empty cell."""
    text = cells.get(column, "")
    if not text:
        return None
    try:
        return parse_date(text, today)
    except AnswerError:
        raise _Bad(N_("Row {row}: \"{value}\" in {column} is not a date; write 2022-05-31 or 31/5/2565."), value=text, column=column) from None


def _phone(text: str) -> str | None:
    """A phone number, or None for an empty cell."""
    if not text:
        return None
    if text.isdigit() and not text.startswith("0") and len(text) in (8, 9):
        # Excel keeps a typed 0812345678 as the number 812345678: the leading zero comes back.
        text = "0" + text
    try:
        return parse_phone(text)
    except AnswerError:
        raise _Bad(N_("Row {row}: the phone number is not valid.")) from None


def _codes(cells: dict[str, str], column: str, allowed: type) -> str | None:
    """Space-separated codes of an enum (partner networks, kinds of help), or None."""
    codes = cells.get(column, "").split()
    for code in codes:
        if code not in allowed.__members__.values():
            raise _Bad(N_("Row {row}: \"{value}\" is not a code of {column}; use {allowed}."), value=code, column=column, allowed=" ".join(allowed))
    return " ".join(codes) or None


def _volunteer(cells: dict[str, str], area: Area) -> int | None:
    """The volunteer the file assigns (person id or full name), or None to assign in turn."""
    given = cells.get(Col.VOLUNTEER, "")
    if not given:
        return None
    if given.isdigit() and int(given) in area.volunteer_ids:
        return int(given)
    if given in area.volunteers_by_name:
        return area.volunteers_by_name[given]
    raise _Bad(N_("Row {row}: no active volunteer \"{volunteer}\" in this municipality."), volunteer=given)

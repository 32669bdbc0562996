"""The export's sheets and columns: each column's code and the English id of its Thai header (README "Export").

A schema, like bot/imports/layout.py: column codes match household columns and the form's
question codes by design (thaiqm-form.md), so the form-code scan leaves this module alone.
The first sheet is exactly the layout `import-round` reads (bot.imports.layout.COLUMNS, in
that order); columns after them are for people and are ignored by the import.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_, _
from bot.imports.layout import COLUMNS, Col
from storage.statuses import ApprovalStatus, HouseholdOrigin, HouseholdPresence, ProblemChange, ProblemStatus, RexrayStatus


@dataclass(frozen=True)
class Column:
    """A column: its code (what import-round and scripts read) and its header's message id."""

    code: str
    title: str

    def header(self) -> str:
        """The Thai header with the code beside it: บ้านเลขที่ (house_no)."""
        return f"{_(self.title)} ({self.code})"


@dataclass(frozen=True)
class SheetLayout:
    """A sheet: its file name for CSV, its title (the XLSX tab) and columns."""

    name: str
    title: str
    columns: tuple[Column, ...]

    def headers(self) -> list[str]:
        """The header row."""
        return [column.header() for column in self.columns]


ROUND_TITLES = {
    Col.HOUSE_CODE: N_("House code (11 digits)"), Col.HOUSE_NO: N_("House number"), Col.MOO: N_("Village no."), Col.COMMUNITY: N_("Community name"),
    Col.HEAD_NAME: N_("Head of household"), Col.HEAD_NATIONAL_ID: N_("Head's national ID"), Col.PHONE: N_("Contact phone"),
    Col.MEMBER_COUNT: N_("Members living there"), Col.SURVEY_DATE: N_("Survey date"), Col.VOLUNTEER: N_("Volunteer"),
    Col.PROBLEM_CODE: N_("Problem code"), Col.MEMBER_NO: N_("Member no."), Col.DETAIL: N_("Detail"), Col.STATUS: N_("Status"),
    Col.PARTNERS: N_("Partner networks"), Col.HELP_KINDS: N_("Kinds of help"), Col.AGENCY: N_("Agency that helped"),
    Col.HELP_DATE: N_("Date helped"), Col.NOTE: N_("Analysis or next step"),
}

HOUSEHOLD_ID = Column("household_id", N_("Record no."))
PROBLEM_ID = Column("problem_id", N_("Problem record no."))
SURVEY_DATE_ISO = Column("survey_date_iso", N_("Survey date (ISO)"))
HELP_DATE_ISO = Column("help_date_iso", N_("Date helped (ISO)"))
PROBLEM_NAME = Column("problem", N_("Problem"))
STATUS_NAME = Column("status_name", N_("Status (in words)"))
DIMENSION = Column("dimension", N_("Dimension"))
ROUND = Column("round", N_("Round"))
APPROVAL = Column("approval", N_("Approval"))

ROUND_SHEET = SheetLayout(
    "round", N_("Households and problems"),
    tuple(Column(code, ROUND_TITLES[code]) for code in COLUMNS) + (HOUSEHOLD_ID, SURVEY_DATE_ISO, HELP_DATE_ISO, DIMENSION, PROBLEM_NAME, STATUS_NAME, ROUND, APPROVAL),
)

HOUSEHOLDS_SHEET = SheetLayout("households", N_("Households"), (
    HOUSEHOLD_ID, Column("receipt_no", N_("Receipt number")), ROUND, Column("tambon_code", N_("Tambon code")),
    *(Column(code, ROUND_TITLES[code]) for code in (Col.COMMUNITY, Col.MOO, Col.HOUSE_CODE, Col.HOUSE_NO, Col.HEAD_NAME, Col.HEAD_NATIONAL_ID, Col.PHONE, Col.MEMBER_COUNT, Col.SURVEY_DATE)),
    SURVEY_DATE_ISO, Column(Col.VOLUNTEER, ROUND_TITLES[Col.VOLUNTEER]), Column("respondent", N_("Respondent")),
    Column("latitude", N_("Latitude")), Column("longitude", N_("Longitude")), Column("needs", N_("Needs of the household")), Column("note", N_("Surveyor's note")),
    Column("origin", N_("How the record came")), Column("record_status", N_("Record status")), APPROVAL,
    Column("approved_by", N_("Approved or sent back by")), Column("approved_at", N_("Approval date")), Column("approved_at_iso", N_("Approval date (ISO)")),
    Column("sent_back_note", N_("Note sent back")),
))

MEMBERS_SHEET = SheetLayout("members", N_("Household members"), (
    HOUSEHOLD_ID, Column("member_no", N_("Member no.")), Column("m_name", N_("Full name")), Column("m_sex", N_("Sex")),
    Column("m_relation", N_("Relationship to the head")), Column("m_birth_year", N_("Year of birth (B.E.)")), Column("m_national_id", N_("National ID")),
    Column("m_health", N_("Health")), Column("m_education", N_("Highest education")), Column("m_occupation", N_("Main occupation")),
    Column("m_income", N_("Monthly income (baht)")), Column("m_welfare", N_("Welfare received")),
))

PROBLEMS_SHEET = SheetLayout("problems", N_("Problems"), (
    PROBLEM_ID, HOUSEHOLD_ID, DIMENSION, Column(Col.PROBLEM_CODE, ROUND_TITLES[Col.PROBLEM_CODE]), PROBLEM_NAME,
    Column(Col.MEMBER_NO, ROUND_TITLES[Col.MEMBER_NO]), Column(Col.DETAIL, ROUND_TITLES[Col.DETAIL]), Column(Col.STATUS, ROUND_TITLES[Col.STATUS]), STATUS_NAME,
    Column("found_round", N_("Round found")), *(Column(code, ROUND_TITLES[code]) for code in (Col.PARTNERS, Col.HELP_KINDS, Col.AGENCY, Col.HELP_DATE)),
    HELP_DATE_ISO, Column(Col.NOTE, ROUND_TITLES[Col.NOTE]), Column("status_changed_at", N_("Status changed on")), Column("status_changed_at_iso", N_("Status changed on (ISO)")),
))

_CHANGE_COLUMNS = (
    Column("old_status", N_("Status before")), Column("new_status", N_("Status after")), Column("new_status_name", N_("Status after (in words)")),
    Column("via", N_("Changed by way of")), ROUND, Column("changed_by", N_("Changed by")), Column("changed_at", N_("Changed on")), Column("changed_at_iso", N_("Changed on (ISO)")),
)
HISTORY_SHEET = SheetLayout("history", N_("Status history"), (PROBLEM_ID, HOUSEHOLD_ID, Column(Col.PROBLEM_CODE, ROUND_TITLES[Col.PROBLEM_CODE]), *_CHANGE_COLUMNS))
CONFIRMATIONS_SHEET = SheetLayout("confirmations", N_("Household confirmations"), HISTORY_SHEET.columns)

REXRAY_SHEET = SheetLayout("rexray", N_("Re-X-ray results"), (
    HOUSEHOLD_ID, Column(Col.HOUSE_NO, ROUND_TITLES[Col.HOUSE_NO]), Column(Col.COMMUNITY, ROUND_TITLES[Col.COMMUNITY]), ROUND,
    Column("rexray_status", N_("Re-X-ray visit")), Column("presence", N_("Household found")), Column("rexray_at", N_("Visited on")), Column("rexray_at_iso", N_("Visited on (ISO)")),
    Column("problems", N_("Problems recorded")), Column("checked", N_("Problems checked")), Column("resolved", N_("Problems solved")), APPROVAL,
))

SUMMARY_SHEET = SheetLayout("summary", N_("Summary"), (
    Column(Col.COMMUNITY, ROUND_TITLES[Col.COMMUNITY]), Column("target", N_("Households to survey")), Column("surveyed", N_("Households in this file")),
    DIMENSION, Column(Col.STATUS, ROUND_TITLES[Col.STATUS]), STATUS_NAME, Column("problems", N_("Problems")),
))

# The words for the codes the file holds (the codes stay beside them for ThaiQM entry and scripts).
STATUS_WORDS = {
    ProblemStatus.FOUND: N_("found, not yet followed up"), ProblemStatus.HELPED: N_("helped (solved)"), ProblemStatus.SELF_RESOLVED: N_("solved by the household itself"),
    ProblemStatus.IN_PROGRESS: N_("in progress"), ProblemStatus.NOT_RESOLVED: N_("not yet solved"), ProblemStatus.NOT_APPLICABLE: N_("no longer found, or recorded in error"),
}
APPROVAL_WORDS = {ApprovalStatus.AWAITING: N_("awaiting approval"), ApprovalStatus.APPROVED: N_("approved"), ApprovalStatus.SENT_BACK: N_("sent back for correction")}
ORIGIN_WORDS = {
    HouseholdOrigin.SURVEYED: N_("surveyed"), HouseholdOrigin.IMPORTED: N_("earlier round"), HouseholdOrigin.MISSED: N_("missed by the earlier round"),
    HouseholdOrigin.NEW: N_("newly distressed"),
}
PRESENCE_WORDS = {
    HouseholdPresence.PRESENT: N_("still lives there"), HouseholdPresence.MOVED: N_("moved away"), HouseholdPresence.NOT_FOUND: N_("household not found"),
    HouseholdPresence.DECEASED_ALL: N_("nobody lives there any more"),
}
REXRAY_WORDS = {RexrayStatus.PENDING: N_("not yet visited"), RexrayStatus.STARTED: N_("visit started"), RexrayStatus.DONE: N_("visited")}
CHANGE_WORDS = {
    ProblemChange.IMPORT: N_("round file"), ProblemChange.REXRAY: N_("Re-X-ray visit"), ProblemChange.SURVEY: N_("survey"),
    ProblemChange.HOUSEHOLD: N_("the household's confirmation"), ProblemChange.SUPERVISOR: N_("the supervisor"),
}


def words(table: dict[str, str], code: str | None) -> str:
    """A code in words with the code beside it ("approved (approved)" is shortened to the words), or ""."""
    if not code:
        return ""
    return f"{_(table[code])} ({code})" if code in table else code

"""The layout of a round file: its column names (README "An earlier round's file").

A schema, like storage/models.py: its names match household columns and some form codes by
design, so the form-code scan (tests/test_any_form.py) leaves this module alone.
"""

from __future__ import annotations

import re


class Col:
    """The column names a round file has, and an export writes."""

    HOUSE_CODE = "house_code"
    HOUSE_NO = "house_no"
    MOO = "moo"
    COMMUNITY = "community"
    HEAD_NAME = "head_name"
    HEAD_NATIONAL_ID = "head_national_id"
    PHONE = "phone"
    MEMBER_COUNT = "member_count"
    SURVEY_DATE = "survey_date"
    VOLUNTEER = "volunteer"
    PROBLEM_CODE = "problem_code"
    MEMBER_NO = "member_no"
    DETAIL = "detail"
    STATUS = "status"
    PARTNERS = "partners"
    HELP_KINDS = "help_kinds"
    AGENCY = "agency"
    HELP_DATE = "help_date"
    NOTE = "note"


HOUSEHOLD_COLUMNS = (
    Col.HOUSE_CODE, Col.HOUSE_NO, Col.MOO, Col.COMMUNITY, Col.HEAD_NAME, Col.HEAD_NATIONAL_ID, Col.PHONE, Col.MEMBER_COUNT, Col.SURVEY_DATE, Col.VOLUNTEER,
)
PROBLEM_COLUMNS = (Col.PROBLEM_CODE, Col.MEMBER_NO, Col.DETAIL, Col.STATUS, Col.PARTNERS, Col.HELP_KINDS, Col.AGENCY, Col.HELP_DATE, Col.NOTE)
COLUMNS = HOUSEHOLD_COLUMNS + PROBLEM_COLUMNS
REQUIRED_COLUMNS = (Col.HOUSE_NO, Col.COMMUNITY, Col.PROBLEM_CODE)

# An export's header is the Thai name with the code beside it: บ้านเลขที่ (house_no).
CODE_BESIDE = re.compile(r"\(([a-z0-9_]+)\)\s*$")


def column_of(header: str) -> str:
    """The column a header cell names: its code in brackets at the end, else the cell itself (lower-case)."""
    name = header.strip().lower()
    found = CODE_BESIDE.search(name)
    return found[1] if found else name

"""A draft's answers read along with the event's first statement, used by the step instead of a query."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ColumnElement, func, select, type_coerce
from sqlalchemy.orm import Session

from storage.answer_models import SurveyAnswer

ANSWERS = SurveyAnswer.__table__
Key = tuple[str, int]


def answers_aggregate(dialect: str, household_id: ColumnElement[int]) -> ColumnElement[Any]:
    """A column holding the household's answers as one JSON array of [code, member number, value]."""
    if dialect == "postgresql":
        collected = func.json_agg(func.json_build_array(ANSWERS.c.code, ANSWERS.c.member_no, ANSWERS.c.value))
    else:
        collected = func.json_group_array(func.json_array(ANSWERS.c.code, ANSWERS.c.member_no, ANSWERS.c.value))
    return type_coerce(select(collected).where(ANSWERS.c.household_id == household_id).scalar_subquery(), JSON)


def remember_answers(session: Session, household_id: int, aggregated: list[list[Any]] | None) -> None:
    """Keep a household's answers read with answers_aggregate for this transaction's next answer_rows."""
    session.info[_REMEMBERED] = (household_id, aggregated or ())


def take_remembered(session: Session, household_id: int) -> dict[Key, str | None] | None:
    """The remembered answers of the household, once, unless answers were written since they were read.

    Opened only here, as the query would: an answer that no longer opens (a key removed too
    early) fails the survey step that reads it, not every event of its volunteer.
    """
    remembered = session.info.pop(_REMEMBERED, None)
    # Objects not yet flushed (a deleted household's cascade) may change them too.
    if remembered is None or remembered[0] != household_id or session.new or session.deleted:
        return None
    opened = ANSWERS.c.value.type
    return {(code, member_no): opened.process_result_value(value, None) for code, member_no, value in remembered[1]}


def forget_remembered(session: Session) -> None:
    """Drop the remembered answers: every statement that writes answers calls this first."""
    session.info.pop(_REMEMBERED, None)


_REMEMBERED = "remembered_answers"

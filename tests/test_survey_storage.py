"""Survey storage: answers are rows, members and problems follow them, nothing stale is left."""

from __future__ import annotations

import ast
import re
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bot.dialogs.form import current_form
from bot.handlers.survey_records import records_for
from storage import surveys
from storage.people import person_and_conversation
from storage.models import AnswerChange, Household, HouseholdMember, HouseholdProblem, Person, SurveyAnswer
from tests.support.survey import make_volunteer

NOW = datetime(2024, 1, 15, 3, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parent.parent


def draft(session: Session, db_engine) -> tuple[Household, Person]:  # type: ignore[no-untyped-def]
    ids = make_volunteer(db_engine, "U" + "a" * 32)
    person = session.get(Person, ids["person_id"])
    return surveys.create_household(session, person, "thaiqm-2566", "1", "2566", NOW), person


def write(session, household, person, key, value):  # type: ignore[no-untyped-def]
    """Store an answer with the projection the form declares for it, as the survey handler does."""
    rows = surveys.answer_rows(session, household.id)
    projection = records_for(current_form()).projections.get(key[0])
    surveys.write_answer(session, household, rows, key, value, person_id=person.id, now=NOW, projection=projection)
    session.flush()


def test_fewer_members_removes_their_rows_and_answers(db_engine):
    with Session(db_engine) as session, session.begin():
        household, person = draft(session, db_engine)
        write(session, household, person, ("member_count", 0), "3")
        for member in (1, 2, 3):
            write(session, household, person, ("m_name", member), f"คนที่ {member}")
        write(session, household, person, ("m_income", 3), "1000")
        write(session, household, person, ("member_count", 0), "2")
        names = session.scalars(select(HouseholdMember.full_name).order_by(HouseholdMember.member_no)).all()
        assert names == ["คนที่ 1", "คนที่ 2"]
        assert sorted(surveys.answer_rows(session, household.id)) == [("m_name", 1), ("m_name", 2), ("member_count", 0)]
        assert household.member_count == 2


def test_problems_follow_the_checklist_and_unticked_follow_ups_go(db_engine):
    with Session(db_engine) as session, session.begin():
        household, person = draft(session, db_engine)
        write(session, household, person, ("H", 0), "H1 H3")
        write(session, household, person, ("H1.member", 0), "2")
        write(session, household, person, ("H1.detail", 0), "ติดเตียง")
        write(session, household, person, ("H3.member", 0), "household")
        problems = {p.code: (p.member_no, p.detail, p.dimension, p.status) for p in session.scalars(select(HouseholdProblem))}
        assert problems == {"H1": (2, "ติดเตียง", "health", "found"), "H3": (None, None, "health", "found")}
        write(session, household, person, ("H1.member", 0), "3 1")  # several members: the row keeps the first given
        assert session.scalars(select(HouseholdProblem.member_no).where(HouseholdProblem.code == "H1")).one() == 3
        write(session, household, person, ("H", 0), "H3")
        assert [p.code for p in session.scalars(select(HouseholdProblem))] == ["H3"]
        assert ("H1.member", 0) not in surveys.answer_rows(session, household.id)
        write(session, household, person, ("H", 0), "none")
        assert session.scalars(select(HouseholdProblem)).all() == []


def test_changes_are_recorded_only_after_submission(db_engine):
    with Session(db_engine) as session, session.begin():
        household, person = draft(session, db_engine)
        write(session, household, person, ("house_no", 0), "1/1")
        write(session, household, person, ("house_no", 0), "1/2")
        assert session.scalars(select(AnswerChange)).all() == []
        assert surveys.submit(household, NOW) == f"QM-2566-{household.id:06d}"
        write(session, household, person, ("house_no", 0), "1/3")
        write(session, household, person, ("house_no", 0), "1/3")  # the same value again is no change
        (change,) = session.scalars(select(AnswerChange)).all()
        assert (change.old_value, change.new_value, change.changed_by) == ("1/2", "1/3", person.id)
        when = change.changed_at
        assert (when if when.tzinfo else when.replace(tzinfo=timezone.utc)) == NOW  # SQLite keeps no zone
        (row,) = session.scalars(select(SurveyAnswer)).all()
        assert row.value == "1/3"


def test_a_problem_checked_since_is_closed_not_deleted_when_unticked_and_found_again_when_ticked(db_engine):
    from storage.problems import history_of, set_status
    from storage.statuses import ProblemChange

    with Session(db_engine) as session, session.begin():
        household, person = draft(session, db_engine)
        write(session, household, person, ("H", 0), "H1")
        problem = session.scalars(select(HouseholdProblem)).one()
        set_status(session, problem, "helped", ProblemChange.REXRAY, NOW, by=person.id)  # helped since, maybe confirmed
        write(session, household, person, ("H", 0), "")
        assert session.scalars(select(HouseholdProblem.status)).all() == ["not_applicable"]  # its history stays
        write(session, household, person, ("H", 0), "H1")
        assert session.scalars(select(HouseholdProblem.status)).all() == ["found"]
        assert [(h.old_status, h.new_status) for h in history_of(session, problem.id)][-2:] == [("helped", "not_applicable"), ("not_applicable", "found")]


def test_answers_read_with_the_person_serve_one_answer_rows_and_never_after_a_write(db_engine):
    """The step's first read brings the draft's answers: used once instead of a query, never once stale."""
    with Session(db_engine) as session, session.begin():
        household, person = draft(session, db_engine)
        write(session, household, person, ("member_count", 0), "3")
        surveys.write_answer(session, household, {}, ("head_id", 0), "1101700203451", person_id=person.id, now=NOW, sensitive=True)
        surveys.set_active(session, person.id, household.id, NOW)
        household_id, line_user_pk = household.id, person.line_user_id
    stored = {("member_count", 0): "3", ("head_id", 0): "1101700203451"}
    statements: list[str] = []

    def seen(conn, cursor, statement, *rest):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db_engine, "before_cursor_execute", seen)
    try:
        with Session(db_engine) as session, session.begin():
            _person, _conversation, in_hand = person_and_conversation(session, line_user_pk)
            assert in_hand is not None and in_hand.id == household_id
            statements.clear()
            assert surveys.answer_rows(session, household_id) == stored  # the sealed ID comes back opened
            assert statements == []  # no query: the answers came with the person
            assert surveys.answer_rows(session, household_id) == stored  # once only: now read again
            assert len(statements) == 1
        with Session(db_engine) as session, session.begin():
            _person, _conversation, in_hand = person_and_conversation(session, line_user_pk)
            surveys.write_answer(session, in_hand, {("member_count", 0): "3"}, ("member_count", 0), "4", person_id=None, now=NOW)
            assert surveys.answer_rows(session, household_id) == {**stored, ("member_count", 0): "4"}  # read again, not remembered
    finally:
        event.remove(db_engine, "before_cursor_execute", seen)


def test_every_statement_writing_answers_forgets_the_remembered_ones():
    """A function that writes survey_answers drops the answers remembered with the person first (else a step reads stale ones)."""
    writes = re.compile(
        r"(delete|update|insert)\((ANSWERS|SurveyAnswer)\b|_UPDATE_ANSWER|_INSERT_ANSWER|SurveyAnswer\.__table__\.(delete|update|insert)"
        r"|(DELETE\s+FROM|UPDATE|INSERT\s+INTO)\s+survey_answers",
        re.IGNORECASE,
    )
    writers = []
    for folder in ("storage", "bot"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in (node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))):
                source = ast.unparse(function)
                if writes.search(source):
                    writers.append((path.name, function.name, "forget_remembered(" in source))
    assert len(writers) >= 5  # write_answer, _forget, keep_only_refusal, forget.py, drafts.py
    assert [writer for writer in writers if not writer[2]] == []

"""What a Re-X-ray visit shows of the earlier round and what it records when verified.

The form says which answer goes where (`record:` on a question): the household's presence, and
for each earlier problem its status, partner networks, kinds of help, agency, date and note.
Problem checklists of the form are the new problems. Only the answers of questions that were
asked count (a status changed from "helped" leaves its partners unasked, so not recorded).
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.dialogs.cursor import DETAIL, HOUSEHOLD, MEMBER
from bot.dialogs.engine import Engine
from bot.dialogs.form import Form, Question, forms
from bot.dialogs.inputs import Env
from bot.dialogs.prompts import Msg
from bot.handlers.survey_view import tr
from bot.i18n import N_
from storage import rexray, surveys
from storage.models import Household, HouseholdProblem
from storage.statuses import HouseholdPresence, ProblemStatus

# The list the Re-X-ray form repeats its problem questions over (`over:`).
EARLIER = "earlier_problems"
# Where the household's answer to "still there?" is recorded; the rest are a problem check's fields.
PRESENCE, STATUS = "presence", "status"


def earlier_problems(session: Session, earlier: Household, visit_round: str) -> list[HouseholdProblem]:
    """The household's problems recorded before this visit's round: what the visit goes through, in order."""
    return [p for p in rexray.earlier_problems(session, earlier.id) if p.found_round != visit_round]


def found_this_round(session: Session, earlier: Household, visit_round: str) -> list[HouseholdProblem]:
    """New problems an earlier visit of this round added to the household, still standing (a visit after a send-back shows them ticked)."""
    return [p for p in rexray.earlier_problems(session, earlier.id) if p.found_round == visit_round and p.status != ProblemStatus.NOT_APPLICABLE]


def new_problem_answers(form: Form, problems: list[HouseholdProblem]) -> list[tuple[tuple[str, int], str]]:
    """New problems already recorded this round as the answers of the form's checklists (ticked, with their details):
    the volunteer correcting a visit sees them and may untick one ticked by mistake."""
    answers: list[tuple[tuple[str, int], str]] = []
    for question in form.questions():
        mine = [p for p in problems if question.problems and question.choice(p.code) is not None]
        if mine:
            answers.append(((question.code, 0), " ".join(p.code for p in mine)))
            answers += [((p.code + DETAIL, 0), p.detail) for p in mine if p.detail]
    return answers


def earlier_items(session: Session, form: Form, earlier: Household, visit_round: str) -> tuple[dict[str, Any], ...]:
    """The household's problems recorded before this visit's round, as the form's list items (labels, never codes)."""
    return tuple(_item(form, earlier, problem) for problem in earlier_problems(session, earlier, visit_round))


def earlier_answers(form: Form, problems: list[HouseholdProblem]) -> list[tuple[tuple[str, int], str]]:
    """What an earlier check recorded of each problem (a status, networks, help, note: from a file or a former visit),
    as the answers of its questions: the visit shows them as the current answer, kept with one tap where unchanged."""
    section = next((s for s in form.sections if s.over == EARLIER), None)
    answers: list[tuple[tuple[str, int], str]] = []
    for number, problem in enumerate(problems, start=1):
        if section is None or problem.status == ProblemStatus.FOUND:
            continue  # never checked: nothing to offer
        for question in section.questions:
            value = _as_answer(question, getattr(problem, question.record, None)) if question.record and question.record != PRESENCE else None
            if value is not None:
                answers.append(((question.code, number), value))
    return answers


def _as_answer(question: Question, value: Any) -> str | None:
    """A recorded field as its question's stored answer (only codes the question offers; dates in ISO)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if question.type == "checklist":
        given = set(str(value).split())
        return " ".join(c.code for c in question.choices if c.code in given) or None
    if question.type == "choice":
        return str(value) if question.choice(str(value)) is not None else None
    return str(value)


def _item(form: Form, earlier: Household, problem: HouseholdProblem) -> dict[str, Any]:
    """One problem as the form's labels show it: what, which dimension, whom, the recorded detail."""
    return {
        "label": _problem_label(form, problem.code),
        "dimension": _dimension_title(form, problem.dimension),
        "member": _whom(earlier, problem.member_no),
        "detail": problem.detail or "-",
        "round": earlier.round_name,
    }


def _problem_label(form: Form, code: str) -> Msg | str:
    """A problem's label from a form's problem checklists (the visit's own first); "-" if no form knows it."""
    for candidate in (form, *forms().values()):
        for question in candidate.questions():
            choice = question.choice(code) if question.problems else None
            if choice is not None:
                return Msg(choice.label)
    return "-"


def _dimension_title(form: Form, dimension: str) -> Msg | str:
    """A dimension's title as the household survey names its section ("Problems: health")."""
    for candidate in sorted(forms().values(), key=lambda f: f.purpose != "survey"):
        section = next((s for s in candidate.sections if s.id == dimension and any(q.problems for q in s.questions)), None)
        if section is not None:
            return Msg(section.title)
    return "-"


def _whom(earlier: Household, member_no: int | None) -> Msg | str:
    """Whom a problem concerns: the whole household, the head by name, or a member by number."""
    if member_no is None:
        return Msg(N_("Whole household"))
    if member_no == 1 and earlier.head_name:
        return earlier.head_name
    return Msg(N_("Member {number}"), {"number": member_no})


def record(session: Session, engine: Engine, answers: dict, env: Env, earlier: Household, revisit: Household, by: int, now: datetime) -> str | None:
    """Record a verified visit on the household; the Thai name of its presence when it is gone (None: still there)."""
    form = engine.form
    asked = {engine.key(engine.first.at(slot)) for slot in engine.walk(answers, env)}
    recorded = {q.record: q for q in form.questions() if q.record}
    presence_question = recorded.get(PRESENCE)
    presence = HouseholdPresence(_given(presence_question, 0, answers, asked)) if presence_question is not None else HouseholdPresence.PRESENT
    if presence == HouseholdPresence.PRESENT:
        _checks(session, form, answers, asked, earlier, revisit, by, now)
        _new_problems(session, engine, answers, asked, earlier, by, now, revisit.round_name)
    rexray.finish_visit(earlier, presence, now)
    rexray.finish_revisit(revisit, now, surveys.receipt_number(revisit))
    if presence == HouseholdPresence.PRESENT:
        return None
    choice = presence_question.choice(presence.value) if presence_question is not None else None
    return tr(Msg(choice.label)) if choice is not None else presence.value


def _checks(session: Session, form: Form, answers: dict, asked: set, earlier: Household, revisit: Household, by: int, now: datetime) -> None:
    """Each earlier problem's check, from the questions its repetition asked."""
    section = next((s for s in form.sections if s.over == EARLIER), None)
    if section is None:
        return
    for number, problem in enumerate(earlier_problems(session, earlier, revisit.round_name), start=1):
        fields = {q.record: _typed(q, _given(q, number, answers, asked)) for q in section.questions if q.record and q.record != PRESENCE}
        status = fields.pop(STATUS, None)
        if status is None:
            continue  # not answered (the list grew after the visit began): left as it stands
        check = rexray.ProblemCheck(ProblemStatus(status), **{name: value for name, value in fields.items() if value is not None})
        rexray.record_check(session, problem, check, by, now, revisit.round_name)


def _new_problems(session: Session, engine: Engine, answers: dict, asked: set, earlier: Household, by: int, now: datetime, round_name: str) -> None:
    """The problems ticked in the form's problem checklists, added to the household as found this round; those an
    earlier visit of the round added and this one no longer ticks (a tick taken back) are closed, with their history."""
    offered: set[str] = set()
    ticked: set[str] = set()
    for question in engine.form.questions():
        if not question.problems or (question.code, 0) not in asked:
            continue
        dimension = engine.form.section_of(question.code).id
        offered |= {choice.code for choice in question.choices}
        for code in engine.ticked(answers, question.code):
            ticked.add(code)
            whom = (answers.get((code + MEMBER, 0)) or "").split()
            member_no = int(whom[0]) if whom and whom[0] != HOUSEHOLD and whom[0].isdigit() else None
            found = rexray.NewProblem(code, dimension, member_no, answers.get((code + DETAIL, 0)))
            rexray.add_new_problem(session, earlier, found, by, now, round_name)
    for problem in found_this_round(session, earlier, round_name):
        if problem.code in offered and problem.code not in ticked:
            rexray.withdraw_new_problem(session, problem, by, now, round_name)


def _given(question: Question | None, number: int, answers: dict, asked: set) -> str | None:
    """An answer of a question that was asked (None when it was skipped or not asked)."""
    if question is None:
        return None
    key = (question.code, number if question.repeated else 0)
    return answers.get(key) if key in asked else None


def _typed(question: Question, value: str | None) -> Any:
    """An answer as the field it is recorded in takes it: codes ticked (without the "none" choice), a date, a text."""
    if value is None:
        return None
    if question.type == "checklist":
        return tuple(code for code in value.split() if code != question.none)
    if question.type == "date":
        return dt.date.fromisoformat(value)
    return value

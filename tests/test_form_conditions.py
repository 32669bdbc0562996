"""Conditions over answers in a form: relevance of sections and questions, required-if, `record:` and `whom:` (the Re-X-ray form's needs)."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest

from bot.dialogs.diagram import diagram_path, mermaid
from bot.dialogs.engine import REVIEW, Cursor, Engine
from bot.dialogs.form import FormError, forms, parse_form
from bot.dialogs.inputs import Env, Input
from bot.dialogs.prompts import Msg
from bot.i18n import _

TODAY = dt.date(2026, 11, 28)
RAW = {
    "id": "conditions", "version": "1", "round": "2566", "title": "T", "purpose": "rexray",
    "sections": [
        {"id": "start", "title": "S", "questions": [
            {"code": "here", "type": "choice", "label": "Here?", "record": "presence", "choices": [{"code": "yes", "label": "Y"}, {"code": "no", "label": "N"}]},
        ]},
        {"id": "items", "title": "I", "over": "things", "relevant": "here == 'yes'", "questions": [
            {"code": "state", "type": "choice", "label": "State of {item.label}?", "record": "status", "choices": [{"code": "ok", "label": "OK"}, {"code": "bad", "label": "Bad"}]},
            {"code": "how", "type": "text", "label": "How?", "relevant": "state == 'ok'", "required": False},
            {"code": "why", "type": "text", "label": "Why?", "required": "state == 'bad'", "required_message": "Say why it is bad."},
        ]},
        {"id": "health", "title": "H", "relevant": "here == 'yes'", "questions": [
            {"code": "P", "type": "checklist", "label": "P?", "problems": True, "whom": "household", "none": "nil",
             "choices": [{"code": "P1", "label": "P one"}, {"code": "nil", "label": "None"}]},
        ]},
    ],
}


class Walk:
    """Drives an engine as the chat does, keeping the writes."""

    def __init__(self, raw: dict, items: int = 2) -> None:
        self.engine = Engine(parse_form(raw, "conditions.yaml"))
        self.env = Env(today=TODAY, translate=_, lists={"things": tuple({"label": f"thing {n}"} for n in range(1, items + 1))})
        self.answers: dict = {}
        self.last = self.engine.start(self.answers, self.env)

    def do(self, kind: str, value: str = "", text: str = ""):  # type: ignore[no-untyped-def]
        self.last = self.engine.step(self.last.cursor, self.answers, Input(kind, value=value, text=text), self.env)
        self.answers.update(dict(self.last.writes))
        return self.last

    @property
    def slot(self) -> str:
        return self.last.cursor.slot

    def controls(self) -> list[str]:
        return [o.action for o in self.last.ask.controls] if self.last.ask else []


def test_a_section_that_does_not_hold_is_passed_and_the_review_follows():
    w = Walk(RAW)
    w.do("option", "no")
    assert w.slot == "review|0|"
    assert [item.slot for section in w.last.review.sections for item in section.items] == ["here|0|"]


def test_a_question_asked_only_when_its_condition_holds_and_a_note_required_only_when_its_does():
    w = Walk(RAW)
    w.do("option", "yes")
    w.do("option", "ok")
    assert w.slot == "how|1|" and "skip" in w.controls()
    w.do("command", "skip")
    assert w.slot == "why|1|" and "skip" in w.controls()  # optional while the state is ok
    w.do("command", "skip")
    w.do("option", "bad")
    assert w.slot == "why|2|" and "skip" not in w.controls()  # "how" is not asked of a bad one
    refused = w.do("command", "skip")
    assert w.slot == "why|2|" and refused.notes[0] == Msg("Say why it is bad.") and refused.writes == []
    w.do("text", text="broken")
    assert w.slot == "P|0|"


def test_an_answer_changed_on_the_review_asks_what_it_now_requires_and_submit_waits_for_it():
    w = Walk(RAW, items=1)
    for kind, value in (("option", "yes"), ("option", "ok"), ("command", "skip"), ("command", "skip"), ("toggle", "nil")):
        w.do(kind, value)
    assert w.slot == "review|0|"
    w.do("edit", "state|1|")
    w.do("option", "bad")
    assert w.slot == "why|1|"  # skipped while ok, required now
    reviewed = w.do("command", "review")
    assert w.slot == "why|1|" and reviewed.notes == [Msg("Some questions are not answered yet.")]
    # A review reached anyhow with the required note skipped (an older pointer): Submit asks for it.
    at_review = w.engine.step(Cursor(state=REVIEW), w.answers, Input("command", value="submit"), w.env)
    assert at_review.event != "submitted" and at_review.cursor.slot == "why|1|" and at_review.notes == [Msg("Say why it is bad.")]
    w.do("text", text="cracked")
    assert w.slot == "review|0|" and w.do("command", "submit").event == "submitted"


def test_a_problem_of_the_whole_household_is_not_asked_whom_it_concerns():
    w = Walk(RAW, items=0)
    w.do("option", "yes")
    w.do("toggle", "P1")
    w.do("command", "done")
    assert w.slot == "P.detail|0|P1" and w.answers[("P1.member", 0)] == "household"
    w.do("command", "back")
    assert w.slot == "P|0|"


@pytest.mark.parametrize(
    "break_it,message",
    [
        (lambda f: f.update(purpose="census"), "purpose is one of survey, rexray"),
        (lambda f: f["sections"][0]["questions"][0].update(record="colour"), "record is one of"),
        (lambda f: f["sections"][1]["questions"][1].update(record="presence"), "each 'record' field is named by one question"),
        (lambda f: f["sections"][1]["questions"][1].update(required_message="Why?"), "'required_message' goes with a 'required' condition"),
        (lambda f: f["sections"][1]["questions"][1].update(relevant="colour == 'red'"), "names colour"),
        (lambda f: f["sections"][1].update(relevant="here ="), "relevant"),
        (lambda f: f["sections"][0]["questions"][0].update(whom="household"), "'whom' is for problem checklists"),
    ],
)
def test_broken_condition_declarations_fail_with_the_form(break_it, message):
    raw = copy.deepcopy(RAW)
    break_it(raw)
    with pytest.raises(FormError, match=re.escape(message)):
        parse_form(raw, "conditions.yaml")


def test_every_shipped_forms_diagram_is_current():
    for form in forms().values():
        assert diagram_path(form).read_text(encoding="utf-8") == mermaid(Engine(form)), "run: python -m bot.dialogs.diagram"


def test_a_past_window_date_goes_back_ten_years():
    raw = {"id": "dates", "version": "1", "round": "2566", "title": "T", "sections": [{"id": "s", "title": "S", "questions": [
        {"code": "when", "type": "date", "label": "When?", "window": "past"}, {"code": "then", "type": "text", "label": "Then?"}]}]}
    w = Walk(raw)
    refused = w.do("text", text=f"1/1/{TODAY.year + 543 - 11}")
    assert w.slot == "when|0|" and refused.notes[0] == Msg("The date is more than ten years ago. Please check the year (Buddhist Era).")
    assert w.last.ask.dates[1] == (TODAY - dt.timedelta(days=3653)).isoformat()  # the picker's earliest day
    w.do("text", text=f"1/1/{TODAY.year + 543 - 5}")
    assert w.slot == "then|0|" and w.answers[("when", 0)] == f"{TODAY.year - 5}-01-01"

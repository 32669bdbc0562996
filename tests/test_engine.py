"""The dialog engine on its own: no web, no LINE, no database; inputs in, cursor and messages out."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from bot.dialogs import engine as engine_module
from bot.dialogs.diagram import diagram_path, mermaid
from bot.dialogs.engine import Cursor, Engine, engine_for
from bot.dialogs.form import current_form
from bot.dialogs.inputs import Env, Input
from bot.dialogs.prompts import Msg
from bot.i18n import _

TODAY = dt.date(2024, 1, 20)
ENV = Env(today=TODAY, communities=(("7", "ชุมชนวัดใหม่"), ("8", "ชุมชนริมน้ำ")), area={"municipality": "เทศบาลนครขอนแก่น", "tambon": "400101", "amphoe": "4001", "province": "40"}, translate=_)
DIALOGS = Path(engine_module.__file__).parent


def text(value: str) -> Input:
    return Input("text", text=value)


def command(name: str) -> Input:
    return Input("command", value=name)


class Session:
    """Drives the engine like the chat does, storing writes in a dict."""

    def __init__(self) -> None:
        self.engine = engine_for(current_form())
        self.answers: dict = {}
        self.cursor = Cursor()
        self.last = None

    def do(self, given: Input):  # type: ignore[no-untyped-def]
        self.last = self.engine.step(self.cursor, self.answers, given, ENV)
        for key, value in self.last.writes:
            self.answers[key] = value
        self.cursor = self.last.cursor
        return self.last

    def say(self, *values: str) -> None:
        for value in values:
            self.do(text(value))

    def household(self, members: int = 1) -> None:
        """Answer the household part: consent .. location."""
        self.say("ใช่", "1", "15/1/2567", "10030123456", "12/3", "2", "1", "ใช่", "สมชาย ใจดี", "1103701234563", "0812345678", str(members))
        self.do(command("skip"))


def test_engine_imports_neither_flask_nor_line_nor_sqlalchemy():
    for path in DIALOGS.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        for name in names:
            assert not name.startswith(("flask", "linebot", "sqlalchemy", "storage", "bot.handlers")), f"{path.name} imports {name}"


def test_machine_is_built_once_per_form_version():
    form = current_form()
    assert engine_for(form) is engine_for(form)
    assert "m_education" in engine_for(form).states and "H.member" in engine_for(form).states


def test_mermaid_diagram_beside_the_form_is_current():
    form = current_form()
    assert diagram_path(form).read_text(encoding="utf-8") == mermaid(Engine(form)), "run: python -m bot.dialogs.diagram"


def test_refusal_ends_the_survey_without_more_questions():
    s = Session()
    outcome = s.do(text("ไม่ใช่"))
    assert outcome.event == "refused"
    assert s.cursor.state == "refused"
    assert s.answers == {("consent", 0): "no"}


def test_progress_names_the_section_among_the_forms_sections():
    s = Session()
    s.say("ใช่", "1")
    ask = s.last.ask
    assert ask.code == "survey_date" and ask.progress == (2, 9) and ask.within is None
    assert ask.section == "Household information"
    assert ask.dates == ("2024-01-20", "2023-01-19", "2024-01-20")


def test_wrong_answer_explains_gives_example_and_asks_again_then_help_after_three():
    s = Session()
    s.say("ใช่", "1", "15/1/2567")
    outcome = s.do(text("123"))
    assert s.cursor.state == "house_code" and s.cursor.tries == 1
    assert [n.id for n in outcome.notes] == ["A house code has 11 digits; you typed {count}.", "Example: {hint}"]
    assert ("house_code", 0) not in s.answers
    s.say("abc")
    outcome = s.do(text("1"))
    assert outcome.notes[-1].id == "Help: {text}"
    assert "skip" in [o.action for o in outcome.ask.controls]
    s.say("10030123456")
    assert s.answers[("house_code", 0)] == "10030123456" and s.cursor.state == "house_no" and s.cursor.tries == 0


def test_required_question_cannot_be_skipped_optional_can():
    s = Session()
    s.say("ใช่")
    outcome = s.do(command("skip"))
    assert s.cursor.state == "respondent" and "cannot be skipped" in outcome.notes[0].id
    s.say("1", "15/1/2567")
    s.do(command("skip"))
    assert s.answers[("house_code", 0)] is None and s.cursor.state == "house_no"


def test_future_survey_date_refused():
    s = Session()
    s.say("ใช่", "1")
    outcome = s.do(text("21/1/2567"))
    assert outcome.notes[0].id == "The date cannot be in the future."


def test_back_keeps_the_answer_and_keep_moves_on():
    s = Session()
    s.say("ใช่", "1", "15/1/2567")
    s.do(command("back"))
    assert s.cursor.state == "survey_date"
    assert s.last.ask.current == ("15 ม.ค. 2567",)
    s.do(command("keep"))
    assert s.cursor.state == "house_code" and s.answers[("survey_date", 0)] == "2024-01-15"


def test_member_loop_prefills_head_and_asks_by_age():
    s = Session()
    s.household(members=2)
    # member 1: name and relation come from the head; national ID too.
    assert s.cursor.slot == "m_birth_year|1|"
    assert s.answers[("m_name", 1)] == "สมชาย ใจดี"
    s.say("2510", "1")
    assert s.cursor.slot == "m_health|1|" and s.answers[("m_national_id", 1)] == "1103701234563"
    s.say("1", "4", "1", "3,000", "6")
    assert s.cursor.slot == "m_name|2|"
    summary = s.last.notes[0]
    assert summary.params["number"] == 1 and summary.params["age"] == 57
    s.say("เด็กชายก้อง ใจดี", "2", "3")  # "เด็กชาย" says the sex; age 2: no education, occupation, income
    assert s.cursor.slot == "m_national_id|2|" and s.answers[("m_sex", 2)] == "male"
    s.do(command("skip"))
    s.say("1", "3")
    assert s.cursor.state == "H"
    assert ("m_education", 2) not in s.answers
    # back from H returns to member 2's last question
    s.do(command("back"))
    assert s.cursor.slot == "m_welfare|2|"


def test_checklist_toggles_none_and_problem_follow_ups():
    s = Session()
    s.household(members=1)
    s.say("60", "1", "1", "4", "1", "0", "6")
    assert s.cursor.state == "H"
    outcome = s.do(Input("toggle", value="H1"))
    assert [o.ticked for o in outcome.ask.options][:2] == [True, False]
    s.do(Input("toggle", value="H3"))
    s.do(Input("toggle", value="H1"))
    assert s.answers[("H", 0)] == "H3"
    s.do(command("done"))
    assert s.cursor.slot == "H.member|0|H3"
    s.say("1")  # the form asks a problem's detail only on request: offered, not asked
    assert s.cursor.state == "L" and ("H3.detail", 0) not in s.answers
    (offer,) = s.last.options
    assert offer.action == "edit" and offer.label.id == "Add a detail"
    s.do(Input("edit", value=offer.value))
    assert s.cursor.slot == "H.detail|0|H3"
    s.say("ต้องใช้รถเข็น")
    assert s.answers[("H3.member", 0)] == "1" and s.answers[("H3.detail", 0)] == "ต้องใช้รถเข็น"
    assert s.cursor.state == "L" and s.last.ask.code == "L"
    s.do(Input("toggle", value="none"))
    assert s.answers[("L", 0)] == "none" and s.cursor.state == "E"
    outcome = s.do(text("1 3"))  # E3, E5, "none": the other problems concern no 60-year-old
    assert "cannot be chosen together" in outcome.notes[0].id
    s.do(command("done"))
    assert "at least one" in s.last.notes[0].id


def test_stale_button_changes_nothing_and_offers_edit():
    s = Session()
    s.say("ใช่", "1")
    outcome = s.do(Input("option", value="other", slot="respondent|0|"))
    assert outcome.event == "stale" and s.answers[("respondent", 0)] == "head"
    assert outcome.options[0].action == "edit" and outcome.options[0].value == "respondent|0|"
    assert s.cursor.state == "survey_date"


def test_cancel_asks_for_confirmation():
    s = Session()
    s.say("ใช่")
    s.do(command("cancel"))
    assert s.cursor.confirm_cancel and s.last.options[0].action == "cancel_yes"
    s.do(command("cancel_no"))
    assert s.cursor.state == "respondent" and not s.cursor.confirm_cancel
    s.do(command("cancel"))
    outcome = s.do(command("cancel_yes"))
    assert outcome.event == "cancelled" and s.cursor.state == "cancelled"


def full_survey(s: Session) -> None:
    """A whole one-member survey up to the review."""
    s.household(members=1)
    s.say("70", "1", "2", "1", "1", "0", "6")
    for dim in "HLEIA":
        s.do(Input("toggle", value="none"))
    s.say("ต้องการซ่อมบ้าน")
    s.do(command("skip"))


def test_review_lists_sections_and_soft_checks_then_edit_returns_to_review():
    s = Session()
    full_survey(s)
    review = s.last.review
    assert s.cursor.state == "review" and review is not None
    assert [sec.title.id for sec in review.sections] == ["Consent and respondent", "Household information", "Member {number}: {name}"] + [f"Problems: {d}" for d in ("health", "living conditions", "education", "income", "access to state services")] + ["Needs and notes"]
    # Each suggestion names its problem by label (never by code) and leads to its checklist.
    # A 70-year-old, chronically ill, no income, no allowance, and no problem ticked anywhere:
    assert [(m.params["problem"], slot) for m, slot in review.suggestions] == [
        (Msg("Average income below the basic-needs line"), "I|0|"),
        (Msg("An elderly person without the old-age allowance"), "A|0|"),
        (Msg("A chronically ill member without continuing treatment"), "H|0|"),
        (Msg("An elderly person (60 or over) without occupation or income"), "I|0|"),
    ]
    assert not any(code in m.id for m, _slot in review.suggestions for code in ("I1", "A3", "H2", "I3"))
    s.do(Input("edit", value="house_no|0|"))
    assert s.cursor.state == "house_no" and s.cursor.editing
    s.say("99/1")
    assert s.cursor.state == "review" and s.answers[("house_no", 0)] == "99/1"
    outcome = s.do(command("submit"))
    assert outcome.event == "submitted"


def test_editing_member_count_asks_only_the_new_member():
    s = Session()
    full_survey(s)
    s.do(Input("edit", value="member_count|0|"))
    s.say("2")
    assert s.cursor.slot == "m_name|2|"
    s.say("สมศรี ใจดี", "40", "2", "2")
    s.do(command("skip"))
    s.say("1", "2", "2", "1000", "6")
    assert s.cursor.state == "review"


def test_review_command_goes_to_the_first_unanswered_question_or_the_review():
    s = Session()
    s.say("ใช่", "1")
    outcome = s.do(command("review"))
    assert s.cursor.state == "survey_date" and outcome.notes[0].id == "Some questions are not answered yet."
    full = Session()
    full_survey(full)
    full.do(Input("edit", value="house_no|0|"))
    full.do(command("review"))
    assert full.cursor.state == "review" and not full.cursor.editing


def test_follow_up_member_can_be_typed_by_name():
    s = Session()
    s.household(members=1)
    s.say("60", "1", "1", "4", "1", "0", "6", "1")
    assert s.cursor.slot == "H.member|0|H1"
    s.say("สมชาย ใจดี")
    assert s.answers[("H1.member", 0)] == "1"
    s.do(command("back"))
    s.say("ทั้งครัวเรือน")
    assert s.answers[("H1.member", 0)] == "household"


def test_edit_member_walks_that_member_again():
    s = Session()
    full_survey(s)
    outcome = s.engine.edit_member(s.cursor, s.answers, 1, ENV)
    assert outcome.cursor.slot == "m_birth_year|1|" and outcome.cursor.editing
    assert "keep" in [o.action for o in outcome.ask.controls]


def test_soft_checks_for_disabled_member_and_not_when_ticked():
    s = Session()
    s.household(members=1)
    s.say("40", "1", "3", "1", "1", "20,000", "6")  # disabled, no allowance, income above the line
    for _dim in "HLEI":
        s.do(Input("toggle", value="none"))
    s.do(Input("toggle", value="none"))
    s.say("ข้าม")
    s.do(command("skip"))
    problems = [m.params["problem"].id for m, _slot in s.last.review.suggestions]
    assert problems == ["A disabled person without the disability allowance or card", "A disabled member who needs care"]
    s.do(Input("edit", value="A|0|"))
    s.do(Input("toggle", value="A4"))
    s.do(command("done"))
    s.do(command("skip"))
    s.do(command("skip"))
    assert s.cursor.state == "review" and [slot for _m, slot in s.last.review.suggestions] == ["H|0|"]
    s.do(Input("edit", value="H|0|"))
    s.do(Input("toggle", value="H4"))  # a health problem is ticked: H3 is no longer suggested
    s.do(command("done"))
    s.do(command("skip"))
    s.do(command("skip"))
    assert s.cursor.state == "review" and s.last.review.suggestions == ()


def test_picked_date_is_confirmed_in_buddhist_era():
    s = Session()
    s.say("ใช่", "1")
    outcome = s.do(Input("date", value="2024-01-15"))
    assert outcome.notes[0].id == "Recorded: {answer}" and outcome.notes[0].params["answer"].parts == ("15 ม.ค. 2567",)

"""The form's rules in the engine alone: constraints (`.`), choices offered by age, several members per problem."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.dialogs import conditions
from bot.dialogs.checks import offered
from bot.dialogs.engine import engine_for
from bot.dialogs.form import FormError, current_form, parse_form
from bot.dialogs.inputs import Input
from bot.dialogs.prompts import Msg
from bot.handlers.survey_view import tr
from bot.resources import SHIPPED_FORMS_DIR
from tests.test_engine import ENV, Session, command, text

HEAD_ID = "1103701234563"


def test_dot_is_the_answer_being_given_only_outside_quotes():
    rule = conditions.parse("not (member_no > 1 and . == 'a.b .')")
    assert "_this" in rule.names() and conditions.THIS == "_this"
    assert conditions.evaluate(rule, {"member_no": 2, "_this": "a.b ."}.get, lambda f, a: None) is False
    assert conditions.evaluate(rule, {"member_no": 2, "_this": "x"}.get, lambda f, a: None) is True
    for broken in ("m_relation.code", "name(.)(1)", "masked()", "same('x')"):
        with pytest.raises(conditions.ExpressionError):
            conditions.parse(broken)


def form_with(change) -> dict:  # type: ignore[no-untyped-def]
    raw = yaml.safe_load((SHIPPED_FORMS_DIR / "thaiqm-2566.yaml").read_text(encoding="utf-8"))
    change(raw)
    return raw


def question(raw: dict, code: str) -> dict:
    return next(q for s in raw["sections"] for q in s["questions"] if q["code"] == code)


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda f: question(f, "m_relation").pop("constraint_message"), "a 'constraint' needs a 'constraint_message'"),
        (lambda f: question(f, "m_relation").update(constraint=". == spouse_code"), "names spouse_code"),
        (lambda f: question(f, "house_no").update(constraint="age > 1", constraint_message="M"), "names age"),
        (lambda f: f["checks"][0].update(when="same(m_national_id) > 0"), "same() compares with the answer being given"),
        (lambda f: question(f, "E")["choices"][0].update(for_ages=[15, 6]), "'for_ages' is [lowest age, highest age]"),
        (lambda f: question(f, "m_welfare")["choices"][0].update(for_ages=[60]), "'for_ages' needs the form's 'age' and a members section before it"),
    ],
)
def test_broken_rules_fail_with_the_form(change, message):
    with pytest.raises(FormError, match=re.escape(message)):
        parse_form(form_with(change), "thaiqm-2566.yaml")


def test_a_second_head_is_refused_and_nothing_is_stored():
    s = Session()
    s.household(members=2)
    s.say("60", "1", "1", "4", "1", "0", "6", "สมศรี ใจดี", "40", "2")
    assert s.cursor.slot == "m_relation|2|"
    outcome = s.do(Input("option", value="head", slot="m_relation|2|"))
    assert outcome.notes[0] == Msg("Only member 1 is the head of household. Please choose how member {member_no} is related to the head.", {"member_no": 2})
    assert s.cursor.slot == "m_relation|2|" and ("m_relation", 2) not in s.answers and outcome.writes == []
    s.say("2")
    assert s.answers[("m_relation", 2)] == "spouse" and s.answers[("m_relation", 1)] == "head"


def test_a_repeated_id_names_the_member_with_it_masked():
    s = Session()
    s.household(members=2)
    s.say("60", "1", "1", "4", "1", "0", "6", "สมศรี ใจดี", "40", "2", "2")
    assert s.cursor.slot == "m_national_id|2|"
    outcome = s.do(text(HEAD_ID))
    assert tr(outcome.notes[0]) == "เลขประจำตัวประชาชน x-xxxx-xxxxx-56-3 เป็นของสมาชิกคนที่ 1 (สมชาย ใจดี) แล้ว กรุณาตรวจสอบเลขของสมาชิกคนที่ 2 อีกครั้ง หรือกด “ข้าม”"
    assert ("m_national_id", 2) not in s.answers and s.cursor.slot == "m_national_id|2|"
    s.do(command("skip"))  # a skipped ID is not compared
    assert s.answers[("m_national_id", 2)] is None


def test_problem_choices_follow_the_members_ages():
    engine = engine_for(current_form())
    answers = {("survey_date", 0): "2024-01-15", ("member_count", 0): "2", ("m_birth_year", 1): "2527", ("m_birth_year", 2): "2562"}  # 40 and 5
    codes = lambda dimension, given=answers: [c.code for c in offered(engine, engine.form.question(dimension), given, ENV)]  # noqa: E731
    assert codes("E") == ["E2", "E3", "E4", "E5", "none"]
    assert codes("A") == ["A1", "A2", "A4", "A5", "A6", "A7", "none"]
    assert codes("H") == [c.code for c in engine.form.question("H").choices]  # no ages: all
    assert "E1" in codes("E", {**answers, ("E", 0): "E1"})  # ticked before an age was changed: still shown
    assert codes("I", {**answers, ("m_birth_year", 2): "2500"}) == ["I1", "I2", "I3", "I4", "I5", "none"]  # 67: the elderly one too


def test_a_hidden_problem_cannot_be_tapped_or_typed():
    s = Session()
    s.household(members=1)
    s.say("40", "1", "1", "4", "1", "0", "6")
    for _dim in "HL":
        s.do(Input("toggle", value="none"))
    assert s.cursor.state == "E" and [o.value for o in s.last.ask.options] == ["E3", "E4", "E5", "none"]
    outcome = s.do(Input("toggle", value="E1", slot="E|0|"))
    assert outcome.notes and ("E", 0) not in s.answers
    outcome = s.do(text("A child aged 6-15 not in compulsory school or who dropped out"))
    assert outcome.notes and ("E", 0) not in s.answers
    s.say("1 4")  # E3 and "none", numbered as listed
    assert "cannot be chosen together" in s.last.notes[0].id and ("E", 0) not in s.answers
    s.say("2")
    assert s.answers[("E", 0)] == "E4"


def test_a_problem_concerns_one_member_by_a_tap_or_several_by_typed_numbers():
    s = Session()
    s.household(members=2)
    s.say("60", "1", "1", "4", "1", "0", "6", "สมศรี ใจดี", "40", "2", "2")
    s.do(command("skip"))
    s.say("1", "2", "1", "0", "6")
    assert s.cursor.state == "H"
    s.do(Input("toggle", value="H5"))
    s.do(command("done"))
    assert s.cursor.slot == "H.member|0|H5"
    # The whole household first (a long household's last members may not fit the buttons), numbered last.
    assert [(o.action, o.value, o.number) for o in s.last.ask.options] == [("answer", "household", 3), ("answer", "1", 1), ("answer", "2", 2)]
    s.do(Input("option", value="2", slot="H.member|0|H5"))  # one tap answers
    assert s.answers[("H5.member", 0)] == "2" and s.cursor.state == "L"
    assert [o.action for o in s.last.options] == ["edit"]  # the detail is offered, asked only on request
    s.do(command("back"))
    s.do(text("1 2"))  # several members, typed
    assert s.answers[("H5.member", 0)] == "1 2" and s.cursor.state == "L"
    assert s.engine.display("H.member", "1 2", s.answers, ENV) == ("สมชาย ใจดี", "สมศรี ใจดี")
    s.do(command("back"))
    s.do(text("1 3"))  # a member and the whole household
    assert "cannot be chosen together" in s.last.notes[0].id and s.answers[("H5.member", 0)] == "1 2"
    s.do(Input("option", value="household", slot="H.member|0|H5"))
    assert s.answers[("H5.member", 0)] == "household" and s.cursor.state == "L"

"""One engine, any form: a form without consent, a section repeated over a list given at the start, checks declared in the form."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from bot.dialogs import conditions
from bot.dialogs.engine import Engine, engine_for
from bot.dialogs.form import FormError, current_form, forms, load_form, parse_form
from bot.resources import SHIPPED_FORMS_DIR
from bot.dialogs.inputs import Env, Input
from bot.dialogs.prompts import Msg
from bot.handlers.survey_view import tr
from bot.i18n import _
from storage.statuses import HelpKind, HouseholdPresence, PartnerNetwork, ProblemStatus

TODAY = dt.date(2024, 3, 1)
FOLLOWUP = Path(__file__).parent / "forms" / "followup.yaml"
ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = (
    {"code": "H1", "label": Msg("A bedridden member"), "detail": "ติดเตียงสองปี"},
    {"code": "L2", "label": Msg("The house is dilapidated and unsafe"), "detail": "หลังคารั่ว"},
)


class Dialog:
    """Drives an engine like the chat does, storing writes in a dict."""

    def __init__(self, engine: Engine, env: Env) -> None:
        self.engine, self.env = engine, env
        self.answers: dict = {}
        self.last = engine.start(self.answers, env)
        self.cursor = self.last.cursor

    def do(self, given: Input):  # type: ignore[no-untyped-def]
        self.last = self.engine.step(self.cursor, self.answers, given, self.env)
        self.answers.update(dict(self.last.writes))
        self.cursor = self.last.cursor
        return self.last

    def say(self, *values: str) -> None:
        for value in values:
            self.do(Input("text", text=value))

    def command(self, name: str) -> None:
        self.do(Input("command", value=name))


def followup(problems: tuple = PROBLEMS) -> Dialog:
    return Dialog(Engine(load_form(FOLLOWUP)), Env(today=TODAY, translate=_, lists={"problems": problems}))


def test_form_without_consent_starts_at_its_first_question():
    d = followup()
    assert d.engine.form.consent is None
    assert d.cursor.state == "visit_date" and d.last.ask.code == "visit_date" and d.last.ask.progress == (1, 3)
    assert "refused" not in {t["dest"] for t in d.engine.transitions if t["source"] == "visit_date"}


def test_section_repeats_over_the_list_given_at_the_start_with_each_items_fields():
    d = followup()
    d.say("1/3/2567")
    assert d.cursor.slot == "p_status|1|"
    assert tr(d.last.ask.label) == 'Problem H1 "มีผู้ป่วยติดเตียง" (ติดเตียงสองปี): is it solved?'
    d.say("2")
    assert tr(d.last.ask.label) == 'What was done about "มีผู้ป่วยติดเตียง"?'
    d.command("skip")
    assert d.cursor.slot == "p_status|2|" and tr(d.last.ask.label) == 'Problem L2 "บ้านชำรุดทรุดโทรม ไม่ปลอดภัย" (หลังคารั่ว): is it solved?'
    d.say("1")
    d.command("back")
    d.command("back")
    assert d.cursor.slot == "p_note|1|"
    d.command("keep")
    d.command("keep")
    d.say("ซ่อมหลังคาแล้ว")
    assert d.cursor.state == "N"
    d.command("back")
    assert d.cursor.slot == "p_note|2|"
    assert d.answers == {("visit_date", 0): "2024-03-01", ("p_status", 1): "still_open", ("p_note", 1): None, ("p_status", 2): "solved", ("p_note", 2): "ซ่อมหลังคาแล้ว"}


def test_an_empty_list_skips_its_section_both_ways():
    d = followup(problems=())
    d.say("1/3/2567")
    assert d.cursor.state == "N" and d.last.ask.progress == (3, 3)  # the empty section is passed
    d.command("back")
    assert d.cursor.state == "visit_date"


def test_review_titles_each_item_and_the_forms_check_lists_open_items():
    d = followup()
    d.say("1/3/2567", "2")
    d.command("skip")
    d.say("2")
    d.command("skip")
    d.do(Input("toggle", value="nothing"))
    review = d.last.review
    assert d.cursor.state == "review" and review is not None
    assert [tr(section.title) for section in review.sections] == ["Visit", "Earlier problems รายการที่ 1: มีผู้ป่วยติดเตียง", "Earlier problems รายการที่ 2: บ้านชำรุดทรุดโทรม ไม่ปลอดภัย", "New problems"]
    assert review.suggestions == ((Msg("Item {numbers} is still open.", {"numbers": "1, 2"}), "N|0|"),)
    d.do(Input("edit", value="N|0|"))
    d.do(Input("toggle", value="N1"))
    d.command("done")
    d.command("skip")
    d.command("skip")
    assert d.cursor.state == "review" and d.last.review.suggestions == ()


def test_thaiqm_checks_from_the_form_keep_their_texts():
    form = current_form()
    engine = engine_for(form)
    env = Env(today=dt.date(2024, 1, 20), translate=_)
    answers = {("survey_date", 0): "2024-01-15", ("head_national_id", 0): "no_card", ("member_count", 0): "2", ("m_birth_year", 1): "2500", ("m_birth_year", 2): "2530",
               ("m_national_id", 1): "1103701234563", ("m_national_id", 2): None, ("m_income", 1): "1000", ("m_health", 2): "disabled", ("m_welfare", 2): "none"}
    shown = [(tr(message), slot) for message, slot in engine.review(answers, env).suggestions]
    assert shown[0][1] == "I|0|" and "6,000" in shown[0][0] and "38,000" in shown[0][0]
    assert [slot for _m, slot in shown[1:]] == ["A|0|"] * 3
    assert [m for m, _s in shown[1:]] == ["สมาชิกคนที่ 1, 2 ไม่มีเลขประจำตัวประชาชน แต่ยังไม่ได้เลือกปัญหา “ไม่มีบัตรประชาชน หรือมีปัญหาสถานะทางทะเบียน” ต้องการเลือกหรือไม่",
                                          "สมาชิกคนที่ 1 อายุ 60 ปีขึ้นไปแต่ไม่ได้รับเบี้ยยังชีพ และยังไม่ได้เลือกปัญหา “ผู้สูงอายุไม่ได้รับเบี้ยยังชีพ” ต้องการเลือกหรือไม่",
                                          "สมาชิกคนที่ 2 เป็นคนพิการแต่ไม่ได้รับเบี้ยความพิการ และยังไม่ได้เลือกปัญหา “คนพิการไม่ได้รับเบี้ยความพิการ หรือไม่มีบัตรคนพิการ”"
                                          " ต้องการเลือกหรือไม่"]


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "answers.__class__", "(lambda: 1)()", "[c for c in 'ab']", "open_limit if True else 1", "ticked(m_welfare, 'x', y=1)"])
def test_check_conditions_accept_only_the_small_vocabulary(text):
    with pytest.raises(conditions.ExpressionError):
        conditions.parse(text)


def test_a_check_naming_an_unknown_answer_fails_with_the_form():
    raw = {"id": "x", "version": "1", "round": "1", "title": "X", "sections": [{"id": "s", "title": "S", "questions": [
        {"code": "q", "type": "integer", "label": "Q", "min": 0, "max": 9},
        {"code": "P", "type": "checklist", "label": "P", "problems": True, "none": "none", "choices": [{"code": "P1", "label": "P1"}, {"code": "none", "label": "None"}]}]}],
        "checks": [{"suggest": "P1", "when": "q > income_line", "message": "M"}]}
    with pytest.raises(FormError, match="names income_line"):
        parse_form(raw, "x.yaml")


@pytest.mark.parametrize(
    "break_it,message",
    [
        (lambda f: f.update(age={"birth_year": "house_no", "date": "survey_date"}), "'age' names a birth_year question"),
        (lambda f: f.update(duplicates=[["house_no", "area_confirm"]]), "each 'duplicates' group lists projected questions"),
        (lambda f: f["sections"][1]["questions"][2].update(project=["house_no", "moo"]), "'project' names one column"),
        (lambda f: f["sections"][1]["questions"][5].update(refuse_on="no"), "only the first question, a yes_no consent, may have refuse_on"),
        (lambda f: f["sections"][2].update(over="problems"), "a count ('repeat') or a list ('over'), not both"),
        (lambda f: f["checks"][2].update(when="age >= 60 and not ticked(m_welfare, 'pension')"), "'pension' is not a choice of 'm_welfare'"),
        (lambda f: f["checks"][0].update(suggest="I9"), "'suggest' 'I9' is not a choice of a problem checklist"),
    ],
)
def test_broken_form_declarations_fail_with_a_clear_error(break_it, message):
    import yaml

    raw = yaml.safe_load((SHIPPED_FORMS_DIR / "thaiqm-2566.yaml").read_text(encoding="utf-8"))
    break_it(raw)
    with pytest.raises(FormError, match=re.escape(message)):
        parse_form(raw, "thaiqm-2566.yaml")


# Files that use a form's word for something of their own: registration asks a phone number and a
# community, the CLI and the area operations add communities with their moo, areas read the
# official list's moo column, Alembic's "head" revision, LINE's "primary" button style, an event
# kind "other", a time format's %H, a regular expression's A-Z. The schema
# (storage/models.py, migrations) names the columns the form projects onto.
OWN_WORDS = {
    "bot/handlers/registration.py": {"phone", "community", "other", "H"},
    "bot/cli/area.py": {"community", "moo"},
    "bot/cli/invite.py": {"community"},
    "bot/cli/report.py": {"community"},
    "bot/cli/export.py": {"community"},
    "bot/people/admin.py": {"community"},
    "bot/chat/incoming.py": {"other"},
    "bot/line/events.py": {"other"},
    "storage/crypto.py": {"A"},
    "storage/areas.py": {"moo"},
    "storage/migrate.py": {"head"},
    "bot/line/messages.py": {"primary"},
    "bot/dialogs/form.py": {"A", "note"},  # `record: note`, a field a Re-X-ray answer is recorded in
    # The values the database stores for a Re-X-ray's answers: the Re-X-ray form's choices use them as codes.
    "storage/statuses.py": {s.value for e in (ProblemStatus, PartnerNetwork, HelpKind, HouseholdPresence) for s in e},
}
SCHEMA = ("storage/models.py", "storage/answer_models.py", "storage/migrations/", "bot/imports/layout.py", "bot/exports/layout.py")


def form_codes() -> set[str]:
    """Every question and choice code of every shipped form."""
    codes: set[str] = set()
    for form in forms().values():
        for question in form.questions():
            codes.add(question.code)
            codes.update(c.code for c in question.choices)
            if question.no_value:
                codes.add(question.no_value.code)
    return codes


def form_code_hits(path: Path, name: str, codes: set[str]) -> list[str]:
    """Form codes written in one Python file's strings and comments (word-boundary match)."""
    from bot.dialogs.form import TYPES

    # The form language's own words: question types (a question may be named like its type),
    # the checklist's `none` field, the follow-up answers' ".member" suffix, and the yes_no type's
    # own answers (a form may name them: "Consent", "Do not consent").
    allowed = set(TYPES) | {"none", "member", "yes", "no"} | OWN_WORDS.get(name, set())
    word = re.compile(r"[A-Za-z0-9_]+")
    source = path.read_text(encoding="utf-8")
    hits = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        # A text with spaces is prose (a message id, a docstring): only codes no English word looks like.
        prose = any(ch.isspace() for ch in node.value)
        for found in word.findall(node.value):
            if found in codes and found not in allowed and (not prose or re.search(r"[\d_]", found)):
                hits.append(f"{name}:{node.lineno}: {found}")
    for lineno, line in enumerate(source.splitlines(), start=1):
        comment = line.partition("#")[2]
        hits += [f"{name}:{lineno}: {c} (comment)" for c in word.findall(comment) if c in codes and re.search(r"[\d_]", c) and c not in allowed]
    return hits


def test_no_form_code_appears_in_the_packages_python():
    """Codes live in the form files: the engine, handlers and storage only read them from there."""
    codes = form_codes()
    hits = []
    for path in sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "storage").rglob("*.py")]):
        name = path.relative_to(ROOT).as_posix()
        if not name.startswith(("bot/local/", *SCHEMA)):
            hits += form_code_hits(path, name, codes)
    assert not hits, "form codes in Python (move them into the form file):\n" + "\n".join(hits)


def test_the_scan_finds_codes_in_strings_and_comments_but_not_english_words(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('''COUNT = ("member_count", 0)  # the I1 line
SLOT = "A|0|"
TEXT = "Tick A4 for a member"
''', encoding="utf-8")
    assert sorted(form_code_hits(sample, "bot/sample.py", form_codes())) == ["bot/sample.py:1: I1 (comment)", "bot/sample.py:1: member_count", "bot/sample.py:2: A", "bot/sample.py:3: A4"]

"""The form file: every ThaiQM question is there, and a broken form fails loudly and clearly."""

from __future__ import annotations

import copy

import pytest
import yaml

from bot.catalog_sources import data_message_ids
from bot.resources import SHIPPED_FORMS_DIR
from bot.dialogs.form import FormError, current_form, load_form, parse_form

FORM_FILE = SHIPPED_FORMS_DIR / "thaiqm-2566.yaml"


@pytest.fixture
def raw():  # type: ignore[no-untyped-def]
    """The form file as parsed YAML, to break in tests."""
    return yaml.safe_load(FORM_FILE.read_text(encoding="utf-8"))


def test_form_has_every_question_of_the_reference():
    form = current_form()
    assert (form.id, form.version, form.round) == ("thaiqm-2566", "1", "2566")
    expected = [
        "consent", "respondent", "survey_date", "house_code", "house_no", "moo", "community", "area_confirm",
        "head_name", "head_national_id", "phone", "member_count", "location",
        "m_name", "m_birth_year", "m_sex", "m_relation", "m_national_id", "m_health", "m_education",
        "m_occupation", "m_income", "m_welfare", "H", "L", "E", "I", "A", "needs", "note",
    ]
    assert [q.code for q in form.questions()] == expected


def test_problem_checklists_have_the_reference_codes_and_a_none_choice():
    form = current_form()
    codes = {dim: [c.code for c in form.question(dim).choices] for dim in "HLEIA"}
    assert codes == {
        "H": ["H1", "H2", "H3", "H4", "H5", "none"],
        "L": ["L1", "L2", "L3", "L4", "L5", "L6", "none"],
        "E": ["E1", "E2", "E3", "E4", "E5", "none"],
        "I": ["I1", "I2", "I3", "I4", "I5", "none"],
        "A": ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "none"],
    }
    for dim in "HLEIA":
        question = form.question(dim)
        assert question.problems and question.none == "none"
        assert question.choice("none").label == "No problem in this dimension"


def test_relevance_and_optional_questions():
    form = current_form()
    assert str(form.question("m_education").relevant) == "age >= 3"
    assert str(form.question("m_occupation").relevant) == "age >= 15"
    assert str(form.question("m_income").relevant) == "age >= 15"
    assert str(form.question("m_relation").relevant) == "member_no > 1"
    optional = {q.code for q in form.questions() if not q.required}
    assert optional == {"house_code", "moo", "phone", "location", "m_national_id", "needs", "note"}
    assert form.section_of("m_name").repeat == "member_count"
    assert (form.question("member_count").min, form.question("member_count").max) == (1, 30)


def test_every_form_text_is_in_the_catalog_sources():
    ids = set(data_message_ids())
    form = current_form()
    assert form.question("consent").label in ids
    assert "No problem in this dimension" in ids
    assert form.question("H").help in ids
    assert all(not any("\u0e00" <= ch <= "\u0e7f" for ch in q.label) for q in form.questions()), "labels must be English ids"


@pytest.mark.parametrize(
    "break_it,message",
    [
        (lambda f: f["sections"][1]["questions"][0].update(type="datum"), "unknown type 'datum'"),
        (lambda f: f["sections"][1]["questions"][1].update(code="survey_date"), "used twice"),
        (lambda f: f["sections"][2]["questions"][6].update(relevant="age => 3"), "is not like 'age >= 15'"),
        (lambda f: f["sections"][3]["questions"][0].update(none="nothing"), "checklist needs 'none'"),
        (lambda f: f["sections"][1]["questions"][9].pop("max"), "needs whole-number 'min' <= 'max'"),
        (lambda f: f["sections"][2].update(repeat="house_no"), "not an earlier integer question"),
        (lambda f: f["sections"][0]["questions"][1]["choices"][0].pop("label"), "needs 'code' and 'label'"),
        (lambda f: f.pop("version"), "missing 'version'"),
        (lambda f: f["sections"][2]["questions"][2]["infer"].update({"from": "m_relation"}), "'infer' needs 'from' (an earlier question)"),
        (lambda f: f["sections"][2]["questions"][2]["infer"].update(prefixes={"boy": ["ด.ช."]}), "'prefixes' by choice code"),
        (lambda f: f["sections"][1]["questions"][0].update(detail="on_request"), "'detail' is for problem checklists"),
    ],
)
def test_broken_form_fails_with_a_clear_error(raw, break_it, message):
    broken = copy.deepcopy(raw)
    break_it(broken)
    with pytest.raises(FormError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_form(broken, "thaiqm-2566.yaml")


def test_unreadable_file_names_itself(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(FormError, match="bad.yaml: cannot read"):
        load_form(bad)


def test_app_does_not_start_with_a_broken_form(tmp_path, monkeypatch, config):
    from bot.app import create_app
    from bot.dialogs import engine as engine_module
    from bot.dialogs import form as form_module

    (tmp_path / "thaiqm-2566.yaml").write_text(FORM_FILE.read_text(encoding="utf-8").replace("type: phone", "type: telephone"), encoding="utf-8")
    monkeypatch.setenv("THAIQM_FORMS_DIR", str(tmp_path))
    form_module.forms.cache_clear()
    engine_module._ENGINES.clear()
    try:
        with pytest.raises(FormError, match="thaiqm-2566.yaml: section 'identification', question phone: unknown type 'telephone'"):
            create_app(config)
    finally:
        form_module.forms.cache_clear()
        engine_module._ENGINES.clear()

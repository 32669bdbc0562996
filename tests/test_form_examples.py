"""Every example a hint shows is an answer its question accepts, in every shipped form, on any day."""

from __future__ import annotations

import datetime as dt
import re
import string

import pytest

from bot.dialogs.answers import BE_OFFSET
from bot.dialogs.form import FormError, forms, parse_form
from bot.dialogs.inputs import Env, Input
from bot.dialogs.validate import example_values, hint_of, parse_answer, split_followed
from bot.i18n import _, translations

QUESTIONS = [pytest.param(form, q, id=f"{form.id}-{form.version}-{q.code}") for form in forms().values() for q in form.questions() if q.hint]
# The days a date example is checked on: a year's turn, a leap day, an ordinary day.
DAYS = (dt.date(2024, 1, 1), dt.date(2024, 2, 29), dt.date(2026, 11, 28))
# Words that introduce an example, in the English ids and in Thai.
EXAMPLE_WORDS = re.compile(r"\b(?:e\.g\.|like|for example)|เช่น|ตัวอย่าง")


def placeholders(text: str) -> set[str]:
    """The {names} a message formats."""
    return {name for _t, name, _s, _c in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("form,question", QUESTIONS)
@pytest.mark.parametrize("today", DAYS, ids=str)
def test_each_hint_example_is_accepted_by_its_question(form, question, today):
    env = Env(today=today, communities=(("1", "ชุมชนตัวอย่าง"),))
    for name, typed in example_values(question, env).items():
        # A name may end with the age its `followed_by` question takes ("สมศรี ใจดี อายุ 43").
        parts = split_followed(question, typed)
        answered = [(question, typed)] if parts is None else [(question, parts[0]), (form.question(question.followed_by), parts[1])]
        try:
            for asked, text in answered:
                parse_answer(asked, Input("text", text=text), env, today.year + BE_OFFSET)
        except Exception as error:  # an AnswerError, said as the volunteer would read it
            pytest.fail(f"{form.id} {question.code}: the hint's example {name}={typed!r} is refused: {error}")


@pytest.mark.parametrize("form,question", QUESTIONS)
def test_hints_show_only_declared_examples(form, question):
    """No example is written into a hint's text (English or Thai): it would escape the check above."""
    thai = translations().gettext(question.hint)
    for text in (question.hint, thai):
        # Numbers come from placeholders; only a count of digits ("13 digits", "13 หลัก") is written out.
        literal = re.sub(r"\{\w+\}|\d+\s*(?:digits|หลัก)", "", text)
        assert not any(ch.isdigit() for ch in literal), f"{question.code}: a number written into the hint {text!r}"
        for found in EXAMPLE_WORDS.finditer(text):
            assert "{" in text[found.end():], f"{question.code}: {text!r} gives an example that is not declared"
    assert placeholders(thai) == placeholders(question.hint)


@pytest.mark.parametrize("form,question", QUESTIONS)
def test_hint_reads_with_its_examples_filled_in(form, question):
    env = Env(today=dt.date(2024, 1, 20))
    hint = hint_of(question, env)
    text = _(hint.id, **hint.params)
    assert "{" not in text
    for typed in example_values(question, env).values():
        assert typed in text


def test_the_date_example_is_the_day_it_is_asked():
    survey_date = next(q for form in forms().values() for q in form.questions() if q.type == "date")
    assert example_values(survey_date, Env(today=dt.date(2026, 11, 28)))["example"] == "28/11/2569"


def form_with(question: dict) -> dict:
    """A minimal form around one question (after the consent every form starts with)."""
    consent = {"code": "consent", "type": "yes_no", "label": "Consent?", "refuse_on": "no"}
    return {"id": "f", "version": "1", "round": "2567", "title": "F", "sections": [{"id": "s", "title": "S", "questions": [consent, question]}]}


@pytest.mark.parametrize(
    "question,complaint",
    [
        ({"code": "p", "type": "phone", "label": "Phone", "hint": "e.g. {example}"}, "placeholders"),
        ({"code": "p", "type": "phone", "label": "Phone", "hint": "Phone", "example": "0812345678"}, "placeholders"),
        ({"code": "p", "type": "phone", "label": "Phone", "hint": "e.g. {example}", "example": 812345678}, "quoted text"),
        ({"code": "m", "type": "money", "label": "Income", "min": 0, "max": 9, "per": "week"}, "'per'"),
        ({"code": "n", "type": "text", "label": "Name", "words": ["คน"]}, "'words'"),
        ({"code": "p", "type": "phone", "label": "Phone", "hint": "e.g. {example"}, "cannot be filled in"),
    ],
)
def test_a_form_with_an_unchecked_example_or_a_wrong_field_is_refused(question, complaint):
    with pytest.raises(FormError, match=complaint):
        parse_form(form_with(question))

"""Turn an input into the stored value of one question, or raise AnswerError (pure)."""

from __future__ import annotations

import datetime as dt

from bot.dialogs import answers as parse
from bot.dialogs.answers import AnswerError
from bot.dialogs.form import Choice, Question
from bot.dialogs.inputs import Env, Input
from bot.i18n import N_

YES, NO = "yes", "no"
TODAY = N_("Today")
YES_NO_CHOICES = (Choice(YES, N_("Yes")), Choice(NO, N_("No")))
# Typed words that mean yes or no, besides the translated button labels.
YES_WORDS = {"yes", "y", "ใช่", "ยินยอม", "ถูกต้อง", "ตกลง"}
NO_WORDS = {"no", "n", "ไม่", "ไม่ใช่", "ไม่ยินยอม", "ไม่ถูกต้อง"}


def choices_of(question: Question, env: Env) -> tuple[Choice, ...]:
    """A question's choices, including those that come from the volunteer's area."""
    if question.type == "yes_no":
        return YES_NO_CHOICES
    if question.source == "communities":
        return tuple(Choice(code, name) for code, name in env.communities)
    return question.choices


def match_choice(question: Question, text: str, env: Env) -> Choice | None:
    """The choice a typed text names: its number, its label or its code."""
    choices = choices_of(question, env)
    typed = " ".join(parse.normalize_digits(text).split()).casefold().rstrip(".")
    if parse.is_small_number(typed) and 1 <= int(typed) <= len(choices):
        return choices[int(typed) - 1]
    for choice in choices:
        label = choice.label if question.source else env.translate(choice.label)
        if typed in (label.casefold(), choice.code.casefold()):
            return choice
    if question.type == "yes_no":
        if typed in YES_WORDS:
            return YES_NO_CHOICES[0]
        if typed in NO_WORDS:
            return YES_NO_CHOICES[1]
    return None


def parse_value(question: Question, given: Input, env: Env, survey_year_be: int) -> str:
    """The canonical stored value for an answer to a question (not for checklists)."""
    kind = question.type
    if given.kind == "option":
        return _option(question, given.value, env)
    if given.kind == "date":
        if kind != "date":
            raise AnswerError(N_("Please answer the question above."))
        return _date(parse.parse_date(given.value, env.today), env.today)
    if given.kind == "location":
        if kind != "location":
            raise AnswerError(N_("Please answer the question above."))
        return given.value
    text = given.text
    if question.no_value and match_no_value(question, text, env):
        return question.no_value.code
    if kind in ("yes_no", "choice"):
        choice = match_choice(question, text, env)
        if choice is None:
            raise AnswerError(N_("Please tap one of the buttons or type the number of your choice (1 to {count})."), {"count": len(choices_of(question, env))})
        return choice.code
    if kind == "text":
        return parse.parse_text(text, question.max_length)
    if kind == "integer":
        return str(parse.parse_integer(text, question.min or 0, question.max or 0))
    if kind == "money":
        return str(parse.parse_money(text, question.min or 0, question.max or 0))
    if kind == "date":
        if " ".join(text.split()).casefold() in ("today", env.translate(TODAY).casefold()):
            return env.today.isoformat()
        return _date(parse.parse_date(text, env.today), env.today)
    if kind == "national_id":
        return parse.parse_national_id(text)
    if kind == "house_code":
        return parse.parse_house_code(text)
    if kind == "phone":
        return parse.parse_phone(text)
    if kind == "birth_year":
        return str(parse.parse_birth_year(text, survey_year_be, question.max or 120))
    if kind == "location":
        raise AnswerError(N_("Please tap \"Send location\" below to share the position of the house, or tap \"Skip\"."))
    raise AnswerError(N_("Please answer the question above."))


def match_no_value(question: Question, text: str, env: Env) -> bool:
    """True when the text names the question's no-value choice (e.g. "ไม่มีบัตร")."""
    assert question.no_value is not None
    typed = " ".join(text.split()).casefold()
    return typed in (env.translate(question.no_value.label).casefold(), question.no_value.code)


def _option(question: Question, code: str, env: Env) -> str:
    """A tapped option must be one of the question's choices."""
    if question.no_value and code == question.no_value.code:
        return code
    if any(c.code == code for c in choices_of(question, env)):
        return code
    raise AnswerError(N_("Please answer the question above."))


def _date(day: dt.date, today: dt.date) -> str:
    """A survey date: not in the future, not more than a year back."""
    if day > today:
        raise AnswerError(N_("The date cannot be in the future."))
    if day < today - dt.timedelta(days=366):
        raise AnswerError(N_("The date is more than a year ago. Please check the year (Buddhist Era)."))
    return day.isoformat()

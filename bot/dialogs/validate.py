"""Turn an input into the stored value of one question, or raise AnswerError (pure)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.dialogs import answers as parse
from bot.dialogs.answers import AnswerError
from bot.dialogs.form import TODAY_EXAMPLE, Choice, Question
from bot.dialogs.inputs import Env, Input
from bot.dialogs.prompts import Label, Msg
from bot.i18n import N_

YES, NO = "yes", "no"
TODAY = N_("Today")
YES_NO_CHOICES = (Choice(YES, N_("Yes")), Choice(NO, N_("No")))
# Typed words that mean yes or no, besides the translated button labels.
YES_WORDS = {"yes", "y", "ใช่", "ยินยอม", "ถูกต้อง", "ตกลง"}
NO_WORDS = {"no", "n", "ไม่", "ไม่ใช่", "ไม่ยินยอม", "ไม่ถูกต้อง"}


# A name followed by an age or a birth year, as volunteers type them from the house register:
# "สมศรี ใจดี 43", "สมศรี ใจดี อายุ 43", "ด.ญ.สมใจ ใจดี 6 เดือน", "สมศรี ใจดี พ.ศ. 2526".
TRAILING_AGE = re.compile(r"(?P<first>.*?\D)[\s,]+(?P<later>(?:อายุ\s*|(?:ปี\s*)?พ\.?\s*ศ\.?\s*)?\d{1,4}(?:\s*(?:ปี|ขวบ|เดือน))?)")


def split_followed(question: Question, text: str) -> tuple[str, str] | None:
    """An answer that ends with its `followed_by` question's answer: (this answer, the later one)."""
    if question.followed_by is None:
        return None
    found = TRAILING_AGE.fullmatch(" ".join(parse.normalize_digits(text).split()))
    return (found["first"], found["later"]) if found is not None else None


def choices_of(question: Question, env: Env) -> tuple[Choice, ...]:
    """A question's choices, including those that come from the volunteer's area."""
    if question.type == "yes_no":
        return question.choices or YES_NO_CHOICES  # the form may name the answers ("Consent")
    if question.source == "communities":
        return tuple(Choice(code, name) for code, name in env.communities)
    return question.choices


def match_choice(question: Question, text: str, env: Env, offered: tuple[Choice, ...] | None = None) -> Choice | None:
    """The choice a typed text names: its number, its label or its code (among those offered, when given)."""
    choices = choices_of(question, env) if offered is None else offered
    typed = " ".join(parse.normalize_digits(text).split()).casefold().rstrip(".")
    if parse.is_small_number(typed) and 1 <= int(typed) <= len(choices):
        return choices[int(typed) - 1]
    for choice in choices:
        label = choice.label if question.source else env.translate(choice.label)
        if typed in (label.casefold(), choice.code.casefold()):
            return choice
    if question.type == "yes_no":
        if typed in YES_WORDS:
            return choices[0]
        if typed in NO_WORDS:
            return choices[1]
    return None


@dataclass(frozen=True)
class Parsed:
    """A stored value, and what to say back when the answer was interpreted (an age, "5 พัน", "+66…")."""

    value: str
    note: Msg | None = None


def parse_answer(question: Question, given: Input, env: Env, survey_year_be: int) -> Parsed:
    """The canonical stored value of an answer (not for checklists), said back where it was read from words or converted."""
    if given.kind != "text":
        return Parsed(_untyped(question, given, env))
    text = given.text
    if question.no_value and match_no_value(question, text, env):
        return Parsed(question.no_value.code)
    if question.type == "money":
        amount = parse.parse_amount(text, question.min or 0, question.max or 0, question.per)
        return Parsed(str(amount.baht), _amount_note(question, amount) if amount.interpreted else None)
    if question.type == "birth_year":
        year, age = parse.read_birth_year(text, survey_year_be, question.max or 120)
        note = Msg(N_("Recorded: born in {year} (age {age} in {survey_year})"), {"year": year, "age": age, "survey_year": survey_year_be}) if age is not None else None
        return Parsed(str(year), note)
    value = _typed(question, text, env)
    if question.type == "phone" and value != parse.digits_only(text):
        return Parsed(value, Msg(N_("Recorded: {answer}"), {"answer": phone_label(value)}))
    return Parsed(value)


def _untyped(question: Question, given: Input, env: Env) -> str:
    """The value of a tapped option, a picked date or a shared location."""
    kind = question.type
    if given.kind == "option":
        return _option(question, given.value, env)
    if given.kind == "date":
        if kind != "date":
            raise AnswerError(N_("Please answer the question above."))
        return _date(parse.parse_date(given.value, env.today), question, env)
    if given.kind == "location":
        if kind != "location":
            raise AnswerError(N_("Please answer the question above."))
        return given.value
    raise AnswerError(N_("Please answer the question above."))


def _typed(question: Question, text: str, env: Env) -> str:
    """The value of a typed answer."""
    kind = question.type
    if kind in ("yes_no", "choice"):
        choice = match_choice(question, text, env)
        if choice is None:
            raise AnswerError(N_("Please tap one of the buttons or type the number of your choice (1 to {count})."), {"count": len(choices_of(question, env))})
        return choice.code
    if kind == "text":
        return parse.parse_text(text, question.max_length)
    if kind == "person_name":
        return parse.parse_person_name(text, question.max_length)
    if kind == "integer":
        return str(parse.parse_integer(text, question.min or 0, question.max or 0, question.words))
    if kind == "date":
        if " ".join(text.split()).casefold() == env.translate(TODAY).casefold():
            return env.today.isoformat()
        return _date(parse.parse_date(text, env.today), question, env)
    if kind == "national_id":
        return parse.parse_national_id(text)
    if kind == "house_code":
        return parse.parse_house_code(text)
    if kind == "phone":
        return parse.parse_phone(text)
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


# A `window: past` date goes back this far (help given since an earlier round, years ago).
PAST_DAYS = 3653


def earliest_date(question: Question, env: Env) -> dt.date:
    """The first date a date question accepts: the round's (window: round), ten years back (window: past), else a year back."""
    if question.window == "round" and env.round_earliest is not None:
        return env.round_earliest
    if question.window == "past":
        return env.today - dt.timedelta(days=PAST_DAYS)
    return env.today - dt.timedelta(days=366)


def _date(day: dt.date, question: Question, env: Env) -> str:
    """A date: not in the future, not before the question's window."""
    if day > env.today:
        raise AnswerError(N_("The date cannot be in the future."))
    earliest = earliest_date(question, env)
    if day < earliest:
        if question.window == "round" and env.round_earliest is not None:
            raise AnswerError(N_("The date is before {date}, the earliest survey date of this round. Please check the year (Buddhist Era)."), {"date": parse.format_date_be(earliest)})
        if question.window == "past":
            raise AnswerError(N_("The date is more than ten years ago. Please check the year (Buddhist Era)."))
        raise AnswerError(N_("The date is more than a year ago. Please check the year (Buddhist Era)."))
    return day.isoformat()


def _amount_note(question: Question, amount: parse.Amount) -> Msg:
    """ "Recorded: 5,000 baht per month" and, when converted, from what was typed."""
    baht = f"{amount.baht:,}"
    if question.per is None:
        return Msg(N_("Recorded: {answer}"), {"answer": Msg(N_("{amount} baht"), {"amount": baht})})
    period = Msg(parse.PERIOD_NAMES[question.per])
    if amount.typed is None:
        return Msg(N_("Recorded: {amount} baht per {period}"), {"amount": baht, "period": period})
    typed_period = Msg(parse.PERIOD_NAMES[amount.typed_period or question.per])
    return Msg(N_("Recorded: {amount} baht per {period} (converted from {typed} baht per {typed_period})"), {"amount": baht, "period": period, "typed": f"{amount.typed:,}", "typed_period": typed_period})


def phone_label(value: str) -> Label:
    """A stored phone number as the chat shows it: partly masked (08x-xxx-5678), with its extension."""
    number, extension = parse.mask_phone(value)
    return Msg(N_("{number} ext. {extension}"), {"number": number, "extension": extension}) if extension else number


def example_values(question: Question, env: Env) -> dict[str, str]:
    """The hint's examples as typed answers (a date example is today's date, so it is always in range)."""
    values = dict(question.examples)
    for name, value in values.items():
        if question.type == "date" and value == TODAY_EXAMPLE:
            values[name] = f"{env.today.day}/{env.today.month}/{env.today.year + parse.BE_OFFSET}"
    return values


def hint_of(question: Question, env: Env) -> Msg | None:
    """The question's hint with its examples (and range) filled in."""
    if not question.hint:
        return None
    params: dict[str, object] = dict(example_values(question, env))
    if question.min is not None and question.type in ("integer", "money"):
        params.update(min=question.min, max=question.max)
    return Msg(question.hint, params)

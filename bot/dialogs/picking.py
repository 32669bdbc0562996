"""Picking whom a problem concerns: one member by a tap, several by typed numbers (stored as "2 3"), or the whole household."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogs.answers import AnswerError, normalize_digits, parse_numbers
from bot.dialogs.cursor import HOUSEHOLD, Answers, Cursor, Outcome
from bot.dialogs.inputs import Env, Input
from bot.dialogs.prompts import Msg, Option
from bot.i18n import N_

if TYPE_CHECKING:
    from bot.dialogs.engine import Engine


def chosen_members(value: str | None) -> list[str]:
    """The stored member numbers of a follow-up answer ("2 3"), or [HOUSEHOLD], or []."""
    return (value or "").split()


def pick(engine: "Engine", cursor: Cursor, answers: Answers, given: Input, env: Env) -> Outcome:
    """A tap answers with one member or the whole household; typed numbers ("1 3") or a typed name are the whole selection."""
    options = engine._member_options(answers)
    if given.kind in ("toggle", "option"):
        picked = next((o.value for o in options if o.value == given.value), None)
        if picked is None:
            raise AnswerError(N_("Please tap the members concerned, or type their numbers (1 to {count})."), {"count": len(options)})
        return engine._store_and_advance(cursor, answers, picked, env)
    typed = " ".join(normalize_digits(given.text).split())
    named = next((o.value for o in options if typed.casefold() == _label(o, env).casefold()), None)
    if named is not None:
        return engine._store_and_advance(cursor, answers, named, env)
    if not any(ch.isdigit() for ch in typed):
        raise AnswerError(N_("Please tap the members concerned, or type their numbers (1 to {count})."), {"count": len(options)})
    by_number = {o.number: o.value for o in options}  # the whole household is listed first but numbered last
    values = [by_number[n] for n in parse_numbers(typed, len(options))]
    if HOUSEHOLD in values and len(values) > 1:
        raise AnswerError(N_("\"{none}\" cannot be chosen together with other items."), {"none": Msg(N_("Whole household"))})
    return engine._store_and_advance(cursor, answers, " ".join(o.value for o in options if o.value in values), env)


def _label(option: Option, env: Env) -> str:
    """An option's label as the user sees it (a member's name, or a translated text)."""
    return option.label if isinstance(option.label, str) else env.translate(option.label.id)

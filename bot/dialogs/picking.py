"""Picking whom a problem concerns: several members (stored as "2 3"), or the whole household."""

from __future__ import annotations

from dataclasses import replace
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
    """A tap toggles a member (the whole household answers at once); typed numbers or a typed name are the whole selection."""
    options = engine._member_options(answers)
    if given.kind in ("toggle", "option"):
        picked = next((o.value for o in options if o.value == given.value), None)
        if picked is None:
            raise AnswerError(N_("Please tap the members concerned, or type their numbers (1 to {count})."), {"count": len(options)})
        return engine._store_and_advance(cursor, answers, HOUSEHOLD, env) if picked == HOUSEHOLD else _toggle(engine, cursor, answers, options, picked, env)
    typed = " ".join(normalize_digits(given.text).split())
    named = next((o.value for o in options if typed.casefold() == _label(o, env).casefold()), None)
    if named is not None:
        return engine._store_and_advance(cursor, answers, named, env)
    if not any(ch.isdigit() for ch in typed):
        raise AnswerError(N_("Please tap the members concerned, or type their numbers (1 to {count})."), {"count": len(options)})
    values = [options[n - 1].value for n in parse_numbers(typed, len(options))]
    if HOUSEHOLD in values and len(values) > 1:
        raise AnswerError(N_("\"{none}\" cannot be chosen together with other items."), {"none": Msg(N_("Whole household"))})
    return engine._store_and_advance(cursor, answers, " ".join(o.value for o in options if o.value in values), env)


def _toggle(engine: "Engine", cursor: Cursor, answers: Answers, options: tuple[Option, ...], picked: str, env: Env) -> Outcome:
    """Tick or untick one member and ask again, showing the ticks (stored at once, like a checklist)."""
    key = engine.key(cursor)
    chosen = [c for c in chosen_members(answers.get(key)) if c != HOUSEHOLD]
    chosen = [c for c in chosen if c != picked] if picked in chosen else chosen + [picked]
    value = " ".join(o.value for o in options if o.value in chosen) or None
    merged = dict(answers)
    merged[key] = value
    outcome = engine.show(replace(cursor, tries=0), merged, env)
    outcome.writes.append((key, value))
    return outcome


def _label(option: Option, env: Env) -> str:
    """An option's label as the user sees it (a member's name, or a translated text)."""
    return option.label if isinstance(option.label, str) else env.translate(option.label.id)

"""Soft checks before submitting: the form's suggestions of a problem the answers point to, never forced.

Each check names the problem choice it suggests, a condition over the answers (see
bot/dialogs/conditions.py) and a message; with `each: <repeated section>` the condition is
asked of every repetition and the message lists their numbers ({numbers}).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.dialogs.conditions import Check, evaluate
from bot.dialogs.inputs import Env
from bot.dialogs.prompts import Msg

if TYPE_CHECKING:
    from bot.dialogs.cursor import Answers
    from bot.dialogs.moving import Dialog

NUMERIC = frozenset({"integer", "money", "birth_year"})


def soft_checks(engine: "Dialog", answers: "Answers", env: Env) -> list[tuple[Msg, str]]:
    """Suggestions as (message, slot of the checklist to edit), in the form's order."""
    found: list[tuple[Msg, str]] = []
    for check, dimension in engine.checks:
        if check.suggest in engine.ticked(answers, dimension):
            continue
        message = _message(engine, check, answers, env)
        if message is not None:
            found.append((message, f"{dimension}|0|"))
    return found


def _message(engine: "Dialog", check: Check, answers: "Answers", env: Env) -> Msg | None:
    """The check's message when its condition holds, with its parameters; None otherwise."""
    if check.each is None:
        scope = _Scope(engine, answers, env, 0)
        if not evaluate(check.when, scope.name, scope.call):
            return None
        return Msg(check.message, {key: _shown(evaluate(expr, scope.name, scope.call)) for key, expr in (check.params or {}).items()})
    section = engine.form.section_by_id(check.each)
    numbers = [n for n in range(1, _count(engine, section, answers, env) + 1) if evaluate(check.when, *_Scope(engine, answers, env, n).both())]
    return Msg(check.message, {"numbers": ", ".join(map(str, numbers))}) if numbers else None


def _count(engine: "Dialog", section: Any, answers: "Answers", env: Env) -> int:
    """How many repetitions a section has (0 until its count is answered)."""
    if section.over is not None:
        return len(env.lists.get(section.over, ()))
    return int(answers.get((section.repeat, 0)) or 0)


def _shown(value: Any) -> Any:
    """A parameter as the message shows it: amounts rounded with thousands separators."""
    return f"{round(value):,}" if isinstance(value, (int, float)) and not isinstance(value, bool) else value


class _Scope:
    """Names and functions of an expression, for the household (0) or one repetition."""

    def __init__(self, engine: "Dialog", answers: "Answers", env: Env, number: int):
        self.engine, self.answers, self.env, self.number = engine, answers, env, number

    def both(self) -> tuple[Any, Any]:
        """The name and call resolvers."""
        return self.name, self.call

    def name(self, name: str) -> Any:
        """A name's value: member_no, age, an answer (numbers as numbers), a setting (the round's, else the form's)."""
        form = self.engine.form
        if name == "member_no":
            return self.number
        if name == "age":
            return self.engine.age(self.answers, self.number, self.env)
        question = form.by_code.get(name)
        if question is None:
            return self.env.settings.get(name, form.settings.get(name))
        return self._value(question, self.number if question.repeated else 0)

    def _value(self, question: Any, number: int) -> Any:
        """One stored answer, typed."""
        value = self.answers.get((question.code, number))
        return int(value) if value is not None and question.type in NUMERIC else value

    def call(self, function: str, args: list[Any]) -> Any:
        """sum, count, ticked, skipped, answered."""
        question = self.engine.form.question(args[0])
        if function in ("sum", "count"):
            values = [self._value(question, n) for n in self._numbers(question)]
            present = [v for v in values if v is not None]
            return sum(present) if function == "sum" else len(present)
        key = (question.code, self.number if question.repeated else 0)
        if function == "ticked":
            return args[1] in (self.answers.get(key) or "").split()
        if function == "skipped":
            return key in self.answers and self.answers[key] is None
        return self.answers.get(key) is not None

    def _numbers(self, question: Any) -> range:
        """The repetitions of a question's section (just 0 for a household question)."""
        if not question.repeated:
            return range(0, 1)
        return range(1, _count(self.engine, self.engine.section(question), self.answers, self.env) + 1)

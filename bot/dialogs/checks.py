"""The form's rules over the answers: review suggestions, constraints on an answer, choices offered by age.

Each check names the problem choice it suggests, a condition over the answers (see
bot/dialogs/conditions.py) and a message; with `each: <repeated section>` the condition is
asked of every repetition and the message lists their numbers ({numbers}); {problem} is the
suggested problem's label. A question's constraint refuses an answer (`.`) for which it does
not hold. A choice with ages is offered only when a member's age is in its range.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.dialogs.answers import mask_national_id
from bot.dialogs.conditions import THIS, Check, evaluate
from bot.dialogs.cursor import HOUSEHOLD
from bot.dialogs.form_model import Choice, Question
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
    choice = next(q.choice(check.suggest) for q in engine.form.questions() if q.problems and q.choice(check.suggest))
    named = {"problem": Msg(choice.label) if choice is not None else check.suggest} if "{problem}" in check.message else {}
    if check.each is None:
        scope = _Scope(engine, answers, env, 0)
        if not evaluate(check.when, scope.name, scope.call):
            return None
        return Msg(check.message, {**named, **{key: _shown(evaluate(expr, scope.name, scope.call)) for key, expr in (check.params or {}).items()}})
    section = engine.form.section_by_id(check.each)
    numbers = [n for n in range(1, _count(engine, section, answers, env) + 1) if evaluate(check.when, *_Scope(engine, answers, env, n).both())]
    return Msg(check.message, {"numbers": ", ".join(map(str, numbers)), **named}) if numbers else None


def refusal(engine: "Dialog", question: Question, member_no: int, value: str | None, answers: "Answers", env: Env) -> Msg | None:
    """Why an answer breaks its question's constraint (None when it keeps it, or is skipped)."""
    constraint = question.constraint
    if constraint is None or value is None:
        return None
    scope = _Scope(engine, answers, env, member_no if question.repeated else 0, this=(question, value))
    if evaluate(constraint.rule, *scope.both()):
        return None
    return Msg(constraint.message, {"member_no": member_no, **{key: _shown(evaluate(expr, *scope.both())) for key, expr in (constraint.params or {}).items()}})


def holds(engine: "Dialog", expr: Any, answers: "Answers", env: Env, number: int) -> bool:
    """Does a form's condition (a relevance or required one) hold for the household (0) or one repetition?"""
    return bool(evaluate(expr, *_Scope(engine, answers, env, number).both()))


def offered(engine: "Dialog", question: Question, answers: "Answers", env: Env) -> tuple[Choice, ...]:
    """A question's choices that concern a member of the household by age (or are ticked already)."""
    if not any(c.ages for c in question.choices):
        return question.choices
    members = engine.form.members
    count = int(answers.get((members.repeat or "", 0)) or 0) if members is not None else 0
    ages = [engine.age(answers, n, env) for n in range(1, count + 1)]
    chosen = set((answers.get((question.code, 0)) or "").split())
    return tuple(c for c in question.choices if c.ages is None or c.code in chosen or any(_within(age, c.ages) for age in ages))


def concerned(engine: "Dialog", choice: Choice, answers: "Answers", env: Env) -> str | None:
    """A ticked problem's member when the form makes it known (not asked): the whole household, or
    the one member its `concerns` condition and its ages fit. None when it must be asked."""
    if choice.concerns == HOUSEHOLD:
        return HOUSEHOLD
    if choice.concerns is None and choice.ages is None:
        return None
    members = engine.form.members
    count = _count(engine, members, answers, env) if members is not None else 0
    fitting = [
        n
        for n in range(1, count + 1)
        if (choice.ages is None or (engine.age(answers, n, env) is not None and _within(engine.age(answers, n, env), choice.ages)))
        and (choice.concerns is None or evaluate(choice.concerns, *_Scope(engine, answers, env, n).both()))  # type: ignore[arg-type]
    ]
    return str(fitting[0]) if len(fitting) == 1 else None


def _within(age: int | None, ages: tuple[int, int | None]) -> bool:
    """Is an age in a choice's range (an unknown age may be)?"""
    low, high = ages
    return age is None or (age >= low and (high is None or age <= high))


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

    def __init__(self, engine: "Dialog", answers: "Answers", env: Env, number: int, this: tuple[Question, str] | None = None):
        self.engine, self.answers, self.env, self.number = engine, answers, env, number
        # In a constraint: the question and the answer being given (`.`).
        self.this = this

    def both(self) -> tuple[Any, Any]:
        """The name and call resolvers."""
        return self.name, self.call

    def name(self, name: str) -> Any:
        """A name's value: member_no, age, an answer (numbers as numbers), a setting (the round's, else the form's)."""
        form = self.engine.form
        if name == THIS:
            return self._typed(self.this[0], self.this[1]) if self.this else None
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
        return self._typed(question, self.answers.get((question.code, number)))

    @staticmethod
    def _typed(question: Any, value: str | None) -> Any:
        """An answer as a number where the question asks one."""
        return int(value) if value is not None and question.type in NUMERIC and value.isdigit() else value

    def call(self, function: str, args: list[Any]) -> Any:
        """sum, count, ticked, skipped, answered; same, name, masked."""
        if function == "name":
            return self._name(args[0])
        if function == "masked":
            return _masked(args[0])
        question = self.engine.form.question(args[0])
        if function == "same":
            given = self.this[1] if self.this else None
            return next((n for n in self._numbers(question) if n != self.number and given is not None and self.answers.get((question.code, n)) == given), 0)
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

    def _name(self, number: Any) -> Any:
        """The name of a repetition (its section's naming answer), or its number."""
        section = self.engine.form.members
        if not isinstance(number, int) or section is None or section.name is None:
            return number
        return self.answers.get((section.name, number)) or number

    def _numbers(self, question: Any) -> range:
        """The repetitions of a question's section (just 0 for a household question)."""
        if not question.repeated:
            return range(0, 1)
        return range(1, _count(self.engine, self.engine.section(question), self.answers, self.env) + 1)


def _masked(value: Any) -> Any:
    """A national ID as the chat shows any: all but its last three digits hidden (x-xxxx-xxxxx-56-3)."""
    if not isinstance(value, str) or len(value) != 13 or not value.isdigit():
        return value
    return mask_national_id(value)

"""The dialog machine derived from a form: states, transitions, and a walker that moves through them.

States are the form's question codes (a repeated section's questions once, the repetition
number lives in the cursor), a member and a detail follow-up per problem checklist, then
`review` and the final states. Moves are `forward` and `backward`; conditions pick the
repetition loops (over a counted answer or a list given at the start), the problem
follow-up loop, the skip over an empty repetition and the refusal exit.
"""

from __future__ import annotations

from typing import Any, Callable

from bot.dialogs.cursor import CANCELLED, DETAIL, FINAL, MEMBER, REFUSED, REVIEW, SUBMITTED, Answers, Cursor
from bot.dialogs.form import Form, Section
from bot.dialogs.inputs import Env
from bot.dialogs.prompts import Fields

Move = dict[str, Any]


class Check:
    """A named condition or callback of the machine (the name shows in the diagram)."""

    def __init__(self, name: str, fn: Callable[["Walker"], Any]):
        self.name, self.fn = name, fn
        self.__name__ = name

    def __call__(self, event_data: Any) -> Any:
        return self.fn(event_data.model)

    def __repr__(self) -> str:
        return self.name


class Walker:
    """The machine's model for one step: a mutable copy of the cursor plus the answers."""

    def __init__(self, form: Form, cursor: Cursor, answers: Answers, env: Env):
        self.form, self.answers, self.env = form, answers, env
        self.state, self.member_no, self.problem = cursor.state, cursor.member_no, cursor.problem
        # Also land on follow-ups asked only on request (the review lists them, an edit reaches them).
        self.offered = False

    def count(self, section: Section) -> int:
        """How often a repeated section is asked: the counted answer (1 until answered) or the list's length."""
        if section.over is not None:
            return len(self.env.lists.get(section.over, ()))
        value = self.answers.get((section.repeat or "", 0))
        return int(value) if value else 1

    def ticked(self, dimension: str) -> list[str]:
        """Problems ticked in a checklist, in form order."""
        return ticked(self.form, self.answers, dimension)

    def problem_index(self, dimension: str) -> int:
        """Position of the problem in hand among the ticked ones (-1 if gone)."""
        found = self.ticked(dimension)
        return found.index(self.problem) if self.problem in found else -1

    def cursor(self, base: Cursor) -> Cursor:
        """The walker's position as a cursor (flags from base)."""
        return Cursor(self.state, self.member_no, self.problem, base.tries, base.editing, base.confirm_cancel)


def ticked(form: Form, answers: Answers, dimension: str) -> list[str]:
    """Ticked problem codes of a problem checklist, in form order, without its "nothing" choice."""
    chosen = set((answers.get((dimension, 0)) or "").split())
    question = form.question(dimension)
    return [c.code for c in question.choices if c.code in chosen and c.code != question.none]


def item(env: Env, section: Section, number: int) -> Fields | None:
    """The listed item a repetition of a list section is about ({item.label} in its labels)."""
    items = env.lists.get(section.over or "", ()) if section.over is not None else ()
    return Fields(items[number - 1]) if 0 < number <= len(items) else None


def derive(form: Form) -> tuple[list[str], list[Move]]:
    """States and transitions from the form: linear order, repetition loops, problem loops."""
    order: list[str] = []
    for question in form.questions():
        order.append(question.code)
        if question.problems:
            order += [question.code + MEMBER, question.code + DETAIL]
    order.append(REVIEW)
    at = {state: i for i, state in enumerate(order)}
    firsts = {s.questions[0].code: s for s in form.sections if s.repeats}
    lasts = {s.questions[-1].code: s for s in form.sections if s.repeats}
    checks = _Checks()

    def arrive_forward(i: int) -> list[tuple[str, list[Check], list[Check], list[Check]]]:
        """Where moving forward onto order[i] lands: into a repetition, or past an empty one."""
        there = order[i]
        if there in firsts:
            s = firsts[there]
            past = [(d, c, u + [checks.has(s)], a) for d, c, u, a in arrive_forward(at[s.questions[-1].code] + 1)]
            return [(there, [checks.has(s)], [], [checks.first_item])] + past
        return [(there, [], [], [])]

    def arrive_backward(i: int) -> list[tuple[str, list[Check], list[Check], list[Check]]]:
        """Where moving back onto order[i] lands: the last problem's detail, the last repetition, or before them."""
        there = order[i]
        if there.endswith(DETAIL):
            dim = there[: -len(DETAIL)]
            return [(there, [checks.has_problems(dim)], [], [checks.last_problem(dim)]), (dim, [], [checks.has_problems(dim)], [])]
        if there in lasts:
            s = lasts[there]
            before = [(d, c, u + [checks.has(s)], a) for d, c, u, a in arrive_backward(at[s.questions[0].code] - 1)]
            return [(there, [checks.has(s)], [], [checks.last_item(s)])] + before
        return [(there, [], [], [])]

    def moves(trigger: str, source: str, targets: list, conditions: list, unless: list, after: list) -> list[Move]:
        """Transitions from one source, each with the exit's own guards and callbacks added."""
        return [_move(trigger, source, dest, conditions + c, unless + u, after + a) for dest, c, u, a in targets]

    forward: list[Move] = []
    backward: list[Move] = []
    if form.consent is not None:
        refuse_on = form.consent.refuse_on
        code = form.consent.code
        forward.append(_move("forward", code, REFUSED, [Check("refused", lambda w: w.answers.get((code, 0)) == refuse_on)]))
    for i, here in enumerate(order[:-1]):
        exit_unless: list[Check] = []
        exit_after: list[Check] = []
        if here in lasts:
            s = lasts[here]
            forward.append(_move("forward", here, s.questions[0].code, [checks.more(s)], after=[checks.next_item]))
            exit_unless, exit_after = [checks.more(s)], [checks.leave]
        if here in form.by_code and form.question(here).problems:
            forward.append(_move("forward", here, here + MEMBER, [checks.has_problems(here)], after=[checks.first_problem(here)]))
            forward += moves("forward", here, arrive_forward(i + 3), [], exit_unless + [checks.has_problems(here)], exit_after)
        elif here.endswith(DETAIL):
            dim = here[: -len(DETAIL)]
            forward.append(_move("forward", here, dim + MEMBER, [checks.more_problems(dim)], after=[checks.next_problem(dim)]))
            forward += moves("forward", here, arrive_forward(i + 1), [], exit_unless, exit_after + [checks.clear_problem])
        else:
            forward += moves("forward", here, arrive_forward(i + 1), [], exit_unless, exit_after)
    for i, here in enumerate(order[1:], start=1):
        if here in firsts:
            s = firsts[here]
            backward.append(_move("backward", here, s.questions[-1].code, [checks.not_first_item], after=[checks.previous_item]))
            backward += moves("backward", here, arrive_backward(i - 1), [], [checks.not_first_item], [checks.leave])
        elif here.endswith(MEMBER):
            dim = here[: -len(MEMBER)]
            backward.append(_move("backward", here, dim + DETAIL, [checks.not_first_problem(dim)], after=[checks.previous_problem(dim)]))
            backward.append(_move("backward", here, dim, after=[checks.clear_problem]))
        elif here.endswith(DETAIL):
            backward.append(_move("backward", here, order[i - 1]))
        else:
            backward += moves("backward", here, arrive_backward(i - 1), [], [], [])
    specials = [
        _move("submit", REVIEW, SUBMITTED),
        {"trigger": "cancel", "source": order, "dest": CANCELLED},
    ]
    return order + list(FINAL), forward + backward + specials


def _move(trigger: str, source: str, dest: str, conditions: list[Check] | None = None, unless: list[Check] | None = None, after: list[Check] | None = None) -> Move:
    """One transition as transitions takes it (empty lists left out)."""
    move: Move = {"trigger": trigger, "source": source, "dest": dest}
    for name, value in (("conditions", conditions), ("unless", unless), ("after", after)):
        if value:
            move[name] = list(value)
    return move


class _Checks:
    """The machine's conditions and callbacks, made once per name (callbacks only move the walker)."""

    def __init__(self) -> None:
        self.first_item = Check("first_item", _set_member(lambda w: 1))
        self.next_item = Check("next_item", _set_member(lambda w: w.member_no + 1))
        self.previous_item = Check("previous_item", _set_member(lambda w: w.member_no - 1))
        self.leave = Check("leave_repetition", _set_member(lambda w: 0))
        self.not_first_item = Check("not_first_item", lambda w: w.member_no > 1)
        self.clear_problem = Check("clear_problem", _clear_problem)
        self._made: dict[str, Check] = {}

    def _once(self, name: str, fn: Callable[[Walker], Any]) -> Check:
        """The check of this name, made on first use."""
        return self._made.setdefault(name, Check(name, fn))

    def has(self, s: Section) -> Check:
        """Condition: the section has repetitions (a count, or a non-empty list)."""
        return self._once(f"has_{s.id}", lambda w: w.count(s) > 0)

    def more(self, s: Section) -> Check:
        """Condition: a repetition follows the one in hand."""
        return self._once(f"more_{s.id}", lambda w: w.member_no < w.count(s))

    def last_item(self, s: Section) -> Check:
        """Callback: enter the section backwards, at its last repetition."""
        return self._once(f"last_of_{s.id}", _set_member(lambda w: w.count(s)))

    def has_problems(self, dim: str) -> Check:
        """Condition: the checklist has ticked problems."""
        return self._once(f"{dim}_has_problems", lambda w: bool(w.ticked(dim)))

    def more_problems(self, dim: str) -> Check:
        """Condition: a ticked problem follows the one in hand."""
        return self._once(f"more_{dim}_problems", lambda w: 0 <= w.problem_index(dim) < len(w.ticked(dim)) - 1)

    def not_first_problem(self, dim: str) -> Check:
        """Condition: a ticked problem precedes the one in hand."""
        return self._once(f"not_first_{dim}_problem", lambda w: w.problem_index(dim) > 0)

    def first_problem(self, dim: str) -> Check:
        """Callback: take the first ticked problem."""
        return self._once(f"first_{dim}_problem", _set_problem(lambda w: w.ticked(dim)[0]))

    def last_problem(self, dim: str) -> Check:
        """Callback: take the last ticked problem (coming back)."""
        return self._once(f"last_{dim}_problem", _set_problem(lambda w: w.ticked(dim)[-1]))

    def next_problem(self, dim: str) -> Check:
        """Callback: take the next ticked problem."""
        return self._once(f"next_{dim}_problem", _set_problem(lambda w: w.ticked(dim)[w.problem_index(dim) + 1]))

    def previous_problem(self, dim: str) -> Check:
        """Callback: take the previous ticked problem."""
        return self._once(f"previous_{dim}_problem", _set_problem(lambda w: w.ticked(dim)[w.problem_index(dim) - 1]))


def _set_member(value: Callable[[Walker], int]) -> Callable[[Walker], None]:
    """Callback: move to another repetition."""

    def set_member(w: Walker) -> None:
        w.member_no = value(w)

    return set_member


def _set_problem(value: Callable[[Walker], str]) -> Callable[[Walker], None]:
    """Callback: take another ticked problem."""

    def set_problem(w: Walker) -> None:
        w.problem = value(w)

    return set_problem


def _clear_problem(w: Walker) -> None:
    """Leave the problem follow-ups."""
    w.problem = ""

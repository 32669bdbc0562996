"""The engine's base: the machine built once from the form, and moving through it under given answers."""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import replace
from typing import Any

from transitions import Machine

from bot.dialogs.answers import BE_OFFSET
from bot.dialogs.checks import concerned, holds
from bot.dialogs.cursor import DETAIL, FINAL, HOUSEHOLD, MEMBER, REVIEW, Answers, Cursor, Key
from bot.dialogs.form import Form, Question, Section
from bot.dialogs.inputs import Env
from bot.dialogs.machine import Walker, derive, item, ticked
from bot.dialogs.validate import choices_of


class Dialog:
    """The dialog of one form version: its machine and how a walker moves through it."""

    def __init__(self, form: Form):
        self.form = form
        self.states, self.transitions = derive(form)
        self.machine = Machine(
            model=None,
            states=self.states,
            transitions=self.transitions,
            initial=self.states[0],
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=True,
        )
        # The machine's transitions by trigger and source, read once. A step walks ~30 moves
        # (progress counts every asked question); firing them through transitions' event
        # dispatch (EventData, callback resolution, ~9 debug log calls each) cost most of a
        # step's engine time. `_move` applies the same transitions, conditions and callbacks.
        # _move applies conditions and `after` only: fail at start rather than skip anything else.
        unsupported = [t for event in self.machine.events.values() for moves in event.transitions.values() for t in moves if t.prepare or t.before]
        if unsupported or any(state.on_enter or state.on_exit for state in self.machine.states.values()):
            raise ValueError(f"form {form.id} {form.version}: the dialog machine uses callbacks the engine does not apply")
        self._moves = {
            name: {
                source: tuple((t.dest, tuple((c.func, c.target) for c in t.conditions), tuple(t.after)) for t in moves)
                for source, moves in event.transitions.items()
            }
            for name, event in self.machine.events.items()
        }
        self.dimensions = [q.code for q in form.questions() if q.problems]
        # The form's soft checks, each with the problem checklist its suggestion is ticked in.
        self.checks = tuple((c, next(d for d in self.dimensions if form.question(d).choice(c.suggest))) for c in form.checks)
        self.first = Cursor(state=self.states[0])
        # The last question of a repetition that ends with a one-line summary (members).
        self._summarised = {s.questions[-1].code for s in form.sections if s.summary}
        # Per question: the section it belongs to and the placeholders its label fills.
        self._section = {q.code: form.section_of(q.code) for q in form.questions()}
        self._placeholders = {q.code: tuple(name.split(".")[0] for _t, name, _f, _c in string.Formatter().parse(q.label) if name) for q in form.questions()}

    def _move(self, trigger: str, w: Walker) -> bool:
        """Fire a trigger on the walker as the machine would: the first transition whose conditions hold moves it."""
        if w.state not in self.machine.states:
            raise ValueError(f"State '{w.state}' is not a registered state.")
        for dest, conditions, after in self._moves[trigger].get(w.state, ()):
            if all(check.fn(w) == target for check, target in conditions):
                w.state = dest
                for callback in after:
                    callback.fn(w)
                return True
        return False

    def _resolved(self, cursor: Cursor) -> Cursor:
        """A cursor with its state set (an empty state is the first question)."""
        return cursor if cursor.state else replace(cursor, state=self.first.state)

    def _walker(self, cursor: Cursor, answers: Answers, env: Env) -> Walker:
        """A walker at the cursor."""
        return Walker(self.form, cursor, answers, env)

    # -- answers and relevance --------------------------------------------------------

    def ticked(self, answers: Answers, dimension: str) -> list[str]:
        """Ticked problem codes of a problem checklist, in form order, without its "nothing" choice."""
        return ticked(self.form, answers, dimension)

    def survey_year_be(self, answers: Answers, env: Env) -> int:
        """The Buddhist Era year ages are counted in: the form's age date (today until answered)."""
        value = answers.get((self.form.age[1], 0)) if self.form.age else None
        year = dt.date.fromisoformat(value).year if value else env.today.year
        return year + BE_OFFSET

    def age(self, answers: Answers, member_no: int, env: Env) -> int | None:
        """A member's age in the survey year, from the birth year the form names."""
        value = answers.get((self.form.age[0], member_no)) if self.form.age else None
        return self.survey_year_be(answers, env) - int(value) if value else None

    def key(self, w: Walker | Cursor) -> Key:
        """The answer key of the slot in hand."""
        if w.state.endswith(MEMBER):
            return (w.problem + MEMBER, 0)
        if w.state.endswith(DETAIL):
            return (w.problem + DETAIL, 0)
        question = self.form.by_code.get(w.state)
        return (w.state, w.member_no if question is not None and question.repeated else 0)

    def relevant(self, w: Walker) -> bool:
        """Is the slot in hand asked at all (its section's and its own relevance, empty sources)?"""
        question = self.form.by_code.get(w.state)
        section = self._section.get(w.state.split(".")[0])
        if section is not None and section.relevant_if is not None and not holds(self, section.relevant_if, w.answers, w.env, 0):
            return False
        if question is not None and question.relevant_if is not None and not holds(self, question.relevant_if, w.answers, w.env, w.member_no if question.repeated else 0):
            return False
        if question is None:
            if w.state.endswith(DETAIL) and self.form.question(w.state[: -len(DETAIL)]).detail == "on_request":
                return w.offered or self.key(w) in w.answers
            return True
        if question.source and not choices_of(question, w.env):
            return False
        if question.ask == "on_review":
            return w.offered or self.key(w) in w.answers
        if question.relevant is not None:
            variables = {"member_no": w.member_no, "age": self.age(w.answers, w.member_no, w.env)}
            return question.relevant.holds(variables)
        return True

    def required(self, question: Question | None, member_no: int, answers: Answers, env: Env) -> bool:
        """Must the question in hand be answered (its `required`, or its required condition under these answers)?"""
        if question is None:
            return False
        if question.required_if is not None:
            return holds(self, question.required_if, answers, env, member_no if question.repeated else 0)
        return question.required

    def answered(self, w: Walker | Cursor, answers: Answers, env: Env) -> bool:
        """Has the slot an answer that stands (a skip stands unless the question has become required)?"""
        key = self.key(w)
        if key not in answers:
            return False
        question = self.form.by_code.get(w.state)
        # Only a required condition can turn a skip into a missing answer (a `required: true` question is never skipped).
        return answers[key] is not None or question is None or question.required_if is None or not self.required(question, w.member_no, answers, env)

    def prefill(self, w: Walker) -> str | None:
        """The value the first repetition takes from the household part (the head), if any."""
        if w.state.endswith(MEMBER) and self.form.question(w.state[: -len(MEMBER)]).whom == HOUSEHOLD:
            return HOUSEHOLD  # the form says its problems concern the whole household: not asked
        question = self.form.by_code.get(w.state)
        if question is None or not question.prefill_first or w.member_no != 1:
            return None
        source = question.prefill_first
        if source in self.form.by_code:
            value = w.answers.get((source, 0))
            no_value = self.form.question(source).no_value
            return None if not value or (no_value and value == no_value.code) else value
        return source

    def inferred(self, w: Walker, answers: Answers) -> str | None:
        """A choice the form takes from how an earlier answer starts (a name's title), if any."""
        question = self.form.by_code.get(w.state)
        if question is None and w.state.endswith(MEMBER):
            # A ticked problem whose member the form makes known (the household's, the one child of an age).
            problem = self.form.question(w.state[: -len(MEMBER)]).choice(w.problem)
            return concerned(self, problem, answers, w.env) if problem is not None else None  # type: ignore[arg-type]
        if question is None or question.infer is None:
            return None
        source, prefixes = question.infer
        typed = answers.get((source, w.member_no if self.form.question(source).repeated else 0)) or ""
        return next((code for prefix, code in prefixes if typed.startswith(prefix)), None)

    def known(self, w: Walker) -> str | None:
        """The value the bot knows for the question in hand (not asked), if the form declares one."""
        question = self.form.by_code.get(w.state)
        if question is None or question.known_from is None:
            return None
        # "" is known to be empty (a community without a village number): stored as skipped.
        value = w.env.known.get(question.known_from)
        return None if value == "" and question.required else value

    def label_params(self, question: Question, member_no: int, env: Env) -> dict[str, Any]:
        """What a question's label fills in: the repetition number, the listed item, the area names."""
        params: dict[str, Any] = {}
        for name in self._placeholders[question.code]:
            if name == "member_no":
                params[name] = member_no
            elif name == "item":
                params[name] = item(env, self._section[question.code], member_no)
            elif name in env.area:
                params[name] = env.area[name]
        # The area names come together (a translation may use any of them).
        if any(name in env.area for name in self._placeholders[question.code]):
            params.update(env.area)
        return params

    def section(self, question: Question) -> Section:
        """The section a question belongs to."""
        return self._section[question.code]

    # -- moving --------------------------------------------------------------------

    def _forward(self, w: Walker, writes: list[tuple[Key, str | None]], answers: dict[Key, str | None], passed: list[str] | None = None) -> None:
        """Move to the next question that is asked, filling the first repetition's prefilled answers."""
        while self._move("forward", w):
            if w.state in FINAL or w.state == REVIEW:
                return
            # Member 1's prefilled answers are stored even where the question is not asked (relation).
            value = self.prefill(w)
            if value is None and self.key(w) not in answers:
                # Inferred once (a title's sex, a problem's known member); later walks list it as answered.
                value = self.inferred(w, answers)
            if value is not None:
                if answers.get(self.key(w)) != value:
                    writes.append((self.key(w), value))
                    answers[self.key(w)] = value
                continue
            known = self.known(w)
            if known is not None:
                # Filled in once; an answer changed from the review is not overwritten. Known to be
                # empty (a community without a village number): stored as skipped.
                if self.key(w) not in answers:
                    writes.append((self.key(w), known or None))
                    answers[self.key(w)] = known or None
                if passed is not None:
                    passed.append(f"{w.state}|{w.member_no}|{w.problem}")
                continue
            if not self.relevant(w):
                continue
            return

    def _backward(self, w: Walker) -> bool:
        """Move to the previous asked question; False at the first one."""
        start = (w.state, w.member_no, w.problem)
        while self._move("backward", w):
            if self.relevant(w) and self.prefill(w) is None and self.known(w) is None:
                return True
        w.state, w.member_no, w.problem = start
        return False

    def walk(self, answers: Answers, env: Env, offered: bool = False, known: bool = False) -> list[str]:
        """Every slot asked under these answers, in order, up to the review (offered: with on-request follow-ups; known: with the known ones, filled in unasked)."""
        w = self._walker(self.first, answers, env)
        w.offered = offered
        slots = [self.first.slot]
        scratch = dict(answers)
        while True:
            self._forward(w, [], scratch, slots if known else None)
            if w.state in FINAL or w.state == REVIEW:
                return slots
            slots.append(f"{w.state}|{w.member_no}|{w.problem}")

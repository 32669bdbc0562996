"""The dialog engine: a `transitions` machine derived from the form, and one pure step function.

`Engine(form)` is built once per form version. `step(cursor, answers, input, env)` returns
the new cursor, the answers to store and what to say (message ids, options): the caller
stores and renders. The cursor is only a pointer into the stored answers.

States are the form's question codes (a repeated section's questions once, the member
number lives in the cursor), a member and a detail follow-up per problem checklist,
then `review` and the final states. Moves are `forward` and `backward`; conditions pick
the member loop, the problem follow-up loop and the refusal exit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from transitions import Machine

from bot.dialogs.answers import BE_OFFSET, AnswerError, format_date_be, format_national_id, normalize_digits, parse_numbers, parse_text
from bot.dialogs.form import Form, Question
from bot.dialogs.inputs import Env, Input
from bot.dialogs.prompts import Ask, Label, Msg, Option, Review, ReviewItem, ReviewSection
from bot.dialogs.validate import Parsed, choices_of, hint_of, match_choice, parse_answer, phone_label
from bot.i18n import N_

REVIEW, SUBMITTED, REFUSED, CANCELLED = "review", "submitted", "refused", "cancelled"
FINAL = (SUBMITTED, REFUSED, CANCELLED)
MEMBER, DETAIL = ".member", ".detail"
HOUSEHOLD = "household"
# After this many wrong answers to one question, the help text and (if optional) Skip are shown.
TRIES_BEFORE_HELP = 3

Key = tuple[str, int]
Answers = Mapping[Key, "str | None"]


@dataclass(frozen=True)
class Cursor:
    """Where a draft stands: a state, the member and problem in hand, and a few flags."""

    state: str = "consent"
    member_no: int = 0
    problem: str = ""
    tries: int = 0
    editing: bool = False
    confirm_cancel: bool = False

    @property
    def slot(self) -> str:
        """A short id of the question in hand, put into buttons to detect stale taps."""
        return f"{self.state}|{self.member_no}|{self.problem}"

    def at(self, slot: str) -> "Cursor":
        """The same cursor moved to a slot id."""
        state, member, problem = (slot.split("|") + ["0", ""])[:3]
        return replace(self, state=state, member_no=int(member or 0), problem=problem, tries=0)


@dataclass
class Outcome:
    """The result of one step: the new cursor, what to store, what to say."""

    cursor: Cursor
    writes: list[tuple[Key, str | None]] = field(default_factory=list)
    notes: list[Msg] = field(default_factory=list)
    ask: Ask | None = None
    review: Review | None = None
    options: tuple[Option, ...] = ()
    event: str | None = None


class _Check:
    """A named condition or callback of the machine (the name shows in the diagram)."""

    def __init__(self, name: str, fn: Callable[["_Walker"], Any]):
        self.name, self.fn = name, fn
        self.__name__ = name

    def __call__(self, event_data: Any) -> Any:
        return self.fn(event_data.model)

    def __repr__(self) -> str:
        return self.name


class _Walker:
    """The machine's model for one step: a mutable copy of the cursor plus the answers."""

    def __init__(self, engine: "Engine", cursor: Cursor, answers: Answers, env: Env):
        self.engine, self.answers, self.env = engine, answers, env
        self.state, self.member_no, self.problem = cursor.state, cursor.member_no, cursor.problem

    def member_count(self) -> int:
        """The answered member count (1 until answered)."""
        value = self.answers.get(("member_count", 0))
        return int(value) if value else 1

    def ticked(self, dimension: str) -> list[str]:
        """Problems ticked in a checklist, in form order."""
        return self.engine.ticked(self.answers, dimension)

    def problem_index(self, dimension: str) -> int:
        """Position of the problem in hand among the ticked ones (-1 if gone)."""
        ticked = self.ticked(dimension)
        return ticked.index(self.problem) if self.problem in ticked else -1

    def cursor(self, base: Cursor) -> Cursor:
        """The walker's position as a cursor (flags from base)."""
        return replace(base, state=self.state, member_no=self.member_no, problem=self.problem)


class Engine:
    """The dialog of one form version; build once, share across requests."""

    def __init__(self, form: Form):
        self.form = form
        self.states, self.transitions = self._derive()
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

    # -- the machine, derived from the form ----------------------------------------------

    def _derive(self) -> tuple[list[str], list[dict[str, Any]]]:
        """States and transitions from the form: linear order plus member and problem loops."""
        order: list[str] = []
        for question in self.form.questions():
            order.append(question.code)
            if question.problems:
                order += [question.code + MEMBER, question.code + DETAIL]
        order.append(REVIEW)
        repeated = [q.code for q in self.form.questions() if q.repeated]
        first_m, last_m = (repeated[0], repeated[-1]) if repeated else (None, None)
        forward: list[dict[str, Any]] = []
        backward: list[dict[str, Any]] = []
        consent = self.form.question(order[0])
        forward.append({"trigger": "forward", "source": order[0], "dest": REFUSED, "conditions": [_Check("refused", lambda w: w.answers.get((consent.code, 0)) == consent.refuse_on)]})
        for i, (here, there) in enumerate(zip(order, order[1:])):
            if here == last_m:
                forward.append({"trigger": "forward", "source": here, "dest": first_m, "conditions": [_Check("more_members", lambda w: w.member_no < w.member_count())], "after": [_Check("next_member", _next_member)]})
                backward.append({"trigger": "backward", "source": first_m, "dest": last_m, "conditions": [_Check("not_first_member", lambda w: w.member_no > 1)], "after": [_Check("previous_member", _previous_member)]})
            if there == first_m:
                forward.append({"trigger": "forward", "source": here, "dest": there, "after": [_Check("first_member", _first_member)]})
                backward.append({"trigger": "backward", "source": there, "dest": here, "unless": [_Check("not_first_member", lambda w: w.member_no > 1)], "after": [_Check("leave_members", _leave_members)]})
                continue
            if here == last_m:
                forward.append({"trigger": "forward", "source": here, "dest": there, "unless": [_Check("more_members", lambda w: w.member_no < w.member_count())], "after": [_Check("leave_members", _leave_members)]})
                backward.append({"trigger": "backward", "source": there, "dest": here, "after": [_Check("last_member", _last_member)]})
                continue
            if here in self.form.by_code and self.form.question(here).problems:
                dim, after_followups = here, order[i + 3]
                forward.append({"trigger": "forward", "source": dim, "dest": dim + MEMBER, "conditions": [_Check(f"{dim}_has_problems", _has(dim))], "after": [_Check("first_problem", _first_problem(dim))]})
                forward.append({"trigger": "forward", "source": dim, "dest": after_followups, "unless": [_Check(f"{dim}_has_problems", _has(dim))]})
                backward.append({"trigger": "backward", "source": after_followups, "dest": dim + DETAIL, "conditions": [_Check(f"{dim}_has_problems", _has(dim))], "after": [_Check("last_problem", _last_problem(dim))]})
                backward.append({"trigger": "backward", "source": after_followups, "dest": dim, "unless": [_Check(f"{dim}_has_problems", _has(dim))]})
                continue
            if here.endswith(MEMBER):
                forward.append({"trigger": "forward", "source": here, "dest": there})
                backward.append({"trigger": "backward", "source": there, "dest": here})
                dim = here[: -len(MEMBER)]
                backward.append({"trigger": "backward", "source": here, "dest": dim + DETAIL, "conditions": [_Check("not_first_problem", lambda w, d=dim: w.problem_index(d) > 0)], "after": [_Check("previous_problem", _step_problem(dim, -1))]})
                backward.append({"trigger": "backward", "source": here, "dest": dim, "after": [_Check("clear_problem", _clear_problem)]})
                continue
            if here.endswith(DETAIL):
                dim = here[: -len(DETAIL)]
                forward.append({"trigger": "forward", "source": here, "dest": dim + MEMBER, "conditions": [_Check("more_problems", lambda w, d=dim: 0 <= w.problem_index(d) < len(w.ticked(d)) - 1)], "after": [_Check("next_problem", _step_problem(dim, 1))]})
                forward.append({"trigger": "forward", "source": here, "dest": there, "after": [_Check("clear_problem", _clear_problem)]})
                continue
            forward.append({"trigger": "forward", "source": here, "dest": there})
            if not there.endswith((MEMBER, DETAIL)):
                backward.append({"trigger": "backward", "source": there, "dest": here})
        specials = [
            {"trigger": "submit", "source": REVIEW, "dest": SUBMITTED},
            {"trigger": "cancel", "source": order[:-1] + [REVIEW], "dest": CANCELLED},
        ]
        return order + list(FINAL), forward + backward + specials

    def _move(self, trigger: str, w: _Walker) -> bool:
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

    # -- answers and relevance --------------------------------------------------------

    def ticked(self, answers: Answers, dimension: str) -> list[str]:
        """Ticked problem codes of a problem checklist, in form order, without "none"."""
        value = answers.get((dimension, 0)) or ""
        chosen = set(value.split())
        question = self.form.question(dimension)
        return [c.code for c in question.choices if c.code in chosen and c.code != question.none]

    def survey_year_be(self, answers: Answers, env: Env) -> int:
        """The Buddhist Era year of the survey date (today until answered)."""
        value = answers.get(("survey_date", 0))
        year = dt.date.fromisoformat(value).year if value else env.today.year
        return year + BE_OFFSET

    def age(self, answers: Answers, member_no: int, env: Env) -> int | None:
        """A member's age in the survey year, from the stored birth year."""
        value = answers.get(("m_birth_year", member_no))
        return self.survey_year_be(answers, env) - int(value) if value else None

    def key(self, w: _Walker | Cursor) -> Key:
        """The answer key of the slot in hand."""
        if w.state.endswith(MEMBER):
            return (w.problem + MEMBER, 0)
        if w.state.endswith(DETAIL):
            return (w.problem + DETAIL, 0)
        question = self.form.by_code.get(w.state)
        return (w.state, w.member_no if question is not None and question.repeated else 0)

    def relevant(self, w: _Walker) -> bool:
        """Is the slot in hand asked at all (relevance, empty sources)?"""
        question = self.form.by_code.get(w.state)
        if question is None:
            return True
        if question.source and not choices_of(question, w.env):
            return False
        if question.relevant is not None:
            variables = {"member_no": w.member_no, "age": self.age(w.answers, w.member_no, w.env)}
            return question.relevant.holds(variables)
        return True

    def prefill(self, w: _Walker) -> str | None:
        """The value member 1 takes from the household part (the head), if any."""
        question = self.form.by_code.get(w.state)
        if question is None or not question.prefill_first or w.member_no != 1:
            return None
        source = question.prefill_first
        if source in self.form.by_code:
            value = w.answers.get((source, 0))
            no_value = self.form.question(source).no_value
            return None if not value or (no_value and value == no_value.code) else value
        return source

    # -- moving --------------------------------------------------------------------

    def _forward(self, w: _Walker, writes: list[tuple[Key, str | None]], answers: dict[Key, str | None]) -> None:
        """Move to the next question that is asked, filling member 1's prefilled answers."""
        while self._move("forward", w):
            if w.state in FINAL or w.state == REVIEW:
                return
            # Member 1's prefilled answers are stored even where the question is not asked (relation).
            value = self.prefill(w)
            if value is not None:
                if answers.get(self.key(w)) != value:
                    writes.append((self.key(w), value))
                    answers[self.key(w)] = value
                continue
            if not self.relevant(w):
                continue
            return

    def _backward(self, w: _Walker) -> bool:
        """Move to the previous asked question; False at the first one."""
        start = (w.state, w.member_no, w.problem)
        while self._move("backward", w):
            if self.relevant(w) and self.prefill(w) is None:
                return True
        w.state, w.member_no, w.problem = start
        return False

    def walk(self, answers: Answers, env: Env) -> list[str]:
        """Every slot asked under these answers, in order, up to the review."""
        w = _Walker(self, Cursor(), answers, env)
        slots = [Cursor().slot]
        scratch = dict(answers)
        while True:
            self._forward(w, [], scratch)
            if w.state in FINAL or w.state == REVIEW:
                return slots
            slots.append(f"{w.state}|{w.member_no}|{w.problem}")

    # -- the step -----------------------------------------------------------------

    def start(self, answers: Answers, env: Env) -> Outcome:
        """A new draft: the consent question."""
        cursor = Cursor()
        return self.show(cursor, answers, env)

    def show(self, cursor: Cursor, answers: Answers, env: Env, notes: list[Msg] | None = None) -> Outcome:
        """What to show for a cursor: its question, the review, or nothing for a closed draft."""
        notes = list(notes or [])
        if cursor.state in FINAL:
            return Outcome(cursor, notes=notes, event="closed")
        if cursor.confirm_cancel:
            return Outcome(cursor, notes=notes + [Msg(N_("Cancel this survey? The answers are kept as a cancelled draft and can no longer be continued."))], options=(Option("cancel_yes", Msg(N_("Yes, cancel"))), Option("cancel_no", Msg(N_("No, continue")))))
        if cursor.state == REVIEW:
            return Outcome(cursor, notes=notes, review=self.review(answers, env))
        return Outcome(cursor, notes=notes, ask=self.ask(cursor, answers, env))

    def step(self, cursor: Cursor, answers: Answers, given: Input, env: Env) -> Outcome:
        """Apply one user action to a draft."""
        if cursor.state in FINAL:
            return Outcome(cursor, event="closed")
        if given.slot is not None and given.slot != cursor.slot and given.kind != "edit":
            return self._stale(cursor, answers, given, env)
        if cursor.confirm_cancel:
            if given.kind == "command" and given.value == "cancel_yes":
                w = _Walker(self, cursor, answers, env)
                self._move("cancel", w)
                return Outcome(w.cursor(replace(cursor, confirm_cancel=False)), event="cancelled")
            return self.show(replace(cursor, confirm_cancel=False), answers, env, [Msg(N_("The survey continues."))])
        if given.kind == "command":
            return self._command(cursor, answers, given.value, env)
        if given.kind == "edit":
            return self._edit(cursor, answers, given.value, env)
        if cursor.state == REVIEW:
            return self.show(cursor, answers, env, [Msg(N_("Please check the answers below, then tap \"Submit\" or \"Edit\" on the answer to change."))])
        return self._answer(cursor, answers, given, env)

    def _command(self, cursor: Cursor, answers: Answers, name: str, env: Env) -> Outcome:
        """Back, pause, cancel, help, skip, keep, done, submit."""
        if name == "pause":
            return Outcome(cursor, event="paused")
        if name == "cancel":
            return self.show(replace(cursor, confirm_cancel=True), answers, env)
        if name == "help":
            return self.show(cursor, answers, env, self._help(cursor, answers, env))
        if name == "back":
            w = _Walker(self, cursor, answers, env)
            if cursor.state == REVIEW:
                w.state = self.states[self.states.index(REVIEW) - 1]
                if not (self.relevant(w) and self.prefill(w) is None):
                    self._backward(w)
                return self.show(w.cursor(replace(cursor, tries=0)), answers, env)
            if not self._backward(w):
                return self.show(cursor, answers, env, [Msg(N_("This is the first question."))])
            return self.show(w.cursor(replace(cursor, tries=0)), answers, env)
        if name == "submit":
            if cursor.state != REVIEW:
                return self.show(cursor, answers, env, [Msg(N_("The survey can be submitted after the last question."))])
            w = _Walker(self, cursor, answers, env)
            self._move("submit", w)
            return Outcome(w.cursor(cursor), event="submitted")
        if name == "review":
            missing = self._first_unanswered(answers, env)
            if missing is not None:
                return self.show(cursor.at(missing), answers, env, [Msg(N_("Some questions are not answered yet."))])
            return self.show(replace(cursor, state=REVIEW, member_no=0, problem="", editing=False, tries=0), answers, env)
        if cursor.state == REVIEW:
            return self.show(cursor, answers, env)
        question = self._question(cursor)
        if name == "skip":
            if question is not None and question.required and not cursor.state.endswith((MEMBER, DETAIL)):
                return self.show(cursor, answers, env, [Msg(N_("This question must be answered; it cannot be skipped."))])
            return self._store_and_advance(cursor, answers, None, env)
        if name == "keep":
            key = self.key(cursor)
            if key not in answers:
                return self.show(cursor, answers, env, [Msg(N_("This question has no answer yet."))])
            return self._store_and_advance(cursor, answers, answers[key], env, write=False)
        if name == "done" and question is not None and question.type == "checklist":
            if not answers.get(self.key(cursor)):
                return self.show(replace(cursor, tries=cursor.tries + 1), answers, env, [Msg(N_("Please choose at least one item, or the \"none\" item, then tap \"Done\"."))])
            return self._store_and_advance(cursor, answers, answers[self.key(cursor)], env, write=False)
        return self.show(cursor, answers, env)

    def _answer(self, cursor: Cursor, answers: Answers, given: Input, env: Env) -> Outcome:
        """Check an answer to the question in hand; store it and move on, or explain and ask again."""
        question = self._question(cursor)
        try:
            if question is not None and question.type == "checklist":
                return self._checklist(cursor, answers, question, given, env)
            parsed = self._parse(cursor, answers, question, given, env)
        except AnswerError as error:
            return self._wrong(cursor, answers, error, env)
        return self._store_and_advance(cursor, answers, parsed.value, env, note=parsed.note)

    def _parse(self, cursor: Cursor, answers: Answers, question: Question | None, given: Input, env: Env) -> Parsed:
        """The value of an answer (follow-ups have their own rules)."""
        if question is not None:
            return parse_answer(question, given, env, self.survey_year_be(answers, env))
        if cursor.state.endswith(MEMBER):
            members = self._member_options(answers)
            typed = given.value if given.kind == "option" else " ".join(normalize_digits(given.text).split())
            for option in members:
                label = option.label if isinstance(option.label, str) else env.translate(option.label.id)
                if typed in (option.value, str(option.number)) or typed.casefold() == label.casefold():
                    return Parsed(option.value)
            raise AnswerError(N_("Please tap the member concerned, or type their number (1 to {count})."), {"count": len(members)})
        if given.kind != "text":
            raise AnswerError(N_("Please answer the question above."))
        return Parsed(parse_text(given.text, 500))

    def _checklist(self, cursor: Cursor, answers: Answers, question: Question, given: Input, env: Env) -> Outcome:
        """Toggle an item, or take typed numbers as the whole selection."""
        key = self.key(cursor)
        chosen = [c for c in (answers.get(key) or "").split() if c]
        if given.kind in ("toggle", "option"):
            code = given.value
            if question.choice(code) is None:
                raise AnswerError(N_("Please answer the question above."))
            if code == question.none:
                return self._store_and_advance(cursor, answers, code, env)
            chosen = [c for c in chosen if c != question.none]
            chosen = [c for c in chosen if c != code] if code in chosen else chosen + [code]
            value = " ".join(c.code for c in question.choices if c.code in chosen)
            merged = dict(answers)
            merged[key] = value or None
            outcome = self.show(replace(cursor, tries=0), merged, env)
            outcome.writes.append((key, value or None))
            return outcome
        named = match_choice(question, given.text, env) if not parse_numbers_like(given.text) else None
        if named is not None:
            return self._checklist(cursor, answers, question, Input("toggle", value=named.code), env)
        numbers = parse_numbers(given.text, len(question.choices))
        codes = [question.choices[n - 1].code for n in numbers]
        if question.none in codes and len(codes) > 1:
            raise AnswerError(N_("\"{none}\" cannot be chosen together with other items."), {"none": Msg(question.choice(question.none).label)})
        value = " ".join(c.code for c in question.choices if c.code in codes)
        return self._store_and_advance(cursor, answers, value, env)

    def _store_and_advance(self, cursor: Cursor, answers: Answers, value: str | None, env: Env, write: bool = True, note: Msg | None = None) -> Outcome:
        """Store an answer and move to the next question (after an edit: the next unanswered one)."""
        key = self.key(cursor)
        merged = dict(answers)
        writes: list[tuple[Key, str | None]] = []
        if write:
            merged[key] = value
            writes.append((key, value))
        notes: list[Msg] = [note] if note is not None else []  # an interpreted answer, said back
        w = _Walker(self, cursor, merged, env)
        finished_member = self._question(cursor) is not None and cursor.state == self._last_member_question()
        self._forward(w, writes, merged)
        if cursor.editing:
            # After an edit, skip what is answered; within one member, walk their questions in turn.
            while w.state not in FINAL and w.state != REVIEW and self.key(w) in merged and not (cursor.member_no and w.member_no == cursor.member_no):
                self._forward(w, writes, merged)
        question = self._question(cursor)
        if write and value is not None and question is not None and question.type in ("date", "location"):
            # A picked date or a shared location shows no text in the chat: confirm what was stored.
            notes.append(Msg(N_("Recorded: {answer}"), {"answer": Join(self.display(cursor.state, value, merged, env))}))
        if finished_member:
            notes.append(self.member_summary(merged, cursor.member_no, env))
        new = w.cursor(replace(cursor, tries=0, editing=cursor.editing and w.state != REVIEW))
        if w.state == REFUSED:
            return Outcome(new, writes=writes, event="refused")
        outcome = self.show(new, merged, env, notes)
        outcome.writes[:0] = writes
        return outcome

    def _wrong(self, cursor: Cursor, answers: Answers, error: AnswerError, env: Env) -> Outcome:
        """A wrong answer: why, an example, the same question; help after repeated tries."""
        tries = cursor.tries + 1
        notes = [Msg(error.message, error.params)]
        question = self._question(cursor)
        if question is not None and question.hint:
            notes.append(Msg(N_("Example: {hint}"), {"hint": hint_of(question, env)}))
        if tries >= TRIES_BEFORE_HELP:
            notes += self._help(cursor, answers, env)
        outcome = self.show(replace(cursor, tries=tries), answers, env, notes)
        if outcome.ask is not None and question is not None and question.hint:
            outcome.ask = replace(outcome.ask, hint=None)  # the example above already shows the format
        return outcome

    def _help(self, cursor: Cursor, answers: Answers, env: Env) -> list[Msg]:
        """The help text of the question in hand."""
        question = self._question(cursor)
        if question is not None and question.help:
            return [Msg(N_("Help: {text}"), {"text": Msg(question.help)})]
        if cursor.state == REVIEW:
            return [Msg(N_("Help: check the answers; tap \"Edit\" next to an answer to change it, then \"Submit\"."))]
        return [Msg(N_("Help: answer the question, or tap \"Back\" to go to the previous question, \"Pause\" to continue later or \"Cancel\" to stop this survey."))]

    def _stale(self, cursor: Cursor, answers: Answers, given: Input, env: Env) -> Outcome:
        """A tap on a button of another question: change nothing, offer to edit that answer."""
        outcome = self.show(cursor, answers, env, [Msg(N_("That button belongs to a question already answered, so nothing was changed. To change that answer, tap \"Edit that answer\"; otherwise answer the question below."))])
        if given.slot and given.slot.split("|")[0] in self.states and cursor.state not in FINAL:
            outcome.options = (Option("edit", Msg(N_("Edit that answer")), value=given.slot),)
        outcome.event = "stale"
        return outcome

    def _edit(self, cursor: Cursor, answers: Answers, slot: str, env: Env) -> Outcome:
        """Jump to an answered question (from the review or a member summary) to change it."""
        target = cursor.at(slot)
        if target.state not in self.states or target.state in FINAL or slot not in self.walk(answers, env):
            return self.show(cursor, answers, env, [Msg(N_("That question is not part of this survey any more."))])
        return self.show(replace(target, editing=True, confirm_cancel=False), answers, env)

    def edit_member(self, cursor: Cursor, answers: Answers, member_no: int, env: Env) -> Outcome:
        """Go through one member's answers again (แก้ไขสมาชิกคนที่ N)."""
        slots = [s for s in self.walk(answers, env) if s.split("|")[1] == str(member_no) and s.split("|")[0] in self.form.by_code]
        if not slots:
            return self.show(cursor, answers, env, [Msg(N_("There is no member {number} in this household yet."), {"number": member_no})])
        return self._edit(cursor, answers, slots[0], env)

    def _first_unanswered(self, answers: Answers, env: Env) -> str | None:
        """The first asked slot without a stored answer (None when all are answered)."""
        for slot in self.walk(answers, env):
            if self.key(Cursor().at(slot)) not in answers:
                return slot
        return None

    # -- prompts ---------------------------------------------------------------------

    def _question(self, cursor: Cursor) -> Question | None:
        """The form question in hand (None for follow-ups and review)."""
        return self.form.by_code.get(cursor.state)

    def _last_member_question(self) -> str | None:
        """The last question of the repeated section."""
        repeated = [q.code for q in self.form.questions() if q.repeated]
        return repeated[-1] if repeated else None

    def ask(self, cursor: Cursor, answers: Answers, env: Env) -> Ask:
        """The question in hand, with progress, options and controls."""
        slots = self.walk(answers, env)
        number = slots.index(cursor.slot) + 1 if cursor.slot in slots else len(slots)
        question = self._question(cursor)
        key = self.key(cursor)
        current = self.display(cursor.state, answers.get(key), answers, env) if key in answers else None
        controls: list[Option] = []
        if number > 1:
            controls.append(Option("back", Msg(N_("Back"))))
        if question is None:
            dim = self.form.question(cursor.state.split(".")[0])
            problem = dim.choice(cursor.problem)
            problem_label = Msg(problem.label) if problem else cursor.problem
            if cursor.state.endswith(MEMBER):
                label = Msg(N_("Problem {code} \"{problem}\": which member does it concern?"), {"code": cursor.problem, "problem": problem_label})
                options = self._member_options(answers)
                hint = Msg(N_("Tap the member, \"Whole household\" or \"Skip\""))
            else:
                label = Msg(N_("Problem {code} \"{problem}\": a short detail (optional)"), {"code": cursor.problem, "problem": problem_label})
                options = ()
                hint = Msg(N_("Type a short detail, or tap \"Skip\""))
            controls.append(Option("skip", Msg(N_("Skip"))))
            section = self.form.section_of(dim.code).title
            return Ask(cursor.slot, cursor.state, "follow_up", (number, len(slots)), section, label, hint, tuple(options), tuple(controls) + self._common_controls(key, answers), current)
        options: list[Option] = []
        dates = None
        if question.type in ("choice", "yes_no"):
            options = [Option("answer", c.label if question.source else Msg(c.label), c.code, i, short=Msg(c.short) if c.short else None) for i, c in enumerate(choices_of(question, env), start=1)]
        elif question.type == "checklist":
            chosen = set((answers.get(key) or "").split())
            options = [Option("toggle", Msg(c.label), c.code, i, c.code in chosen, Msg(c.short) if c.short else None) for i, c in enumerate(question.choices, start=1)]
            controls.insert(0, Option("done", Msg(N_("Done"))))
        elif question.type == "date":
            today = env.today
            earliest = today - dt.timedelta(days=366)
            # LINE refuses an initial date outside min..max (a draft resumed much later).
            initial = min(max(dt.date.fromisoformat(answers[key]) if answers.get(key) else today, earliest), today)
            dates = (initial.isoformat(), earliest.isoformat(), today.isoformat())
            options = [Option("date", Msg(N_("Pick a date"))), Option("answer_text", Msg(N_("Today")), today.isoformat())]
        elif question.type == "location":
            options = [Option("location", Msg(N_("Send location")))]
        if question.no_value:
            options.append(Option("answer", Msg(question.no_value.label), question.no_value.code))
        if not question.required:
            controls.append(Option("skip", Msg(N_("Skip"))))
        params = {"member_no": cursor.member_no} if question.repeated else dict(env.area) if question.code == "area_confirm" else {}
        hint = hint_of(question, env)
        if question.type in ("choice", "yes_no") and len(options) > 4:
            hint = Msg(N_("Tap a choice or type its number"))
        elif question.type == "checklist":
            hint = Msg(N_("Tap items to tick them (✓), then \"Done\"; or type their numbers, e.g. 1 3"))
        return Ask(cursor.slot, question.code, question.type, (number, len(slots)), self.form.section_of(question.code).title, Msg(question.label, params), hint, tuple(options), tuple(controls) + self._common_controls(key, answers), current, dates)

    def _common_controls(self, key: Key, answers: Answers) -> tuple[Option, ...]:
        """Keep (when there is an answer already), help and pause."""
        keep = (Option("keep", Msg(N_("Keep answer"))),) if key in answers else ()
        return keep + (Option("help", Msg(N_("Help"))), Option("pause", Msg(N_("Pause"))))

    def _member_options(self, answers: Answers) -> tuple[Option, ...]:
        """The household's members by name, and the whole household."""
        count = int(answers.get(("member_count", 0)) or 0)
        options = [Option("answer", answers.get(("m_name", n)) or Msg(N_("Member {number}"), {"number": n}), str(n), n) for n in range(1, count + 1)]
        options.append(Option("answer", Msg(N_("Whole household")), HOUSEHOLD, count + 1))
        return tuple(options)

    def display(self, state: str, value: str | None, answers: Answers, env: Env) -> tuple[Label, ...]:
        """An answer as the user reads it."""
        if value is None:
            return (Msg(N_("(skipped)")),)
        if state.endswith(MEMBER):
            if value == HOUSEHOLD:
                return (Msg(N_("Whole household")),)
            return (answers.get(("m_name", int(value))) or Msg(N_("Member {number}"), {"number": value}),)
        question = self.form.by_code.get(state)
        if question is None:
            return (value,)
        if question.no_value and value == question.no_value.code:
            return (Msg(question.no_value.label),)
        kind = question.type
        if kind in ("choice", "yes_no"):
            choice = next((c for c in choices_of(question, env) if c.code == value), None)
            return ((choice.label if question.source else Msg(choice.label)) if choice else value,)
        if kind == "checklist":
            return tuple(Msg(c.label) for c in question.choices if c.code in value.split())
        if kind == "date":
            return (format_date_be(dt.date.fromisoformat(value)),)
        if kind == "national_id":
            return (format_national_id(value),)
        if kind == "phone":
            return (phone_label(value),)
        if kind == "money":
            return (Msg(N_("{amount} baht"), {"amount": f"{int(value):,}"}),)
        if kind == "birth_year":
            return (Msg(N_("{year} (age {age})"), {"year": value, "age": self.survey_year_be(answers, env) - int(value)}),)
        if kind == "location":
            latitude, longitude = value.split(",")[:2]
            return (Msg(N_("Position {latitude}, {longitude}"), {"latitude": latitude, "longitude": longitude}),)
        return (value,)

    def member_summary(self, answers: Answers, member_no: int, env: Env) -> Msg:
        """One line about a member: name, sex, age, relationship, health."""
        parts: list[Label] = []
        for code in ("m_sex", "m_relation", "m_health"):
            if answers.get((code, member_no)):
                parts += self.display(code, answers[(code, member_no)], answers, env)
        age = self.age(answers, member_no, env)
        return Msg(
            N_("Member {number}: {name} · {age} years · {details}. To change it, type \"edit member {number}\"."),
            {"number": member_no, "name": answers.get(("m_name", member_no)) or "-", "age": age if age is not None else "-", "details": _Join(tuple(parts))},
        )

    def review(self, answers: Answers, env: Env) -> Review:
        """Every asked slot with its answer, by section (one section per member)."""
        sections: list[ReviewSection] = []
        current: tuple[Label, list[ReviewItem]] | None = None
        for slot in self.walk(answers, env):
            c = Cursor().at(slot)
            question = self._question(c)
            dim = self.form.question(c.state.split(".")[0])
            section = self.form.section_of(dim.code)
            title: Label = Msg(N_("Member {number}: {name}"), {"number": c.member_no, "name": answers.get(("m_name", c.member_no)) or "-"}) if section.repeat else Msg(section.title)
            if current is None or current[0] != title:
                if current is not None:
                    sections.append(ReviewSection(current[0], tuple(current[1])))
                current = (title, [])
            if question is not None:
                label = Msg(question.label, {"member_no": c.member_no} if question.repeated else dict(env.area) if question.code == "area_confirm" else {})
            else:
                label = Msg(N_("{code}: member concerned") if c.state.endswith(MEMBER) else N_("{code}: detail"), {"code": c.problem})
            key = self.key(c)
            value = self.display(c.state, answers.get(key), answers, env) if key in answers else (Msg(N_("(not answered)")),)
            current[1].append(ReviewItem(label, value, slot))
        if current is not None:
            sections.append(ReviewSection(current[0], tuple(current[1])))
        from bot.dialogs.checks import soft_checks

        return Review(tuple(sections), tuple(soft_checks(self, answers, env)))


@dataclass(frozen=True)
class _Join:
    """Labels to be shown joined by commas (a parameter of a Msg)."""

    parts: tuple[Label, ...]


def parse_numbers_like(text: str) -> bool:
    """True when a typed text looks like item numbers ("1 3 5")."""
    return any(ch.isdigit() for ch in normalize_digits(text))


# -- the machine's callbacks: they only move the walker (transitions has no rollback) --------


def _next_member(w: _Walker) -> None:
    """Loop to the next member."""
    w.member_no += 1


def _previous_member(w: _Walker) -> None:
    """Loop back to the previous member."""
    w.member_no -= 1


def _first_member(w: _Walker) -> None:
    """Enter the members section at member 1."""
    w.member_no = 1


def _last_member(w: _Walker) -> None:
    """Enter the members section backwards, at the last member."""
    w.member_no = w.member_count()


def _leave_members(w: _Walker) -> None:
    """Leave the members section."""
    w.member_no = 0


def _has(dim: str) -> Callable[[_Walker], bool]:
    """Condition: the checklist has ticked problems."""
    return lambda w: bool(w.ticked(dim))


def _first_problem(dim: str) -> Callable[[_Walker], None]:
    """Callback: take the first ticked problem."""

    def set_first(w: _Walker) -> None:
        w.problem = w.ticked(dim)[0]

    return set_first


def _last_problem(dim: str) -> Callable[[_Walker], None]:
    """Callback: take the last ticked problem (coming back)."""

    def set_last(w: _Walker) -> None:
        w.problem = w.ticked(dim)[-1]

    return set_last


def _step_problem(dim: str, delta: int) -> Callable[[_Walker], None]:
    """Callback: take the next (or previous) ticked problem."""

    def move(w: _Walker) -> None:
        w.problem = w.ticked(dim)[w.problem_index(dim) + delta]

    return move


def _clear_problem(w: _Walker) -> None:
    """Leave the problem follow-ups."""
    w.problem = ""


Join = _Join


_ENGINES: dict[tuple[str, str], Engine] = {}


def preload() -> int:
    """Load and check every form file and build its machine (at app start: a broken form fails there)."""
    from bot.dialogs.form import forms

    return len([engine_for(form) for form in forms().values()])


def engine_for(form: Form) -> Engine:
    """The shared engine of a form version: the machine is built once per process, not per event."""
    key = (form.id, form.version)
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES.setdefault(key, Engine(form))
    return engine

"""Stepping: one user action applied to a draft (answer, command, edit), returning the outcome."""

from __future__ import annotations

from dataclasses import replace

from bot.dialogs import picking
from bot.dialogs.answers import AnswerError, normalize_digits, parse_numbers, parse_text
from bot.dialogs.checks import offered, refusal
from bot.dialogs.cursor import DETAIL, FINAL, MEMBER, REFUSED, REVIEW, TRIES_BEFORE_HELP, Answers, Cursor, Join, Key, Outcome
from bot.dialogs.form import Question
from bot.dialogs.inputs import Env, Input
from bot.dialogs.moving import Dialog
from bot.dialogs.prompts import Msg, Option
from bot.dialogs.validate import Parsed, hint_of, match_choice, parse_answer, split_followed
from bot.i18n import N_


class Stepping(Dialog):
    """The step function and its parts; what to show comes from the presenting half."""

    # -- the step -----------------------------------------------------------------

    def start(self, answers: Answers, env: Env) -> Outcome:
        """A new draft: the first question (the consent, when the form has one)."""
        return self.show(self.first, answers, env)

    def step(self, cursor: Cursor, answers: Answers, given: Input, env: Env) -> Outcome:
        """Apply one user action to a draft."""
        cursor = self._resolved(cursor)
        if cursor.state in FINAL:
            return Outcome(cursor, event="closed")
        if given.slot is not None and given.slot != cursor.slot and given.kind != "edit":
            return self._stale(cursor, answers, given, env)
        if cursor.confirm_cancel:
            if given.kind == "command" and given.value == "cancel_yes":
                w = self._walker(cursor, answers, env)
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
            w = self._walker(cursor, answers, env)
            if not self._backward(w):
                return self.show(cursor, answers, env, [Msg(N_("This is the first question."))])
            return self.show(w.cursor(replace(cursor, tries=0)), answers, env)
        if name == "detail":
            return self._add_detail(cursor, answers, env)
        if name == "submit":
            if cursor.state != REVIEW:
                return self.show(cursor, answers, env, [Msg(N_("The survey can be submitted after the last question."))])
            missing = next((slot for slot in self.walk(answers, env) if self._skipped_but_required(self.first.at(slot), answers, env)), None)
            if missing is not None:
                # An answer changed from the review made a skipped question required (a note now needed).
                question = self._question(cursor.at(missing))
                message = question.required_message if question is not None and question.required_message else N_("This question must be answered; it cannot be skipped.")
                return self.show(replace(cursor.at(missing), editing=True), answers, env, [Msg(message)])
            w = self._walker(cursor, answers, env)
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
            if self.required(question, cursor.member_no, answers, env) and not cursor.state.endswith((MEMBER, DETAIL)):
                message = question.required_message if question is not None and question.required_message else N_("This question must be answered; it cannot be skipped.")
                return self._wrong(cursor, answers, AnswerError(message), env)
            return self._store_and_advance(cursor, answers, None, env)
        if name == "keep":
            key = self.key(cursor)
            if key not in answers:
                return self.show(cursor, answers, env, [Msg(N_("This question has no answer yet."))])
            return self._store_and_advance(cursor, answers, answers[key], env, write=False)
        if name == "done" and question is not None and question.type == "checklist":
            if not answers.get(self.key(cursor)):
                return self.show(replace(cursor, tries=cursor.tries + 1), answers, env, [self._none_needed(question)])
            return self._store_and_advance(cursor, answers, answers[self.key(cursor)], env, write=False)
        return self.show(cursor, answers, env)

    def _none_needed(self, question: Question) -> Msg:
        """Done with nothing ticked: name the checklist's "nothing" choice as its button does."""
        none = question.choice(question.none) if question.none else None
        if none is None:
            return Msg(N_("Please choose at least one item, then tap \"Done\"."))
        return Msg(N_("Please choose at least one item, or \"{none}\", then tap \"Done\"."), {"none": Msg(none.short or none.label)})

    def _answer(self, cursor: Cursor, answers: Answers, given: Input, env: Env) -> Outcome:
        """Check an answer to the question in hand; store it and move on, or explain and ask again."""
        question = self._question(cursor)
        try:
            if question is not None and question.type == "checklist":
                return self._checklist(cursor, answers, question, given, env)
            if question is None and cursor.state.endswith(MEMBER):
                return picking.pick(self, cursor, answers, given, env)  # type: ignore[arg-type]
            followed = self._followed(cursor, answers, question, given, env)
            if followed is not None:
                given = Input("text", text=followed[0])
            parsed = self._parse(cursor, answers, question, given, env)
            refused = refusal(self, question, cursor.member_no, parsed.value, answers, env) if question is not None else None
            if refused is not None:
                raise AnswerError(refused.id, dict(refused.params))
        except AnswerError as error:
            return self._wrong(cursor, answers, error, env)
        if followed is not None:
            _text, key, later = followed
            return self._store_and_advance(cursor, answers, parsed.value, env, note=later.note, also=((key, later.value),))
        return self._store_and_advance(cursor, answers, parsed.value, env, note=parsed.note)

    def _followed(self, cursor: Cursor, answers: Answers, question: Question | None, given: Input, env: Env) -> tuple[str, Key, Parsed] | None:
        """A typed answer that ends with a later question's answer (a name, then an age): its first part,
        and the later answer's key and value. None when the question takes nothing after it."""
        if question is None or question.followed_by is None or given.kind != "text":
            return None
        parts = split_followed(question, given.text)
        if parts is None:
            return None
        later = self.form.question(question.followed_by)
        key = (later.code, cursor.member_no if later.repeated else 0)
        return parts[0], key, parse_answer(later, Input("text", text=parts[1]), env, self.survey_year_be(answers, env))

    def _parse(self, cursor: Cursor, answers: Answers, question: Question | None, given: Input, env: Env) -> Parsed:
        """The value of an answer (follow-ups have their own rules)."""
        if question is not None:
            return parse_answer(question, given, env, self.survey_year_be(answers, env))
        if given.kind != "text":
            raise AnswerError(N_("Please answer the question above."))
        return Parsed(parse_text(given.text, 500))

    def _checklist(self, cursor: Cursor, answers: Answers, question: Question, given: Input, env: Env) -> Outcome:
        """Toggle an item, or take typed numbers as the whole selection."""
        key = self.key(cursor)
        chosen = [c for c in (answers.get(key) or "").split() if c]
        # Only the choices that concern someone in the household (by age) are offered and taken.
        choices = offered(self, question, answers, env)
        if given.kind in ("toggle", "option"):
            code = given.value
            if code not in {c.code for c in choices}:
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
            if outcome.ask is not None:
                ticks = tuple(Msg(c.label) for c in question.choices if c.code in value.split())
                brief = Msg(N_("Ticked: {items}. Tap more items, or \"Done\"."), {"items": Join(ticks)}) if ticks else Msg(N_("Nothing is ticked. Tap the items, or \"Done\"."))
                outcome.ask = replace(outcome.ask, brief=brief)
            return outcome
        named = match_choice(question, given.text, env, choices) if not parse_numbers_like(given.text) else None
        if named is not None:
            return self._checklist(cursor, answers, question, Input("toggle", value=named.code), env)
        numbers = parse_numbers(given.text, len(choices))
        codes = [choices[n - 1].code for n in numbers]
        if question.none in codes and len(codes) > 1:
            raise AnswerError(N_("\"{none}\" cannot be chosen together with other items."), {"none": Msg(question.choice(question.none).label)})
        value = " ".join(c.code for c in question.choices if c.code in codes)
        return self._store_and_advance(cursor, answers, value, env)

    def _store_and_advance(self, cursor: Cursor, answers: Answers, value: str | None, env: Env, write: bool = True, note: Msg | None = None, also: tuple[tuple[Key, str | None], ...] = ()) -> Outcome:
        """Store an answer and move to the next question (after an edit: the next unanswered one).

        `also`: later answers given in the same text (an age after a name), stored and not asked.
        """
        key = self.key(cursor)
        merged = dict(answers)
        writes: list[tuple[Key, str | None]] = []
        if write:
            merged[key] = value
            writes.append((key, value))
        for later_key, later_value in also:
            merged[later_key] = later_value
            writes.append((later_key, later_value))
        notes: list[Msg] = [note] if note is not None else []  # an interpreted answer, said back
        w = self._walker(cursor, merged, env)
        finished_member = self._question(cursor) is not None and cursor.state in self._summarised
        self._forward(w, writes, merged)
        while also and w.state not in FINAL and w.state != REVIEW and self.key(w) in dict(also):
            self._forward(w, writes, merged)
        if cursor.editing:
            # After an edit, skip what is answered: a changed answer returns to the review (or to the
            # question the survey had reached), asking only what the change made new (more members,
            # a newly ticked problem's follow-ups). "Keep" walks on through one member's questions
            # when a member is gone through during the survey ("edit member 2"); an edit from the
            # review (every question answered) changes that one answer and returns to the review.
            walking = not write and cursor.member_no and self._first_unanswered(merged, env) is not None
            while w.state not in FINAL and w.state != REVIEW and self.answered(w, merged, env) and not (walking and w.member_no == cursor.member_no):
                self._forward(w, writes, merged)
        question = self._question(cursor)
        if write and value is not None and question is not None and question.type in ("date", "location"):
            # A picked date or a shared location shows no text in the chat: confirm what was stored.
            notes.append(Msg(N_("Recorded: {answer}"), {"answer": Join(self.display(cursor.state, value, merged, env))}))
        if finished_member:
            notes.append(self.member_summary(merged, cursor.member_no, env))
        notes += self._known_members(writes, key, merged, env)
        # After a member was picked, or made known by the answers (checklist "Done"): "Add a detail".
        offer = self._detail_offer(cursor) or self._detail_offer_known(writes, key)
        new = w.cursor(replace(cursor, tries=0, editing=cursor.editing and w.state != REVIEW))
        if w.state == REFUSED:
            return Outcome(new, writes=writes, event="refused")
        outcome = self.show(new, merged, env, notes)
        outcome.writes[:0] = writes
        if offer is not None and outcome.ask is not None:
            outcome.options = (offer,)
        return outcome

    def _known_members(self, writes: list[tuple[Key, str | None]], answered: Key, answers: Answers, env: Env) -> list[Msg]:
        """Whom a ticked problem concerns, where the form made it known without asking: said back."""
        said: list[Msg] = []
        for (code, number), value in writes:
            if code.endswith(MEMBER) and (code, number) != answered and value:
                problem = next((c for d in self.dimensions for c in self.form.question(d).choices if c.code == code[: -len(MEMBER)]), None)
                named = Msg(problem.label) if problem is not None else code
                said.append(Msg(N_("Recorded: \"{problem}\" concerns {members}"), {"problem": named, "members": Join(self.display(code, value, answers, env))}))
        return said

    def _add_detail(self, cursor: Cursor, answers: Answers, env: Env) -> Outcome:
        """"Add a detail" typed: the detail of the problem answered just before, when asked only on request."""
        slots = self.walk(answers, env, offered=True)
        here = slots.index(cursor.slot) if cursor.slot in slots else 0
        before = slots[here - 1] if here > 0 else ""
        if not before.split("|")[0].endswith(DETAIL):
            return self.show(cursor, answers, env, [Msg(N_("A detail can be added just after choosing whose problem it is, or from the review."))])
        return self._edit(cursor, answers, before, env)

    def _detail_offer(self, cursor: Cursor) -> Option | None:
        """After a problem's member, the button that adds its detail when the form asks it only on request."""
        if not cursor.state.endswith(MEMBER):
            return None
        dimension = cursor.state[: -len(MEMBER)]
        if self.form.question(dimension).detail != "on_request":
            return None
        return Option("edit", Msg(N_("Add a detail")), value=f"{dimension}{DETAIL}|0|{cursor.problem}")

    def _detail_offer_known(self, writes: list[tuple[Key, str | None]], answered: Key) -> Option | None:
        """The "Add a detail" button of the last problem whose member the answers made known."""
        known = [code[: -len(MEMBER)] for (code, number), value in writes if code.endswith(MEMBER) and (code, number) != answered and value]
        if not known:
            return None
        dimension = next((d for d in self.dimensions if self.form.question(d).choice(known[-1])), None)
        if dimension is None or self.form.question(dimension).detail != "on_request":
            return None
        return Option("edit", Msg(N_("Add a detail")), value=f"{dimension}{DETAIL}|0|{known[-1]}")

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
        if target.state not in self.states or target.state in FINAL or slot not in self.walk(answers, env, offered=True, known=True):
            return self.show(cursor, answers, env, [Msg(N_("That question is not part of this survey any more."))])
        return self.show(replace(target, editing=True, confirm_cancel=False), answers, env)

    def edit_member(self, cursor: Cursor, answers: Answers, member_no: int, env: Env) -> Outcome:
        """Go through one member's answers again (แก้ไขสมาชิกคนที่ N)."""
        cursor = self._resolved(cursor)
        slots = [s for s in self.walk(answers, env) if s.split("|")[1] == str(member_no) and s.split("|")[0] in self.form.by_code]
        if not slots:
            return self.show(cursor, answers, env, [Msg(N_("There is no member {number} in this household yet."), {"number": member_no})])
        return self._edit(cursor, answers, slots[0], env)

    def _skipped_but_required(self, cursor: Cursor, answers: Answers, env: Env) -> bool:
        """A skipped answer whose question's required condition now holds."""
        question = self._question(cursor)
        return question is not None and question.required_if is not None and self.key(cursor) in answers and not self.answered(cursor, answers, env)

    def _first_unanswered(self, answers: Answers, env: Env) -> str | None:
        """The first asked slot without a stored answer (None when all are answered)."""
        for slot in self.walk(answers, env):
            if not self.answered(self.first.at(slot), answers, env):
                return slot
        return None


def parse_numbers_like(text: str) -> bool:
    """True when a typed text looks like item numbers ("1 3 5")."""
    return any(ch.isdigit() for ch in normalize_digits(text))

"""Presenting: the question in hand, answers as the user reads them, member summaries and the review."""

from __future__ import annotations

import datetime as dt

from bot.dialogs.answers import format_date_be, mask_national_id
from bot.dialogs.checks import offered, soft_checks
from bot.dialogs.cursor import DETAIL, FINAL, HOUSEHOLD, MEMBER, REVIEW, Answers, Cursor, Join, Key, Outcome
from bot.dialogs.form import Question, Section
from bot.dialogs.inputs import Env
from bot.dialogs.machine import item
from bot.dialogs.moving import Dialog
from bot.dialogs.prompts import Ask, Label, Msg, Option, Review, ReviewItem, ReviewSection
from bot.dialogs.validate import choices_of, earliest_date, hint_of, phone_label
from bot.i18n import N_


class Presenting(Dialog):
    """What the user sees for a cursor; no state changes here."""

    def show(self, cursor: Cursor, answers: Answers, env: Env, notes: list[Msg] | None = None) -> Outcome:
        """What to show for a cursor: its question, the review, or nothing for a closed draft."""
        cursor = self._resolved(cursor)
        notes = list(notes or [])
        if cursor.state in FINAL:
            return Outcome(cursor, notes=notes, event="closed")
        if cursor.confirm_cancel:
            return Outcome(cursor, notes=notes + [Msg(N_("Cancel this survey? The answers are kept as a cancelled draft and can no longer be continued."))], options=(Option("cancel_yes", Msg(N_("Yes, cancel"))), Option("cancel_no", Msg(N_("No, continue")))))
        if cursor.state == REVIEW:
            return Outcome(cursor, notes=notes, review=self.review(answers, env))
        return Outcome(cursor, notes=notes, ask=self.ask(cursor, answers, env))

    def _help(self, cursor: Cursor, answers: Answers, env: Env) -> list[Msg]:
        """The help text of the question in hand."""
        question = self._question(cursor)
        if question is not None and question.help:
            return [Msg(N_("Help: {text}"), {"text": Msg(question.help)})]
        if cursor.state == REVIEW:
            return [Msg(N_("Help: check the answers; tap \"Edit\" next to an answer to change it, then \"Submit\"."))]
        return [Msg(N_("Help: answer the question, or tap \"Back\" to go to the previous question, \"Pause\" to continue later or \"Cancel\" to stop this survey."))]

    # -- prompts ---------------------------------------------------------------------

    def _question(self, cursor: Cursor) -> Question | None:
        """The form question in hand (None for follow-ups and review)."""
        return self.form.by_code.get(cursor.state)

    def ask(self, cursor: Cursor, answers: Answers, env: Env) -> Ask:
        """The question in hand, with progress, options and controls."""
        question = self._question(cursor)
        progress, within = self.progress(cursor, answers, env)
        key = self.key(cursor)
        # A checklist shows its ticks (✓) in its list: no separate current answer.
        listed = question is not None and question.type == "checklist"
        current = self.display(cursor.state, answers.get(key), answers, env) if key in answers and not listed else None
        controls: list[Option] = []
        if cursor.slot != self.first.slot:
            controls.append(Option("back", Msg(N_("Back"))))
        if question is None:
            dim = self.form.question(cursor.state.split(".")[0])
            problem = dim.choice(cursor.problem)
            problem_label = Msg(problem.label) if problem else cursor.problem
            if cursor.state.endswith(MEMBER):
                label = Msg(N_("Problem \"{problem}\": which member does it concern?"), {"problem": problem_label})
                options = self._member_options(answers)
                # One tap answers (most problems concern one member); several are typed as numbers.
                hint = Msg(N_("Tap the member or \"Whole household\"; for several members type their numbers, e.g. 1 3"))
            else:
                label = Msg(N_("Problem \"{problem}\": a short detail (optional)"), {"problem": problem_label})
                options = ()
                hint = Msg(N_("Type a short detail, or tap \"Skip\""))
            controls.append(Option("skip", Msg(N_("Skip"))))
            section = self.form.section_of(dim.code).title
            return Ask(cursor.slot, cursor.state, "follow_up", progress, section, label, hint, tuple(options), tuple(controls) + self._common_controls(key, answers), current, within=within)
        options: list[Option] = []
        dates = None
        if question.type in ("choice", "yes_no"):
            options = [Option("answer", c.label if question.source else Msg(c.label), c.code, i, short=Msg(c.short) if c.short else None) for i, c in enumerate(choices_of(question, env), start=1)]
        elif question.type == "checklist":
            chosen = set((answers.get(key) or "").split())
            options = [Option("toggle", Msg(c.label), c.code, i, c.code in chosen, Msg(c.short) if c.short else None) for i, c in enumerate(offered(self, question, answers, env), start=1)]
            controls.insert(0, Option("done", Msg(N_("Done"))))
        elif question.type == "date":
            today = env.today
            earliest = earliest_date(question, env)
            # LINE refuses an initial date outside min..max (a draft resumed much later).
            initial = min(max(dt.date.fromisoformat(answers[key]) if answers.get(key) else today, earliest), today)
            dates = (initial.isoformat(), earliest.isoformat(), today.isoformat())
            options = [Option("date", Msg(N_("Pick a date"))), Option("answer_text", Msg(N_("Today")), today.isoformat())]
        elif question.type == "location":
            options = [Option("location", Msg(N_("Send location")))]
        if question.no_value:
            options.append(Option("answer", Msg(question.no_value.label), question.no_value.code))
        if not self.required(question, cursor.member_no, answers, env):
            controls.append(Option("skip", Msg(N_("Skip"))))
        params = self.label_params(question, cursor.member_no, env)
        hint = hint_of(question, env)
        if question.type in ("choice", "yes_no") and len(options) > 4:
            hint = Msg(N_("Tap a choice or type its number"))
        elif question.type == "checklist":
            hint = Msg(N_("Tap items to tick them (✓), then \"Done\"; or type their numbers, e.g. 1 3"))
        return Ask(cursor.slot, question.code, question.type, progress, self.form.section_of(question.code).title, Msg(question.label, params), hint, tuple(options), tuple(controls) + self._common_controls(key, answers, question.type != "checklist"), current, dates, within)

    def progress(self, cursor: Cursor, answers: Answers, env: Env) -> tuple[tuple[int, int], Msg | None]:
        """Where the question stands: its section among the form's, and the member or problem in hand.

        Sections never change in number or order as answers come, so this only moves forward
        (a count of asked questions jumped as conditions resolved).
        """
        section = self.form.section_of(cursor.state.split(".")[0])
        number = self.form.sections.index(section) + 1
        within = None
        if cursor.problem:
            found = self.ticked(answers, cursor.state.split(".")[0])
            if cursor.problem in found:
                within = Msg(N_("Problem {number}/{count}"), {"number": found.index(cursor.problem) + 1, "count": len(found)})
        elif section.repeats and cursor.member_no:
            count = self._walker(cursor, answers, env).count(section)
            within = Msg(N_("Member {number}/{count}") if section.repeat else N_("Item {number}/{count}"), {"number": cursor.member_no, "count": count})
        return (number, len(self.form.sections)), within

    def _common_controls(self, key: Key, answers: Answers, keepable: bool = True) -> tuple[Option, ...]:
        """Keep (coming back to an answer), help and pause; a checklist keeps its ticks with "Done"."""
        keep = (Option("keep", Msg(N_("Keep answer"))),) if keepable and key in answers else ()
        return keep + (Option("help", Msg(N_("Help"))), Option("pause", Msg(N_("Pause"))))

    def _member_options(self, answers: Answers) -> tuple[Option, ...]:
        """The household's members by name, and the whole household."""
        members = self.form.members
        count = int(answers.get((members.repeat or "", 0)) or 0) if members is not None else 0
        options = [Option("answer", self._member_name(answers, n) or Msg(N_("Member {number}"), {"number": n}), str(n), n) for n in range(1, count + 1)]
        # The whole household first: a long household's last members may not fit on the buttons.
        return (Option("answer", Msg(N_("Whole household")), HOUSEHOLD, count + 1),) + tuple(options)

    def display(self, state: str, value: str | None, answers: Answers, env: Env) -> tuple[Label, ...]:
        """An answer as the user reads it."""
        if value is None:
            return (Msg(N_("(skipped)")),)
        if state.endswith(MEMBER):
            if value == HOUSEHOLD:
                return (Msg(N_("Whole household")),)
            return tuple(self._member_name(answers, int(n)) or Msg(N_("Member {number}"), {"number": n}) for n in value.split())
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
            return (mask_national_id(value),)  # never the whole number in a chat (PDPA)
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
        section = self.form.members
        for code in section.summary if section is not None else ():
            if answers.get((code, member_no)):
                parts += self.display(code, answers[(code, member_no)], answers, env)
        age = self.age(answers, member_no, env)
        return Msg(
            N_("Member {number}: {name} · {age} years · {details}. To change it, type \"edit member {number}\"."),
            {"number": member_no, "name": self._member_name(answers, member_no) or "-", "age": age if age is not None else "-", "details": Join(tuple(parts))},
        )

    def review(self, answers: Answers, env: Env) -> Review:
        """Every asked slot with its answer, by section (one section per member)."""
        sections: list[ReviewSection] = []
        current: tuple[Label, list[ReviewItem]] | None = None
        for slot in self.walk(answers, env, offered=True, known=True):
            c = self.first.at(slot)
            question = self._question(c)
            dim = self.form.question(c.state.split(".")[0])
            section = self.form.section_of(dim.code)
            title = self._section_title(section, c.member_no, answers, env)
            if current is None or current[0] != title:
                if current is not None:
                    sections.append(ReviewSection(current[0], tuple(current[1])))
                current = (title, [])
            if question is not None:
                label = Msg(question.label, self.label_params(question, c.member_no, env))
            else:
                dimension = self.form.question(c.state.split(".")[0])
                problem = dimension.choice(c.problem)
                named = Msg(problem.short or problem.label) if problem else c.problem
                label = Msg(N_("{problem}: member concerned") if c.state.endswith(MEMBER) else N_("{problem}: detail"), {"problem": named})
            key = self.key(c)
            on_request = c.state.endswith(DETAIL) or (question is not None and question.ask == "on_review")
            value = self.display(c.state, answers.get(key), answers, env) if key in answers else ("-",) if on_request else (Msg(N_("(not answered)")),)
            current[1].append(ReviewItem(label, value, slot))
        if current is not None:
            sections.append(ReviewSection(current[0], tuple(current[1])))
        suggestions = tuple(soft_checks(self, answers, env))
        # The review's buttons name a section by its short title where the form gives one.
        titles = tuple((slot, Msg(self.form.section_of(slot.split("|")[0]).short or self.form.section_of(slot.split("|")[0]).title)) for _message, slot in suggestions)
        return Review(tuple(sections), suggestions, titles)

    def _member_name(self, answers: Answers, member_no: int) -> str | None:
        """A member's name, from the question the members section names them by."""
        members = self.form.members
        return answers.get((members.name, member_no)) if members is not None and members.name else None

    def _section_title(self, section: Section, number: int, answers: Answers, env: Env) -> Label:
        """A review section's title: the section's, or per repetition the member's name or the listed item."""
        if section.repeat is not None:
            name = answers.get((section.name, number)) if section.name else None
            return Msg(N_("Member {number}: {name}"), {"number": number, "name": name or "-"})
        if section.over is not None:
            listed = item(env, section, number)
            return Msg(N_("{section} {number}: {item}"), {"section": Msg(section.title), "number": number, "item": (listed.get("label") if listed else None) or "-"})
        return Msg(section.title)

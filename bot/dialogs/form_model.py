"""The form's data model: typed questions, sections and forms, as the engine reads them."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Iterator

from bot.dialogs.conditions import Check, Constraint, Expr


class FormError(Exception):
    """A form file that cannot be used; the message names the file and the question."""


@dataclass(frozen=True)
class Choice:
    """One choice of a choice or checklist question."""

    code: str
    label: str
    # A shorter label for buttons (LINE allows 20 characters), where the label is long.
    short: str | None = None
    # Offered only when the household has a member aged low..high (None: no upper bound).
    ages: tuple[int, int | None] | None = None
    # A problem's member, known without asking: "household" (the whole household), or a condition
    # over one member (age, member_no, the member's answers) that only the concerned member meets.
    concerns: "str | Expr | None" = None


@dataclass(frozen=True)
class Condition:
    """A relevance condition such as `age >= 15`."""

    variable: str
    op: str
    value: int

    def holds(self, variables: dict[str, int | None]) -> bool:
        """True when the condition is met; an unknown value (e.g. no age yet) counts as met."""
        actual = variables.get(self.variable)
        if actual is None:
            return True
        return {
            ">=": actual >= self.value,
            "<=": actual <= self.value,
            ">": actual > self.value,
            "<": actual < self.value,
            "==": actual == self.value,
            "!=": actual != self.value,
        }[self.op]

    def __str__(self) -> str:
        return f"{self.variable} {self.op} {self.value}"


@dataclass(frozen=True)
class Question:
    """One question of the form."""

    code: str
    type: str
    label: str
    section: str
    hint: str | None = None
    help: str | None = None
    required: bool = True
    choices: tuple[Choice, ...] = ()
    none: str | None = None
    min: int | None = None
    max: int | None = None
    max_length: int = 500
    relevant: Condition | None = None
    problems: bool = False
    # Problems' short detail: "ask" after the member, or "on_request" (an "Add a detail" button, and the review).
    detail: str = "ask"
    # Whom its problems concern: "ask" (the member follow-up), or "household" (the whole household, not asked).
    whom: str = "ask"
    source: str | None = None
    no_value: Choice | None = None
    refuse_on: str | None = None
    default: str | None = None
    prefill_first: str | None = None
    # A choice taken from how another answer starts (a title before a name: "นาง" is female):
    # (that question's code, ((prefix, choice code), ...) longest prefix first). Not asked then.
    infer: tuple[str, tuple[tuple[str, str], ...]] | None = None
    repeated: bool = False
    # Personal data sealed at rest in the answers and their history (IDs, phones).
    sensitive: bool = False
    # The hint's examples as (placeholder, typed answer): every one must be a valid answer.
    examples: tuple[tuple[str, str], ...] = ()
    # money: the period the amount is for (month, year); another typed period is converted.
    per: str | None = None
    # integer: words typed around the number ("คน", "หมู่ที่"), accepted and dropped.
    words: tuple[str, ...] = ()
    # Household or member columns the answer is copied to (searchable; a location fills two).
    project: tuple[str, ...] = ()
    # A projected column that a refusal keeps (area and date; thaiqm-form.md §2.0).
    keep_on_refusal: bool = False
    # An answer for which this rule does not hold is refused with its message (XLSForm-like).
    constraint: Constraint | None = None
    # What the bot already knows for this answer (KNOWN_SOURCES): filled in, not asked.
    known_from: str | None = None
    # date: "round" takes the earliest accepted date from the survey round (else a year back).
    window: str | None = None
    # A later question of the same section whose answer may end this one's ("สมศรี ใจดี อายุ 43":
    # a name, then an age): both are stored and the later one is not asked.
    followed_by: str | None = None
    # "on_review": not asked in its turn; the review lists it with its "Edit" button to add an answer.
    ask: str = "always"
    # `relevant` written as a condition over answers (`status == 'helped'`): asked only when it holds.
    relevant_if: Expr | None = None
    # `required` written as a condition: the answer may be skipped only while it does not hold;
    # a skip is then refused with required_message (or the usual "must be answered").
    required_if: Expr | None = None
    required_message: str | None = None
    # Where the bot records the answer beyond the answers themselves (RECORDS in form.py, e.g. a
    # Re-X-ray problem's status): the form names the field, so no Python names the question.
    record: str | None = None

    def choice(self, code: str) -> Choice | None:
        """The choice with this code, if any."""
        return next((c for c in self.choices if c.code == code), None)


@dataclass(frozen=True)
class Section:
    """A titled group of questions; a repeated section is asked once per member or per listed item."""

    id: str
    title: str
    questions: tuple[Question, ...]
    # The earlier integer question whose answer counts the repetitions (members).
    repeat: str | None = None
    # Or the name of a list given when the dialog starts (e.g. an earlier round's problems).
    over: str | None = None
    # The question whose answer names each repetition (in lists of members and the review).
    name: str | None = None
    # Questions shown in the one-line summary after each repetition.
    summary: tuple[str, ...] = ()
    # A shorter title for buttons ("Edit the {section}" on the review), where the title is long.
    short: str | None = None
    # Asked at all only when this condition over earlier answers holds (`presence == 'present'`).
    relevant_if: Expr | None = None

    @property
    def repeats(self) -> bool:
        """Is the section asked more than once?"""
        return self.repeat is not None or self.over is not None


# Answer types that hold personal data whatever the question (free text may name anyone).
PERSONAL_TYPES = frozenset({"text", "person_name", "national_id", "house_code", "phone", "location"})


@dataclass(frozen=True)
class Form:
    """A whole form version."""

    id: str
    version: str
    round: str
    title: str
    sections: tuple[Section, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    # (birth-year question, date question): a member's age is the date's year minus the birth year.
    age: tuple[str, str] | None = None
    # Groups of questions that together identify a household already recorded in the round.
    duplicates: tuple[tuple[str, ...], ...] = ()
    checks: tuple[Check, ...] = ()
    # What the form is for: "survey" (a household's survey) or "rexray" (revisiting an earlier round's household).
    purpose: str = "survey"

    def questions(self) -> Iterator[Question]:
        """Every question in form order."""
        for section in self.sections:
            yield from section.questions

    @functools.cached_property
    def by_code(self) -> dict[str, Question]:
        """Questions by code."""
        return {q.code: q for q in self.questions()}

    def personal_codes(self) -> frozenset[str]:
        """Answers that name, identify, locate or describe someone in free text: what `forget` erases."""
        return frozenset(q.code for q in self.questions() if q.sensitive or q.type in PERSONAL_TYPES)

    def question(self, code: str) -> Question:
        """The question with this code."""
        return self.by_code[code]

    def section_of(self, code: str) -> Section:
        """The section a question belongs to."""
        wanted = self.by_code[code].section
        return next(s for s in self.sections if s.id == wanted)

    @functools.cached_property
    def consent(self) -> Question | None:
        """The consent question (the first question, when it can end the survey), if any."""
        first = next(self.questions())
        return first if first.refuse_on is not None else None

    @functools.cached_property
    def members(self) -> Section | None:
        """The section repeated over a counted number of members (follow-ups name them), if any."""
        return next((s for s in self.sections if s.repeat is not None), None)

    def section_by_id(self, section_id: str) -> Section:
        """The section with this id."""
        return next(s for s in self.sections if s.id == section_id)

    def message_ids(self) -> Iterator[str]:
        """Every translatable text of the form (for the catalog)."""
        yield self.title
        yield from (check.message for check in self.checks)
        for section in self.sections:
            yield section.title
            if section.short:
                yield section.short
            for q in section.questions:
                yield q.label
                yield from (t for t in (q.hint, q.help) if t)
                if q.constraint:
                    yield q.constraint.message
                if q.required_message:
                    yield q.required_message
                yield from (c.label for c in q.choices)
                yield from (c.short for c in q.choices if c.short)
                if q.no_value:
                    yield q.no_value.label

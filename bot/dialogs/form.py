"""The survey form as data: load a form file, check it, and give the engine typed questions."""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

from bot.resources import forms_dir

TYPES = frozenset(
    {"yes_no", "choice", "checklist", "text", "integer", "money", "date", "national_id", "house_code", "phone", "location", "birth_year", "person_name"}
)
# The periods a money question can ask for ("income per month").
PERIODS = frozenset({"month", "year"})
# An example a date hint shows is today's date, filled in when the question is asked.
TODAY_EXAMPLE = "today"
RELEVANCE = re.compile(r"^\s*(age|member_no)\s*(>=|<=|>|<|==|!=)\s*(\d+)\s*$")
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
CHOICE_SOURCES = frozenset({"communities"})


class FormError(Exception):
    """A form file that cannot be used; the message names the file and the question."""


@dataclass(frozen=True)
class Choice:
    """One choice of a choice or checklist question."""

    code: str
    label: str
    # A shorter label for buttons (LINE allows 20 characters), where the label is long.
    short: str | None = None


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
    source: str | None = None
    no_value: Choice | None = None
    refuse_on: str | None = None
    default: str | None = None
    prefill_first: str | None = None
    repeated: bool = False
    # Personal data sealed at rest in the answers and their history (IDs, phones).
    sensitive: bool = False
    # The hint's examples as (placeholder, typed answer): every one must be a valid answer.
    examples: tuple[tuple[str, str], ...] = ()
    # money: the period the amount is for (month, year); another typed period is converted.
    per: str | None = None
    # integer: words typed around the number ("คน", "หมู่ที่"), accepted and dropped.
    words: tuple[str, ...] = ()

    def choice(self, code: str) -> Choice | None:
        """The choice with this code, if any."""
        return next((c for c in self.choices if c.code == code), None)


@dataclass(frozen=True)
class Section:
    """A titled group of questions; a repeated section is asked once per member."""

    id: str
    title: str
    questions: tuple[Question, ...]
    repeat: str | None = None


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

    def message_ids(self) -> Iterator[str]:
        """Every translatable text of the form (for the catalog)."""
        yield self.title
        for section in self.sections:
            yield section.title
            for q in section.questions:
                yield q.label
                yield from (t for t in (q.hint, q.help) if t)
                yield from (c.label for c in q.choices)
                yield from (c.short for c in q.choices if c.short)
                if q.no_value:
                    yield q.no_value.label


def load_form(path: Path) -> Form:
    """Read and check a form file; raise FormError saying what is wrong and where."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FormError(f"{path.name}: cannot read the form ({error})") from None
    return parse_form(raw, path.name)


def parse_form(raw: Any, where: str = "form") -> Form:
    """Build a Form from parsed YAML, checking every field."""
    if not isinstance(raw, dict):
        raise FormError(f"{where}: the file must be a mapping with id, version and sections")
    for key in ("id", "version", "round", "title", "sections"):
        if key not in raw:
            raise FormError(f"{where}: missing {key!r}")
    if not isinstance(raw["sections"], list) or not raw["sections"]:
        raise FormError(f"{where}: 'sections' must be a non-empty list")
    seen: set[str] = set()
    sections = []
    for index, raw_section in enumerate(raw["sections"]):
        sections.append(_section(raw_section, f"{where}: section {index + 1}", seen))
    form = Form(
        id=str(raw["id"]),
        version=str(raw["version"]),
        round=str(raw["round"]),
        title=str(raw["title"]),
        sections=tuple(sections),
        settings=dict(raw.get("settings") or {}),
    )
    _check_references(form, where)
    return form


def _section(raw: Any, where: str, seen: set[str]) -> Section:
    """One section and its questions."""
    if not isinstance(raw, dict) or "id" not in raw or "title" not in raw or not raw.get("questions"):
        raise FormError(f"{where}: a section needs id, title and questions")
    where = f"{where.rsplit(':', 1)[0]}: section {raw['id']!r}"
    repeat = raw.get("repeat")
    questions = tuple(_question(q, where, raw["id"], seen, repeated=bool(repeat)) for q in raw["questions"])
    return Section(id=str(raw["id"]), title=str(raw["title"]), questions=questions, repeat=repeat)


def _question(raw: Any, where: str, section: str, seen: set[str], repeated: bool) -> Question:
    """One question, with its type-specific fields checked."""
    if not isinstance(raw, dict):
        raise FormError(f"{where}: each question must be a mapping")
    code = str(raw.get("code", ""))
    where = f"{where}, question {code or '?'}"
    if not CODE.match(code):
        raise FormError(f"{where}: 'code' must be letters, digits and _ starting with a letter")
    if code in seen:
        raise FormError(f"{where}: the code {code!r} is used twice")
    seen.add(code)
    kind = raw.get("type")
    if kind not in TYPES:
        raise FormError(f"{where}: unknown type {kind!r} (one of {', '.join(sorted(TYPES))})")
    if not isinstance(raw.get("label"), str) or not raw["label"].strip():
        raise FormError(f"{where}: 'label' (an English message id) is missing")
    choices = tuple(_choice(c, where) for c in raw.get("choices") or ())
    if len({c.code for c in choices}) != len(choices):
        raise FormError(f"{where}: two choices share a code")
    if kind in ("choice", "checklist") and not choices and raw.get("source") is None:
        raise FormError(f"{where}: a {kind} question needs choices (or a source)")
    if raw.get("source") is not None and raw["source"] not in CHOICE_SOURCES:
        raise FormError(f"{where}: unknown choice source {raw['source']!r}")
    none = raw.get("none")
    if kind == "checklist" and (none is None or none not in {c.code for c in choices}):
        raise FormError(f"{where}: a checklist needs 'none', the code of its 'nothing' choice")
    relevant = None
    if raw.get("relevant") is not None:
        match = RELEVANCE.match(str(raw["relevant"]))
        if not match:
            raise FormError(f"{where}: relevant {raw['relevant']!r} is not like 'age >= 15' (variables: age, member_no)")
        relevant = Condition(match[1], match[2], int(match[3]))
        if not repeated:
            raise FormError(f"{where}: relevance on age or member_no only works in the members section")
    low, high = raw.get("min"), raw.get("max")
    if kind in ("integer", "money"):
        if not isinstance(low, int) or not isinstance(high, int) or low > high:
            raise FormError(f"{where}: an {kind} question needs whole-number 'min' <= 'max'")
    no_value = _choice(raw["no_value"], where) if raw.get("no_value") else None
    examples = _examples(raw, where)
    if raw.get("per") is not None and (kind != "money" or raw["per"] not in PERIODS):
        raise FormError(f"{where}: 'per' is for money questions: one of {', '.join(sorted(PERIODS))}")
    words = raw.get("words") or []
    if words and (kind != "integer" or not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words)):
        raise FormError(f"{where}: 'words' is a list of words typed around an integer answer")
    return Question(
        code=code,
        type=kind,
        label=raw["label"],
        section=section,
        hint=raw.get("hint"),
        help=raw.get("help"),
        required=bool(raw.get("required", True)),
        choices=choices,
        none=none,
        min=low,
        max=high if kind != "birth_year" else int(raw.get("max_age", 120)),
        max_length=int(raw.get("max_length", 500)),
        relevant=relevant,
        problems=bool(raw.get("problems", False)),
        source=raw.get("source"),
        no_value=no_value,
        refuse_on=raw.get("refuse_on"),
        default=raw.get("default"),
        prefill_first=raw.get("prefill_first"),
        repeated=repeated,
        sensitive=bool(raw.get("sensitive", False)),
        examples=examples,
        per=raw.get("per"),
        words=tuple(w.strip() for w in words),
    )


def _examples(raw: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    """The hint's examples: `example: 0812345678` fills {example}; a mapping fills named placeholders.

    The hint must use exactly these placeholders (and {min}, {max}): an example written into
    the hint's text could not be checked against the question's own rules.
    """
    declared = raw.get("example")
    if declared is None:
        examples: dict[Any, Any] = {}
    elif isinstance(declared, dict):
        examples = declared
    else:
        examples = {"example": declared}
    if not all(isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in examples.items()):
        raise FormError(f"{where}: each example must be a quoted text (\"0812345678\", not a number)")
    hint = raw.get("hint") or ""
    try:
        used = {name for _text, name, _spec, _conv in string.Formatter().parse(hint) if name is not None}
    except ValueError as error:  # a lone "{" or "}"
        raise FormError(f"{where}: the hint cannot be filled in ({error})") from None
    allowed = set(examples) | ({"min", "max"} if raw.get("min") is not None else set())
    if used - allowed or set(examples) - used:
        raise FormError(f"{where}: the hint's placeholders {sorted(used)} must be its examples {sorted(examples)} (or min, max)")
    return tuple((name, value.strip()) for name, value in examples.items())


def _choice(raw: Any, where: str) -> Choice:
    """One choice: a code and an English label id."""
    if not isinstance(raw, dict) or not raw.get("code") or not raw.get("label"):
        raise FormError(f"{where}: each choice needs 'code' and 'label'")
    return Choice(code=str(raw["code"]), label=str(raw["label"]), short=str(raw["short"]) if raw.get("short") else None)


def _check_references(form: Form, where: str) -> None:
    """Repeats name an integer question asked before them; the form starts with consent."""
    codes: list[str] = []
    for section in form.sections:
        if section.repeat is not None:
            target = form.by_code.get(section.repeat)
            if target is None or target.type != "integer" or target.code not in codes:
                raise FormError(f"{where}: section {section.id!r} repeats over {section.repeat!r}, which is not an earlier integer question")
        codes.extend(q.code for q in section.questions)
    first = next(form.questions())
    if first.type != "yes_no" or first.refuse_on is None:
        raise FormError(f"{where}: the first question must be the consent (yes_no with refuse_on)")


@functools.cache
def forms() -> dict[tuple[str, str], Form]:
    """Every form version in the forms folder (shipped, or THAIQM_FORMS_DIR), loaded once, by (id, version)."""
    folder = forms_dir()
    loaded: dict[tuple[str, str], Form] = {}
    for path in sorted(folder.glob("*.yaml")):
        form = load_form(path)
        key = (form.id, form.version)
        if key in loaded:
            raise FormError(f"{path.name}: form {form.id} version {form.version} is defined twice")
        loaded[key] = form
    if not loaded:
        # Without this the bot would start and fail only at the first survey.
        raise FormError(f"no form file (*.yaml) in {folder}")
    return loaded


def get_form(form_id: str, version: str) -> Form:
    """A form version (a draft always finishes on the version it started with)."""
    return forms()[(form_id, version)]


def current_form(form_id: str = "thaiqm-2566") -> Form:
    """The newest version of a form, for new surveys."""
    versions = [f for (fid, _v), f in forms().items() if fid == form_id]
    if not versions:
        raise FormError(f"no form {form_id!r} in {forms_dir()}")
    return max(versions, key=lambda f: _version_key(f.version))


def _version_key(version: str) -> tuple[int, ...]:
    """Sort "1", "1.2", "2" numerically."""
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))

"""The survey form as data: load a form file, check it, and give the engine typed questions (bot.dialogs.form_model)."""

from __future__ import annotations

import functools
import re
import string
from pathlib import Path
from typing import Any

import yaml

from bot.dialogs.conditions import Check, Constraint, Expr, ExpressionError, parse, parse_check, parse_constraint
from bot.dialogs.conditions import parse as parse_condition
from bot.dialogs.form_model import Choice, Condition, Form, FormError, Question, Section
from bot.dialogs.form_references import HOUSEHOLD_CONCERN, check_references
from bot.resources import forms_dir


TYPES = frozenset(
    {"yes_no", "choice", "checklist", "text", "integer", "money", "date", "national_id", "house_code", "phone", "location", "birth_year", "person_name"}
)
# The periods a money question can ask for ("income per month").
PERIODS = frozenset({"month", "year"})
# A problem's detail: asked after its member, or only when the volunteer asks to add one.
DETAILS = ("ask", "on_request")
# When a question is asked: in its turn, or only from the review (an optional note), saving a "Skip".
ASKS = ("always", "on_review")
# Whom a problem concerns: asked (a member, several, or the whole household), or the whole household unasked.
WHOM = ("ask", "household")
# An example a date hint shows is today's date, filled in when the question is asked.
TODAY_EXAMPLE = "today"
RELEVANCE = re.compile(r"^\s*(age|member_no)\s*(>=|<=|>|<|==|!=)\s*(\d+)\s*$")
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
CHOICE_SOURCES = frozenset({"communities"})
# What the survey handler knows before asking: the community the volunteer was invited to, its village number.
KNOWN_SOURCES = frozenset({"volunteer_community", "community_moo"})
# What a form is for: a household's survey, or the Re-X-ray of an earlier round's household.
PURPOSES = ("survey", "rexray")
# Where an answer is recorded besides the answers (`record:`): a revisited household's presence,
# and per earlier problem its status, partner networks, kinds of help, agency, date and note.
RECORDS = frozenset({"presence", "status", "partners", "help_kinds", "agency", "help_date", "note"})


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
        age=_age(raw.get("age"), where),
        duplicates=tuple(tuple(str(code) for code in group) for group in raw.get("duplicates") or ()),
        checks=tuple(_check(c, f"{where}: check {i + 1}") for i, c in enumerate(raw.get("checks") or ())),
        purpose=_purpose(raw.get("purpose", "survey"), where),
    )
    check_references(form, where)
    return form


def _purpose(raw: Any, where: str) -> str:
    """What the form is for (PURPOSES)."""
    if raw not in PURPOSES:
        raise FormError(f"{where}: purpose is one of {', '.join(PURPOSES)}")
    return str(raw)


def _condition(raw: Any, where: str, field: str) -> Expr:
    """A condition over the answers (`relevant`, `required`), parsed (names are checked with the whole form)."""
    try:
        return parse(str(raw))
    except ExpressionError as error:
        raise FormError(f"{where}: {field} {error}") from None


def _age(raw: Any, where: str) -> tuple[str, str] | None:
    """The form's age declaration: {birth_year: <code>, date: <code>}."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw.get("birth_year") or not raw.get("date"):
        raise FormError(f"{where}: 'age' needs 'birth_year' (a birth_year question) and 'date' (a date question)")
    return (str(raw["birth_year"]), str(raw["date"]))


def _check(raw: Any, where: str) -> Check:
    """One soft check, its expressions parsed (names are checked with the whole form)."""
    try:
        return parse_check(raw, where)
    except ValueError as error:
        raise FormError(str(error)) from None


def _section(raw: Any, where: str, seen: set[str]) -> Section:
    """One section and its questions."""
    if not isinstance(raw, dict) or "id" not in raw or "title" not in raw or not raw.get("questions"):
        raise FormError(f"{where}: a section needs id, title and questions")
    where = f"{where.rsplit(':', 1)[0]}: section {raw['id']!r}"
    repeat, over = raw.get("repeat"), raw.get("over")
    if repeat is not None and over is not None:
        raise FormError(f"{where}: a section repeats over a count ('repeat') or a list ('over'), not both")
    questions = tuple(_question(q, where, raw["id"], seen, repeated=repeat is not None or over is not None) for q in raw["questions"])
    codes = {q.code for q in questions}
    name, summary = raw.get("name"), tuple(str(c) for c in raw.get("summary") or ())
    if (name is not None and name not in codes) or not set(summary) <= codes:
        raise FormError(f"{where}: 'name' and 'summary' must be questions of the section")
    short = str(raw["short"]) if raw.get("short") else None
    relevant_if = _condition(raw["relevant"], where, "relevant") if raw.get("relevant") is not None else None
    return Section(id=str(raw["id"]), title=str(raw["title"]), questions=questions, repeat=repeat, over=str(over) if over is not None else None, name=name, summary=summary, short=short, relevant_if=relevant_if)


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
    if kind == "yes_no" and choices and [c.code for c in choices] != ["yes", "no"]:
        raise FormError(f"{where}: a yes_no question's choices (its button labels) are 'yes' then 'no'")
    if raw.get("source") is not None and raw["source"] not in CHOICE_SOURCES:
        raise FormError(f"{where}: unknown choice source {raw['source']!r}")
    if raw.get("known_from") is not None and (raw["known_from"] not in KNOWN_SOURCES or repeated):
        raise FormError(f"{where}: known_from is one of {', '.join(sorted(KNOWN_SOURCES))}, outside repeated sections")
    none = raw.get("none")
    if kind == "checklist" and (none is None or none not in {c.code for c in choices}):
        raise FormError(f"{where}: a checklist needs 'none', the code of its 'nothing' choice")
    relevant, relevant_if = None, None
    if raw.get("relevant") is not None:
        match = RELEVANCE.match(str(raw["relevant"]))
        if match:
            relevant = Condition(match[1], match[2], int(match[3]))
            if not repeated:
                raise FormError(f"{where}: relevance on age or member_no only works in the members section")
        else:
            # A condition over answers (`status == 'helped'`), in the language of checks.
            try:
                relevant_if = parse(str(raw["relevant"]))
            except ExpressionError:
                raise FormError(f"{where}: relevant {raw['relevant']!r} is not like 'age >= 15' (variables: age, member_no) nor a condition over answers") from None
    required = raw.get("required", True)
    required_if = _condition(required, where, "required") if isinstance(required, str) else None
    if raw.get("required_message") is not None and required_if is None:
        raise FormError(f"{where}: 'required_message' goes with a 'required' condition")
    if raw.get("record") is not None and raw["record"] not in RECORDS:
        raise FormError(f"{where}: record is one of {', '.join(sorted(RECORDS))}")
    low, high = raw.get("min"), raw.get("max")
    if kind in ("integer", "money"):
        if not isinstance(low, int) or not isinstance(high, int) or low > high:
            raise FormError(f"{where}: an {kind} question needs whole-number 'min' <= 'max'")
    no_value = _choice(raw["no_value"], where) if raw.get("no_value") else None
    examples = _examples(raw, where)
    if raw.get("per") is not None and (kind != "money" or raw["per"] not in PERIODS):
        raise FormError(f"{where}: 'per' is for money questions: one of {', '.join(sorted(PERIODS))}")
    detail = raw.get("detail", "ask")
    if detail not in DETAILS or (detail != "ask" and not raw.get("problems")):
        raise FormError(f"{where}: 'detail' is for problem checklists: one of {', '.join(DETAILS)}")
    if raw.get("ask", "always") not in ASKS or (raw.get("ask") == "on_review" and (raw.get("required", True) or repeated)):
        raise FormError(f"{where}: 'ask' is one of {', '.join(ASKS)}; on_review is for an optional question outside repeated sections")
    whom = raw.get("whom", "ask")
    if whom not in WHOM or (whom != "ask" and not raw.get("problems")):
        raise FormError(f"{where}: 'whom' is for problem checklists: one of {', '.join(WHOM)}")
    words = raw.get("words") or []
    if words and (kind != "integer" or not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words)):
        raise FormError(f"{where}: 'words' is a list of words typed around an integer answer")
    return Question(
        infer=_infer(raw.get("infer"), choices, seen, where),
        code=code,
        type=kind,
        label=raw["label"],
        section=section,
        hint=raw.get("hint"),
        help=raw.get("help"),
        required=bool(required) if required_if is None else False,
        choices=choices,
        none=none,
        min=low,
        max=high if kind != "birth_year" else int(raw.get("max_age", 120)),
        max_length=int(raw.get("max_length", 500)),
        relevant=relevant,
        problems=bool(raw.get("problems", False)),
        detail=detail,
        whom=whom,
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
        project=_project(raw.get("project"), kind, where),
        keep_on_refusal=bool(raw.get("keep_on_refusal", False)),
        constraint=_constraint(raw, where),
        known_from=raw.get("known_from"),
        window=_window(raw, kind, where),
        ask=str(raw.get("ask", "always")),
        followed_by=str(raw["followed_by"]) if raw.get("followed_by") else None,
        relevant_if=relevant_if,
        required_if=required_if,
        required_message=raw.get("required_message"),
        record=raw.get("record"),
    )


def _constraint(raw: dict[str, Any], where: str) -> Constraint | None:
    """The question's constraint, its expressions parsed (names are checked with the whole form)."""
    try:
        return parse_constraint(raw, where)
    except ValueError as error:
        raise FormError(str(error)) from None


def _infer(raw: Any, choices: tuple[Choice, ...], seen: set[str], where: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """`infer: {from: <earlier question>, prefixes: {<choice>: [words an answer starts with]}}`."""
    if raw is None:
        return None
    codes = {c.code for c in choices}
    prefixes = raw.get("prefixes") if isinstance(raw, dict) else None
    if not isinstance(prefixes, dict) or raw.get("from") not in seen or not set(prefixes) <= codes:
        raise FormError(f"{where}: 'infer' needs 'from' (an earlier question) and 'prefixes' by choice code")
    pairs = [(str(word), code) for code, words in prefixes.items() for word in words or ()]
    return raw["from"], tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def _window(raw: dict[str, Any], kind: str, where: str) -> str | None:
    """A date question's window: "round" (the survey round's dates), "past" (ten years back, e.g. help given since an earlier round) or none."""
    window = raw.get("window")
    if window is not None and (window not in ("round", "past") or kind != "date"):
        raise FormError(f"{where}: window must be \"round\" or \"past\", on a date question")
    return window


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


def _project(raw: Any, kind: str, where: str) -> tuple[str, ...]:
    """The columns an answer is copied to: one name, or two (latitude, longitude) for a location."""
    if raw is None:
        return ()
    columns = tuple(str(c) for c in raw) if isinstance(raw, list) else (str(raw),)
    if not all(CODE.match(c) for c in columns) or len(columns) != (2 if kind == "location" else 1):
        raise FormError(f"{where}: 'project' names one column (a location: [latitude column, longitude column])")
    return columns


def _choice(raw: Any, where: str) -> Choice:
    """One choice: a code and an English label id."""
    if not isinstance(raw, dict) or not raw.get("code") or not raw.get("label"):
        raise FormError(f"{where}: each choice needs 'code' and 'label'")
    return Choice(code=str(raw["code"]), label=str(raw["label"]), short=str(raw["short"]) if raw.get("short") else None, ages=_ages(raw.get("for_ages"), f"{where}, choice {raw['code']}"), concerns=_concerns(raw.get("concerns"), f"{where}, choice {raw['code']}"))


def _concerns(raw: Any, where: str) -> "str | Expr | None":
    """`concerns: household`, or a condition over one member (its answers, age, member_no)."""
    if raw is None or raw == HOUSEHOLD_CONCERN:
        return raw
    try:
        return parse_condition(str(raw))
    except ExpressionError as error:
        raise FormError(f"{where}: concerns: {error}") from None


def _ages(raw: Any, where: str) -> tuple[int, int | None] | None:
    """`for_ages: [6, 15]` (aged 6 to 15) or `[60]` (60 and over): whom a choice concerns."""
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) not in (1, 2) or not all(isinstance(a, int) and not isinstance(a, bool) and a >= 0 for a in raw) or (len(raw) == 2 and raw[0] > raw[1]):
        raise FormError(f"{where}: 'for_ages' is [lowest age, highest age] or [lowest age] (and over)")
    return (raw[0], raw[1] if len(raw) == 2 else None)


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

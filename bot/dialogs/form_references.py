"""A parsed form's cross-references: repeats, consent, age basis, duplicates and every name a condition reads."""

from __future__ import annotations

from bot.dialogs.conditions import check_names, concerns_names, condition_names, constraint_names
from bot.dialogs.form_model import Form, FormError

# A problem choice's `concerns: household`: the whole household, not asked.
HOUSEHOLD_CONCERN = "household"
# What may follow a name in the same answer (an age: "สมศรี ใจดี อายุ 43").
FOLLOWING_TYPES = ("birth_year",)


def check_references(form: Form, where: str) -> None:
    """Repeats follow an earlier question; only a first yes/no question may end the survey; named codes exist."""
    codes: list[str] = []
    for section in form.sections:
        if section.repeat is not None:
            target = form.by_code.get(section.repeat)
            if target is None or target.type != "integer" or target.code not in codes:
                raise FormError(f"{where}: section {section.id!r} repeats over {section.repeat!r}, which is not an earlier integer question")
        if section.repeats and not codes:
            raise FormError(f"{where}: section {section.id!r} repeats, so a question must come before it")
        codes.extend(q.code for q in section.questions)
    for index, question in enumerate(form.questions()):
        if question.refuse_on is not None and (index or question.type != "yes_no"):
            raise FormError(f"{where}: question {question.code!r}: only the first question, a yes_no consent, may have refuse_on")
    if form.age is not None:
        birth, on = (form.by_code.get(code) for code in form.age)
        if birth is None or birth.type != "birth_year" or on is None or on.type != "date" or on.repeated:
            raise FormError(f"{where}: 'age' names a birth_year question and a household date question")
    for group in form.duplicates:
        if not group or any(code not in form.by_code or not form.by_code[code].project for code in group):
            raise FormError(f"{where}: each 'duplicates' group lists projected questions ('project')")
    for question in form.questions():
        if any(c.ages for c in question.choices) and (form.age is None or form.members is None or question.repeated):
            raise FormError(f"{where}: question {question.code!r}: 'for_ages' needs the form's 'age' and a members section before it")
        if question.followed_by is not None:
            later = form.by_code.get(question.followed_by)
            section = form.section_of(question.code)
            if later is None or later not in section.questions or section.questions.index(later) <= section.questions.index(question) or question.type != "person_name" or later.type not in FOLLOWING_TYPES:
                raise FormError(f"{where}: question {question.code!r}: 'followed_by' names a later {'/'.join(FOLLOWING_TYPES)} question of its section, after a person_name")
        for choice in question.choices:
            if choice.concerns is not None and not question.problems:
                raise FormError(f"{where}: question {question.code!r}: 'concerns' is for the choices of a problem checklist")
            if choice.concerns not in (None, HOUSEHOLD_CONCERN):
                try:
                    concerns_names(form, choice.concerns, f"{where}: question {question.code!r}, choice {choice.code!r}")  # type: ignore[arg-type]
                except ValueError as error:
                    raise FormError(str(error)) from None
        if question.constraint is not None:
            try:
                constraint_names(form, question.code, question.constraint, f"{where}: question {question.code!r}")
            except ValueError as error:
                raise FormError(str(error)) from None
    conditions = [(f"section {s.id!r}", s.relevant_if, False) for s in form.sections if s.relevant_if is not None]
    conditions += [(f"question {q.code!r}", expr, q.repeated) for q in form.questions() for expr in (q.relevant_if, q.required_if) if expr is not None]
    for named, expr, repeated in conditions:
        try:
            condition_names(form, expr, repeated, f"{where}: {named}")
        except ValueError as error:
            raise FormError(str(error)) from None
    recorded = [q.record for q in form.questions() if q.record]
    if len(recorded) != len(set(recorded)):
        raise FormError(f"{where}: each 'record' field is named by one question")
    for index, check in enumerate(form.checks, start=1):
        try:
            check_names(form, check, f"{where}: check {index}")
        except ValueError as error:
            raise FormError(str(error)) from None

"""What a form says about storing its answers: projections onto columns, duplicate keys, what a refusal clears, what is sealed.

Read once per form version from the form file (`project`, `keep_on_refusal`, `duplicates`),
so storage and the survey handler name no question of any form.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogs.form import Form
from storage.surveys import Projection


@dataclass(frozen=True)
class Records:
    """A form version's storage facts."""

    projections: dict[str, Projection]
    # Groups of household columns that together reveal a household already recorded.
    duplicate_groups: tuple[tuple[str, ...], ...]
    # Answers whose change may reveal one.
    duplicate_codes: frozenset[str]
    # Household columns a refusal empties (all projected ones but the area and date).
    refusal_clears: tuple[str, ...]
    # Answers sealed at rest (the form marks them sensitive: IDs, phones).
    sensitive: frozenset[str]
    # Answers that are not household data yet (the consent's section): a draft with only these is empty.
    preamble: frozenset[str] = frozenset()


_RECORDS: dict[tuple[str, str], Records] = {}


def records_for(form: Form) -> Records:
    """The storage facts of a form version, read once per process."""
    key = (form.id, form.version)
    if key not in _RECORDS:
        _RECORDS[key] = _read(form)
    return _RECORDS[key]


def _read(form: Form) -> Records:
    """Derive the storage facts from the form."""
    counts = {s.repeat for s in form.sections if s.repeat is not None}
    projections: dict[str, Projection] = {}
    for question in form.questions():
        if question.problems:
            projections[question.code] = Projection(dimension=form.section_of(question.code).id, none=question.none)
        elif question.project:
            projections[question.code] = Projection(
                columns=question.project,
                member=question.repeated,
                no_value=question.no_value.code if question.no_value else None,
                counts_members=question.code in counts,
            )
    groups = tuple(tuple(column for code in group for column in form.question(code).project) for group in form.duplicates)
    clears = tuple(column for q in form.questions() if not q.repeated and not q.keep_on_refusal for column in q.project)
    sensitive = frozenset(q.code for q in form.questions() if q.sensitive)
    preamble = frozenset(q.code for q in form.section_of(form.consent.code).questions) if form.consent else frozenset()
    return Records(projections, groups, frozenset(code for group in form.duplicates for code in group), clears, sensitive, preamble)

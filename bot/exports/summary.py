"""Each community's summary: households in the file against its target, problems by dimension and status."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.exports import layout as L
from bot.exports.query import ExportData
from bot.exports.sheets import Labels
from bot.i18n import _
from storage.statuses import ProblemStatus

STATUSES = tuple(ProblemStatus)


@dataclass
class CommunitySummary:
    """One community's figures."""

    name: str
    target: int
    households: int = 0
    # (dimension, status) -> problems
    problems: Counter[tuple[str, str]] = field(default_factory=Counter)

    def dimensions(self, labels: Labels) -> list[str]:
        """The form's dimensions in its order, then any other found in the file."""
        found = {dimension for dimension, _status in self.problems}
        return list(labels.dimensions) + sorted(found - set(labels.dimensions))

    def table(self, labels: Labels) -> tuple[list[str], list[list[object]]]:
        """Header and rows: a dimension per row, a count per status, and the total."""
        header = [_(L.DIMENSION.title)] + [_(L.STATUS_WORDS[s]) for s in STATUSES] + [_("Total")]
        rows: list[list[object]] = []
        for dimension in self.dimensions(labels):
            counts = [self.problems[(dimension, status)] for status in STATUSES]
            rows.append([labels.dimension(dimension), *counts, sum(counts)])
        return header, rows


def summaries(data: ExportData) -> list[CommunitySummary]:
    """Every community of the export's area (those without a household in the file too), and households without one."""
    by_name = {c.name: CommunitySummary(c.name, c.target) for c in data.communities}
    community_of: dict[int, str] = {}
    for household in data.households:
        name = household.community_name or "-"
        if name not in by_name:
            by_name[name] = CommunitySummary(name, 0)
        by_name[name].households += 1
        community_of[household.id] = name
    for problem in data.problems:
        name = community_of.get(problem.household_id)
        if name is not None:
            by_name[name].problems[(problem.dimension, problem.status)] += 1
    return list(by_name.values())


def long_rows(found: list[CommunitySummary], labels: Labels) -> list[list[object]]:
    """The summaries as one table (the CSV's summary): a row per community, dimension and status with problems."""
    rows: list[list[object]] = []
    for community in found:
        if not community.problems:
            rows.append([community.name, community.target, community.households, "", "", "", 0])
        for dimension in community.dimensions(labels):
            for status in STATUSES:
                if community.problems[(dimension, status)]:
                    rows.append([community.name, community.target, community.households, labels.dimension(dimension), status, _(L.STATUS_WORDS[status]), community.problems[(dimension, status)]])
    return rows

"""Soft checks before submitting: suggest a problem the answers point to, never force it.

The rules name this form's codes (I1, A1, A3, A4 and the welfare choices); a form
without those codes simply gets no suggestion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogs.inputs import Env
from bot.dialogs.prompts import Msg
from bot.i18n import N_

if TYPE_CHECKING:
    from bot.dialogs.engine import Answers, Engine

ELDERLY_AGE = 60


def soft_checks(engine: "Engine", answers: "Answers", env: Env) -> list[tuple[Msg, str]]:
    """Suggestions as (message, slot of the checklist to edit)."""
    form = engine.form
    if not {"I", "A", "member_count"} <= set(form.by_code):
        return []
    count = int(answers.get(("member_count", 0)) or 0)
    members = range(1, count + 1)
    ticked = set(engine.ticked(answers, "I")) | set(engine.ticked(answers, "A"))
    found: list[tuple[Msg, str]] = []
    line = int(form.settings.get("basic_needs_line", 0))
    incomes = [int(answers[("m_income", n)]) for n in members if answers.get(("m_income", n))]
    if count and line and "I1" not in ticked:
        per_person_year = sum(incomes) * 12 / count
        if per_person_year < line:
            found.append((Msg(N_("Income per person is about {income} baht a year, below the basic-needs line of {line} baht, but I1 is not ticked. Tick it?"), {"income": f"{round(per_person_year):,}", "line": f"{line:,}"}), "I|0|"))
    no_id = [n for n in members if answers.get(("m_national_id", n)) is None and ("m_national_id", n) in answers]
    if answers.get(("head_national_id", 0)) == "no_card" and 1 not in no_id:
        no_id.insert(0, 1)
    if no_id and "A1" not in ticked:
        found.append((Msg(N_("Member {numbers} has no national ID number, but A1 is not ticked. Tick it?"), {"numbers": ", ".join(map(str, no_id))}), "A|0|"))
    elderly = [n for n in members if (engine.age(answers, n, env) or 0) >= ELDERLY_AGE and "elderly_allowance" not in (answers.get(("m_welfare", n)) or "").split()]
    if elderly and "A3" not in ticked:
        found.append((Msg(N_("Member {numbers} is 60 or older without the old-age allowance, but A3 is not ticked. Tick it?"), {"numbers": ", ".join(map(str, elderly))}), "A|0|"))
    disabled = [n for n in members if answers.get(("m_health", n)) == "disabled" and "disability_allowance" not in (answers.get(("m_welfare", n)) or "").split()]
    if disabled and "A4" not in ticked:
        found.append((Msg(N_("Member {numbers} is disabled without the disability allowance, but A4 is not ticked. Tick it?"), {"numbers": ", ".join(map(str, disabled))}), "A|0|"))
    return found

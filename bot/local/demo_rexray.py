"""The demo's earlier round: households of 2565 imported for Re-X-ray, one revisited part-way.

The demo municipality is a sub-district one (เทศบาลตำบล), which revisits the households of
the earlier round (thaiqm-form.md §3). Its 2565 round goes in the way an operator's file
would (storage.round_import), assigned to the demo volunteer; the first household's visit is
started in the Re-X-ray dialog and paused at its third problem, its first two answered (helped;
help in progress, with the note that is then required), so its card and "continue" resume it.
The answers go through the Re-X-ray form's engine as the chat's would. Running it again changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogs.engine import engine_for
from bot.dialogs.form import current_form, forms
from bot.dialogs.inputs import Env, Input
from bot.handlers.rexray_results import EARLIER, earlier_items
from bot.i18n import _
from bot.imports.checking import problem_dimensions
from storage import surveys
from storage.rexray import begin_revisit
from storage.models import Household
from storage.round_import import HouseholdRecord, ProblemRecord, store_round
from storage.rounds import current_round
from storage.statuses import RexrayStatus

if TYPE_CHECKING:
    from bot.local.demo import DemoWorld
    from storage.models import Person

EARLIER_ROUND = "2565"
REVISITING = "volunteer"  # the persona who revisits them
SURNAMES = ("ใจดี", "รักถิ่น", "มีสุข", "ศรีสุข", "บุญมา", "แก้วดี", "ทองคำ", "สายใจ")
FIRST_NAMES = ("สมศักดิ์", "บุญเรือน", "ประยูร", "สมพร", "จันทร์เพ็ญ", "วิชัย", "ทองใบ", "คำปุน", "สุดา", "อำนวย")
HOUSEHOLD_COUNT = 30


def _national_id(first12: str) -> str:
    """A made-up national ID with a valid check digit (the demo's IDs start with 9: no real person's do)."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


def earlier_round(community_ids: list[int]) -> list[HouseholdRecord]:
    """The round's households: spread over the communities, one to three problems each, every dimension among them."""
    codes = sorted(problem_dimensions(current_form()).items())
    records = []
    for number in range(HOUSEHOLD_COUNT):
        picked = [codes[(number * 7 + k * 5) % len(codes)] for k in range(1 + (number + 2) % 3)]
        records.append(HouseholdRecord(
            order=number + 1, community_id=community_ids[number % len(community_ids)], house_no=f"{10 + number}/{1 + number % 4}",
            house_code=f"9901010{number:04d}", head_name=f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {SURNAMES[number % len(SURNAMES)]}",
            head_national_id=_national_id(f"9{number:011d}"), member_count=2 + number % 5, survey_date=date(2022, 6, 1) + timedelta(days=number),
            problems=[ProblemRecord(code=code, dimension=dimension) for code, dimension in dict(picked).items()],
        ))
    return records


def seed_earlier_round(session: Session, world: "DemoWorld", now: datetime) -> None:
    """Import the 2565 round for the demo volunteer and leave its first household revisited part-way."""
    volunteer = world.people[REVISITING]
    store_round(session, world.municipality.id, EARLIER_ROUND, earlier_round([c.id for c in world.communities]), {None: [volunteer.id]}, now)
    session.flush()
    first = session.scalars(
        select(Household).where(Household.municipality_id == world.municipality.id, Household.round_name == EARLIER_ROUND, Household.walk_order == 1)
    ).one()
    if first.rexray_status != RexrayStatus.PENDING:
        return
    _visit_part_way(session, first, volunteer, now)


# What the volunteer answered before pausing: still there, unchanged; the first problem helped by the
# government sector with rights, from the municipality, today, no note; the second in progress with
# goods from the citizens' sector and the note it requires. The third problem's status is next.
VISIT_SO_FAR = (
    Input("option", value="present"), Input("option", value="unchanged"),
    Input("option", value="helped"), Input("toggle", value="government"), Input("command", value="done"),
    Input("toggle", value="rights"), Input("command", value="done"), Input("text", text="เทศบาลตำบลสาธิตพัฒนา"),
    Input("text", text="วันนี้"), Input("command", value="skip"),
    Input("option", value="in_progress"), Input("toggle", value="citizens"), Input("command", value="done"),
    Input("toggle", value="goods"), Input("command", value="done"), Input("command", value="skip"), Input("command", value="skip"),
    Input("text", text="รอของบประมาณรอบถัดไป"),
)


def _visit_part_way(session: Session, household: Household, volunteer: "Person", now: datetime) -> None:
    """The household's Re-X-ray visit, answered through the form's engine up to its third problem, then paused."""
    form = max((f for f in forms().values() if f.purpose == "rexray"), key=lambda f: f.version)
    round_name = current_round(session, household.municipality_id).name
    visit = begin_revisit(session, household, volunteer, form.id, form.version, round_name, now)
    engine = engine_for(form)
    env = Env(today=now.date(), translate=_, lists={EARLIER: earlier_items(session, form, household, round_name)})
    answers: dict = {}
    cursor = engine.start(answers, env).cursor
    rows: dict = {}
    for given in VISIT_SO_FAR:
        outcome = engine.step(cursor, answers, given, env)
        for key, value in outcome.writes:
            answers[key] = value
            surveys.write_answer(session, visit, rows, key, value, person_id=volunteer.id, now=now)
        cursor = outcome.cursor
    surveys.save_pointer(visit, cursor.state, cursor.member_no, cursor.problem, cursor.tries, cursor.editing, cursor.confirm_cancel)

"""The demo's earlier round: households of 2565 imported for Re-X-ray, one verified, one revisited part-way.

The demo municipality is a sub-district one (เทศบาลตำบล), which revisits the households of
the earlier round (thaiqm-form.md §3). Its 2565 round goes in the way an operator's file
would (storage.round_import), assigned to the demo volunteer. Its first household's visit was
answered to the end and verified (one problem helped, one in progress, one not solved yet: the
household confirms the helped one, bot.local.demo_confirm); the second household's visit is
paused part-way in the Re-X-ray dialog, so its card and "continue" resume it. The answers go
through the Re-X-ray form's engine as the chat's would. Running it again changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogs.engine import engine_for
from bot.dialogs.form import current_form, forms
from bot.dialogs.inputs import Env, Input
from bot.handlers.rexray_results import EARLIER, earlier_items, record
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
    """Import the 2565 round for the demo volunteer: its first household's visit verified, the second's paused part-way."""
    volunteer = world.people[REVISITING]
    store_round(session, world.municipality.id, EARLIER_ROUND, earlier_round([c.id for c in world.communities]), {None: [volunteer.id]}, now)
    session.flush()
    first, second = session.scalars(
        select(Household).where(Household.municipality_id == world.municipality.id, Household.round_name == EARLIER_ROUND, Household.walk_order.in_((1, 2))).order_by(Household.walk_order)
    ).all()
    if first.rexray_status != RexrayStatus.PENDING:
        return
    _visit(session, first, volunteer, now, world.today, VERIFIED_VISIT)
    _visit(session, second, volunteer, now, world.today, VISIT_SO_FAR)


# The first household's visit, answered to the end and submitted: still there, unchanged; its first
# problem helped by the government sector with rights, from the municipality, today (the one
# problem its household confirms, bot.local.demo_confirm); the second in progress with goods from
# the citizens' sector and the note that requires; the third not solved yet, with its note; no new problem.
VERIFIED_VISIT = (
    Input("option", value="present"), Input("option", value="unchanged"),
    Input("option", value="helped"), Input("toggle", value="government"), Input("command", value="done"),
    Input("toggle", value="rights"), Input("command", value="done"), Input("text", text="เทศบาลตำบลสาธิตพัฒนา"),
    Input("text", text="วันนี้"), Input("command", value="skip"),
    Input("option", value="in_progress"), Input("toggle", value="citizens"), Input("command", value="done"),
    Input("toggle", value="goods"), Input("command", value="done"), Input("command", value="skip"), Input("command", value="skip"),
    Input("text", text="รอของบประมาณรอบถัดไป"),
    Input("option", value="not_resolved"), Input("text", text="ครัวเรือนยังไม่มีเอกสาร นัดไปอำเภอพร้อมกันเดือนหน้า"),
    *(Input("toggle", value="none") for _dimension in range(5)),
    Input("command", value="submit"),
)
# The second household's visit, paused after its one problem was said helped: the networks are next.
VISIT_SO_FAR = (Input("option", value="present"), Input("option", value="unchanged"), Input("option", value="helped"))


def _visit(session: Session, household: Household, volunteer: "Person", now: datetime, today: date, inputs: tuple[Input, ...]) -> None:
    """A Re-X-ray visit of the household answered through the form's engine, as the chat would: paused, or verified when submitted."""
    form = max((f for f in forms().values() if f.purpose == "rexray"), key=lambda f: f.version)
    round_name = current_round(session, household.municipality_id).name
    visit = begin_revisit(session, household, volunteer, form.id, form.version, round_name, now)
    engine = engine_for(form)
    env = Env(today=today, translate=_, lists={EARLIER: earlier_items(session, form, household, round_name)})
    answers: dict = {}
    outcome = engine.start(answers, env)
    rows: dict = {}
    for given in inputs:
        outcome = engine.step(outcome.cursor, answers, given, env)
        for key, value in outcome.writes:
            answers[key] = value
            surveys.write_answer(session, visit, rows, key, value, person_id=volunteer.id, now=now)
    cursor = outcome.cursor
    surveys.save_pointer(visit, cursor.state, cursor.member_no, cursor.problem, cursor.tries, cursor.editing, cursor.confirm_cancel)
    if outcome.event == "submitted":
        record(session, engine, answers, env, household, visit, volunteer.id, now)

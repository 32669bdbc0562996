"""The demo's earlier round: households of 2565 imported for Re-X-ray, one revisited part-way.

The demo municipality is a sub-district one (เทศบาลตำบล), which revisits the households of
the earlier round (thaiqm-form.md §3). Its 2565 round goes in the way an operator's file
would (storage.round_import), assigned to the demo volunteer; the first household's first
two problems are checked, as if the volunteer had paused there. Running it again changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogs.form import current_form
from bot.imports.checking import problem_dimensions
from storage.rexray import ProblemCheck, earlier_problems, record_check, start_visit
from storage.models import Household
from storage.round_import import HouseholdRecord, ProblemRecord, store_round
from storage.statuses import HelpKind, PartnerNetwork, ProblemStatus, RexrayStatus

if TYPE_CHECKING:
    from bot.local.demo import DemoWorld

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
    start_visit(first, now)
    helped, in_progress = earlier_problems(session, first.id)[:2]
    record_check(session, helped, ProblemCheck(ProblemStatus.HELPED, (PartnerNetwork.GOVERNMENT,), (HelpKind.RIGHTS,), "เทศบาลตำบลสาธิตพัฒนา", now.date()), volunteer.id, now, EARLIER_ROUND)
    record_check(session, in_progress, ProblemCheck(ProblemStatus.IN_PROGRESS, (PartnerNetwork.CITIZENS,), (HelpKind.GOODS,), note="รอของบประมาณรอบถัดไป"), volunteer.id, now, EARLIER_ROUND)

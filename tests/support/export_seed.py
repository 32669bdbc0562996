"""A municipality whose records are ready to export: surveyed households with members and problems, a Re-X-ray, a confirmation.

Small and exact for the export's tests (seed_small), or in bulk for the benchmark (seed_bulk).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from storage.models import Community, Household, HouseholdMember, HouseholdProblem, LineUser, Municipality, Person
from storage.problem_history import ProblemHistory
from storage.problems import set_status
from storage.rexray import ProblemCheck, finish_visit, record_check
from storage.statuses import ApprovalStatus, HouseholdOrigin, HouseholdPresence, ProblemChange, ProblemStatus, RexrayStatus
from tests.support.round_files import national_id

TAMBON = "401005"
NOW = datetime(2024, 1, 10, 5, 0, tzinfo=timezone.utc)  # 12:00 in Bangkok
SUPERVISOR_CHAT = "U" + "a" * 32
OTHER_SUPERVISOR_CHAT = "U" + "b" * 32
VOLUNTEER_CHAT = "U" + "c" * 32
REXRAY_VOLUNTEER_CHAT = "U" + "d" * 32
HEAD_IDS = [national_id(f"1101700{n:05d}") for n in range(1, 6)]
MEMBER_ID = national_id("310050067890")


@dataclass
class Seeded:
    """The ids the tests need."""

    ids: dict[str, int] = field(default_factory=dict)


def _person(session: Session, role: str, municipality_id: int, community_id: int | None, name: str, chat: str | None = None) -> int:
    """A person, with a LINE user when a chat id is given."""
    line_pk = None
    if chat is not None:
        user = LineUser(line_user_id=chat, active=True, events_handled=0)
        session.add(user)
        session.flush()
        line_pk = user.id
    person = Person(role=role, full_name=name, phone="0812345678", municipality_id=municipality_id, community_id=community_id, line_user_id=line_pk, active=True,
                    volunteer_type="osm" if role == "volunteer" else None)
    session.add(person)
    session.flush()
    return person.id


def seed_small(engine: Engine) -> Seeded:
    """เทศบาลตำบลเมืองเพีย: ชุมชนเหนือ (3 surveyed households: two approved, one awaiting) and ชุมชนใต้ (an approved Re-X-ray of round 2565).

    Another municipality has a supervisor (of another area) and a household of its own.
    """
    seeded = Seeded()
    ids = seeded.ids
    with Session(engine) as session, session.begin():
        town = Municipality(name="เทศบาลตำบลเมืองเพีย", kind="subdistrict", tambon_code=TAMBON, amphoe_code=TAMBON[:4], province_code=TAMBON[:2])
        other = Municipality(name="เทศบาลนครขอนแก่น", kind="city", tambon_code="400101", amphoe_code="4001", province_code="40")
        session.add_all([town, other])
        session.flush()
        north, south = Community(municipality_id=town.id, name="ชุมชนเหนือ", target_households=10), Community(municipality_id=town.id, name="ชุมชนใต้", target_households=5)
        far = Community(municipality_id=other.id, name="ชุมชนไกล", target_households=5)
        session.add_all([north, south, far])
        session.flush()
        ids.update(town=town.id, other=other.id, north=north.id, south=south.id, far=far.id)
        ids["sup"] = _person(session, "supervisor", town.id, None, "ผู้ควบคุม เมืองเพีย", SUPERVISOR_CHAT)
        ids["other_sup"] = _person(session, "supervisor", other.id, None, "ผู้ควบคุม ขอนแก่น", OTHER_SUPERVISOR_CHAT)
        ids["v1"] = _person(session, "volunteer", town.id, north.id, "สมศรี เดินดี", VOLUNTEER_CHAT)
        ids["v2"] = _person(session, "volunteer", town.id, south.id, "สมปอง ขยัน", REXRAY_VOLUNTEER_CHAT)
        ids["far_v"] = _person(session, "volunteer", other.id, far.id, "คนไกล บ้านอื่น")
        approved = dict(approval=ApprovalStatus.APPROVED, approved_by=ids["sup"], approved_at=NOW)
        h1 = _surveyed(session, town.id, north.id, ids["v1"], "12/3", "นายหนึ่ง ใจดี", HEAD_IDS[0], "40100512345", 1, **approved)
        h2 = _surveyed(session, town.id, north.id, ids["v1"], "15", "นางสอง รักถิ่น", HEAD_IDS[1], None, 2, **approved)
        h3 = _surveyed(session, town.id, north.id, ids["v1"], "20/1", "นายสาม รอตรวจ", HEAD_IDS[2], None, 3, approval=ApprovalStatus.AWAITING)
        session.add_all([
            HouseholdMember(household_id=h1.id, member_no=1, full_name="นายหนึ่ง ใจดี", sex="male", relation="head", birth_year_be=2510, national_id=HEAD_IDS[0], health="normal",
                            education="primary", occupation="farmer", monthly_income=6000, welfare="welfare_card"),
            HouseholdMember(household_id=h1.id, member_no=2, full_name="นางหนึ่ง ใจดี", sex="female", relation="spouse", birth_year_be=2470, national_id=MEMBER_ID, health="bedridden",
                            welfare="elderly_allowance welfare_card"),
        ])
        p1 = _problem(session, h1, "H1", "health", member_no=2, detail="ติดเตียงหลังหกล้ม")
        _problem(session, h1, "L2", "living")
        p3 = _problem(session, h2, "I4", "income")
        _problem(session, h3, "E5", "education")
        set_status(session, p3, ProblemStatus.IN_PROGRESS, ProblemChange.SUPERVISOR, NOW, by=ids["sup"], round_name="2566")
        p3.partners, p3.help_kinds, p3.agency, p3.help_date, p3.note = "government citizens", "money", "พมจ.", date(2023, 12, 1), "รอวงเงิน"
        # An earlier round's household, revisited: one problem helped, and the household confirmed it.
        old = Household(municipality_id=town.id, community_id=south.id, volunteer_id=ids["v2"], round_name="2565", form_id="import", form_version="1",
                        status="imported", origin=HouseholdOrigin.IMPORTED, rexray_status=RexrayStatus.PENDING, walk_order=1, house_no="99", head_name="นางสี่ เดิมมา",
                        head_national_id=HEAD_IDS[3], phone="0898765432", member_count=3, survey_date=date(2022, 6, 15), created_at=NOW, updated_at=NOW)
        session.add(old)
        session.flush()
        q1 = _problem(session, old, "A1", "accessibility", found_round="2565", via=ProblemChange.IMPORT)
        q2 = _problem(session, old, "I1", "income", found_round="2565", via=ProblemChange.IMPORT)
        record_check(session, q1, ProblemCheck(ProblemStatus.HELPED, ("government",), ("rights",), "อำเภอ", date(2023, 11, 20)), ids["v2"], NOW, "2566")
        record_check(session, q2, ProblemCheck(ProblemStatus.NOT_RESOLVED, note="ยังหางานไม่ได้"), ids["v2"], NOW, "2566")
        finish_visit(old, HouseholdPresence.PRESENT, NOW)
        old.approval, old.approved_by, old.approved_at = ApprovalStatus.APPROVED, ids["sup"], NOW
        session.add(ProblemHistory(problem_id=q1.id, household_id=old.id, old_status=ProblemStatus.HELPED, new_status=ProblemStatus.HELPED, via=ProblemChange.HOUSEHOLD,
                                   round_name="2566", changed_by=None, changed_at=NOW + timedelta(days=1)))
        far_h = _surveyed(session, other.id, far.id, ids["far_v"], "1", "นายไกล มาก", HEAD_IDS[4], None, 9, **approved)
        ids.update(h1=h1.id, h2=h2.id, h3=h3.id, old=old.id, far_h=far_h.id, p1=p1.id)
    return seeded


def _surveyed(session: Session, municipality_id: int, community_id: int, volunteer_id: int, house_no: str, head: str, head_id: str, house_code: str | None, n: int,
              **approval: object) -> Household:
    """A household surveyed in the chat and submitted."""
    household = Household(municipality_id=municipality_id, community_id=community_id, volunteer_id=volunteer_id, round_name="2566", form_id="thaiqm-2566",
                          form_version="1", status="submitted", house_code=house_code, house_no=house_no, head_name=head, head_national_id=head_id,
                          phone=f"08123456{n:02d}", member_count=2, moo=3, survey_date=date(2024, 1, n), receipt_no=f"QM-2566-{900000 + n:06d}",
                          created_at=NOW, updated_at=NOW, submitted_at=NOW, respondent="head", **approval)
    session.add(household)
    session.flush()
    return household


def _problem(session: Session, household: Household, code: str, dimension: str, via: ProblemChange = ProblemChange.SURVEY, **columns: object) -> HouseholdProblem:
    """A problem found, with its first history entry."""
    problem = HouseholdProblem(household_id=household.id, code=code, dimension=dimension, status=ProblemStatus.FOUND, created_at=NOW, **columns)
    session.add(problem)
    set_status(session, problem, ProblemStatus.FOUND, via, NOW, round_name=household.round_name)
    return problem


def seed_bulk(engine: Engine, households: int, communities: int = 20, batch: int = 5000) -> int:
    """A municipality of approved households (4 members, 2 problems each, with history), inserted in bulk; returns its id."""
    with Session(engine) as session, session.begin():
        town = Municipality(name="เทศบาลเมืองทดสอบ", kind="town", tambon_code="401002", amphoe_code="4010", province_code="40")
        session.add(town)
        session.flush()
        session.add_all([Community(municipality_id=town.id, name=f"ชุมชนที่ {c + 1:02d}", target_households=households // communities + 10) for c in range(communities)])
        session.flush()
        community_ids = list(session.scalars(select(Community.id).where(Community.municipality_id == town.id).order_by(Community.id)))
        volunteer = _person(session, "volunteer", town.id, community_ids[0], "อาสา ทดสอบ")
        town_id = town.id
    codes = (("H1", "health"), ("L2", "living"), ("E1", "education"), ("I4", "income"), ("A3", "accessibility"))
    with engine.begin() as connection:
        for start in range(0, households, batch):
            numbers = range(start, min(households, start + batch))
            hids = connection.execute(insert(Household).returning(Household.id), [
                {"municipality_id": town_id, "community_id": community_ids[i % communities], "volunteer_id": volunteer, "round_name": "2566", "form_id": "thaiqm-2566",
                 "form_version": "1", "status": "submitted", "house_no": f"{i}/1", "head_name": f"หัวหน้า {i}", "head_national_id": national_id(f"{1100000000000 + i:012d}"[-12:]),
                 "phone": "0812345678", "member_count": 4, "moo": 1, "survey_date": date(2024, 1, 1 + i % 28), "receipt_no": f"QM-2566-{i:07d}", "approval": "approved",
                 "created_at": NOW, "updated_at": NOW, "submitted_at": NOW}
                for i in numbers
            ]).scalars().all()
            connection.execute(insert(HouseholdMember), [
                {"household_id": hid, "member_no": m, "full_name": f"สมาชิก {m}", "sex": "female", "relation": "head" if m == 1 else "child", "birth_year_be": 2500 + m,
                 "national_id": national_id(f"{3100000000000 + hid * 4 + m:012d}"[-12:]), "health": "normal"}
                for hid in hids for m in range(1, 5)
            ])
            problems = connection.execute(insert(HouseholdProblem).returning(HouseholdProblem.id, HouseholdProblem.household_id), [
                {"household_id": hid, "code": codes[(n + k) % 5][0], "dimension": codes[(n + k) % 5][1], "status": "found", "created_at": NOW}
                for n, hid in enumerate(hids) for k in range(2)
            ]).all()
            connection.execute(insert(ProblemHistory), [
                {"problem_id": pid, "household_id": hid, "old_status": None, "new_status": "found", "via": "survey", "round_name": "2566", "changed_at": NOW}
                for pid, hid in problems
            ])
    return town_id

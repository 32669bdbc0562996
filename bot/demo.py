"""The demo world `thaiqm-bot demo` seeds: a municipality anyone can try in the emulator.

Seeding is idempotent (every row is looked up by a natural key before it is made), so
running the demo twice changes nothing. Each part of the world is one step in
`SEED_STEPS`; a feature that needs demo data adds a step (see the module's end).
The people are made up; their LINE accounts are the emulator's personas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.emulator.personas import PERSONAS_BY_KEY
from storage.db import make_engine, make_session_factory, transaction
from storage.models import Community, Household, LineUser, Municipality, Person
from storage.upsert import insert_ignoring_conflict

# Province 99 does not exist, so the demo can never collide with a real municipality.
MUNICIPALITY = {
    "name": "เทศบาลตำบลสาธิตพัฒนา",
    "kind": "subdistrict",
    "tambon_code": "990101",
    "amphoe_code": "9901",
    "province_code": "99",
}
# (name, moo, household target)
COMMUNITIES = (
    ("ชุมชนบ้านหนองบัว", 1, 120),
    ("ชุมชนวัดป่าสามัคคี", 2, 90),
    ("ชุมชนตลาดเก่า", 3, 150),
)
# persona key -> (role, volunteer type, full name, phone, community index or None for all)
PEOPLE = {
    "supervisor": ("supervisor", None, "นางวันดี มีสุข", "0812345670", None),
    "volunteer": ("volunteer", "osm", "นายสมชาย ใจดี", "0812345671", 0),
    "volunteer2": ("volunteer", "committee", "นางสาวมาลี ศรีสุข", "0812345672", 1),
    "household": ("household", None, "นายบุญมี รักบ้าน", None, 0),
}
ROUND_NAME = "2567"
FORM_ID = "thaiqm-2566"
FORM_VERSION = "1"
# (volunteer key, community index, house code, house no, head, status, receipt, days ago)
HOUSEHOLDS = (
    ("volunteer", 0, "99010100011", "12/3", "นายประสิทธิ์ ทองดี", "submitted", "DEMO-2567-0001", 6),
    ("volunteer", 0, "99010100029", "15", "นางสมหญิง แก้วใส", "submitted", "DEMO-2567-0002", 4),
    ("volunteer", 0, "99010100037", "21/1", "นายทองใบ พึ่งตน", "submitted", "DEMO-2567-0003", 1),
    ("volunteer2", 1, "99010100045", "7 ม.2", "นางบัวผัน ดวงดี", "submitted", "DEMO-2567-0004", 2),
    ("volunteer", 0, "99010100053", "33", None, "draft", None, 0),
)


@dataclass
class DemoWorld:
    """What the seeding found or made, for later steps and for the summary line."""

    municipality: Municipality
    communities: list[Community] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
    households: list[Household] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the terminal (counts only: no names)."""
        roles = [person.role for person in self.people.values()]
        return (
            f"{len(self.communities)} communities, {roles.count('supervisor')} supervisor, "
            f"{roles.count('volunteer')} volunteers, {len(self.households)} households"
        )


SeedStep = Callable[[Session, DemoWorld, datetime], None]


def seed_demo(session: Session, now: datetime) -> DemoWorld:
    """Find or make the whole demo world in the session (the caller commits)."""
    world = DemoWorld(municipality=_municipality(session, now))
    for step in SEED_STEPS:
        step(session, world, now)
    session.flush()
    return world


def seed_database(database_url: str, now: datetime | None = None) -> str:
    """Seed a migrated database in one transaction; returns the summary line."""
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            return seed_demo(session, now or datetime.now(timezone.utc)).summary()
    finally:
        engine.dispose()


def _municipality(session: Session, now: datetime) -> Municipality:
    """The demo municipality, by its (made-up) tambon code."""
    found = session.scalars(select(Municipality).where(Municipality.tambon_code == MUNICIPALITY["tambon_code"])).first()
    if found is None:
        found = Municipality(**MUNICIPALITY, created_at=now)
        session.add(found)
        session.flush()
    return found


def seed_communities(session: Session, world: DemoWorld, now: datetime) -> None:
    """The municipality's communities, with household targets for progress figures."""
    existing = {
        community.name: community
        for community in session.scalars(select(Community).where(Community.municipality_id == world.municipality.id))
    }
    for name, moo, target in COMMUNITIES:
        community = existing.get(name)
        if community is None:
            community = Community(municipality_id=world.municipality.id, name=name, moo=moo, target_households=target, created_at=now)
            session.add(community)
        world.communities.append(community)
    session.flush()


def seed_people(session: Session, world: DemoWorld, now: datetime) -> None:
    """A supervisor, two volunteers and a household member, each a friend of the bot in LINE."""
    for key, (role, volunteer_type, full_name, phone, community_index) in PEOPLE.items():
        line_user = _friend_line_user(session, PERSONAS_BY_KEY[key].line_user_id, now)
        person = session.scalars(select(Person).where(Person.line_user_id == line_user.id)).first()
        if person is None:
            person = Person(
                line_user_id=line_user.id,
                role=role,
                volunteer_type=volunteer_type,
                full_name=full_name,
                phone=phone,
                municipality_id=world.municipality.id,
                community_id=None if community_index is None else world.communities[community_index].id,
                created_at=now,
            )
            session.add(person)
        world.people[key] = person
    session.flush()


def _friend_line_user(session: Session, line_user_id: str, now: datetime) -> LineUser:
    """The persona's LINE user row, made as if it had added the bot as a friend."""
    insert_ignoring_conflict(
        session,
        LineUser.__table__,
        {"line_user_id": line_user_id, "active": True, "events_handled": 0, "followed_at": now, "created_at": now},
    )
    return session.scalars(select(LineUser).where(LineUser.line_user_id == line_user_id)).one()


def seed_households(session: Session, world: DemoWorld, now: datetime) -> None:
    """Households the volunteers already surveyed, and one draft still in progress."""
    codes = [row[2] for row in HOUSEHOLDS]
    existing = {
        household.house_code: household
        for household in session.scalars(
            select(Household).where(Household.municipality_id == world.municipality.id, Household.house_code.in_(codes))
        )
    }
    for volunteer_key, community_index, house_code, house_no, head, status, receipt, days_ago in HOUSEHOLDS:
        household = existing.get(house_code)
        if household is None:
            when = now - timedelta(days=days_ago)
            household = Household(
                municipality_id=world.municipality.id,
                community_id=world.communities[community_index].id,
                volunteer_id=world.people[volunteer_key].id,
                round_name=ROUND_NAME,
                form_id=FORM_ID,
                form_version=FORM_VERSION,
                status=status,
                house_code=house_code,
                house_no=house_no,
                head_name=head,
                receipt_no=receipt,
                created_at=when,
                updated_at=when,
                submitted_at=when if status == "submitted" else None,
            )
            session.add(household)
        world.households.append(household)
    session.flush()


# Later features add their step here, after what they need, e.g.:
#   registration  – seed the invite codes the people were registered with (and one unused code,
#                   so a "new user" can register in the emulator);
#   survey        – the answers of the submitted households and the draft's progress (dialog state);
#   Re-X-ray      – earlier-round households and their problems to revisit;
#   reminders     – a due reminder for the draft; exports – nothing (they read the above).
SEED_STEPS: tuple[SeedStep, ...] = (seed_communities, seed_people, seed_households)

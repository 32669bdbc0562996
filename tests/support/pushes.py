"""Scheduled pushes in a test: a frozen clock in Bangkok, a small world with work waiting, what each chat got."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from bot.local.line_standin import LineStandIn
from storage.models import Household, LineUser, Round
from storage.statuses import HouseholdOrigin, HouseholdStatus, RexrayStatus
from tests.support.line_chat import Replies
from tests.support.world import World

BANGKOK = ZoneInfo("Asia/Bangkok")


def bangkok_today() -> date:
    """The municipality's day now: from 17:00 UTC on it is already the next day in Thailand."""
    return datetime.now(BANGKOK).date()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of a Bangkok day (aware)."""
    return datetime.combine(day, time(hour, minute), tzinfo=BANGKOK)


def got(line_api: LineStandIn, chat_id: str) -> Replies:
    """Everything pushed to a chat so far, as a Replies (for flex_texts and friends)."""
    return Replies([m.message for m in line_api.messages_for(chat_id)], 200)


@dataclass
class PushWorld:
    """A sub-district municipality with a supervisor, volunteers with and without work, and the round's deadlines."""

    world: World
    municipality: int = 0
    community: int = 0
    chats: dict[str, str] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)

    def person(self, key: str, role: str, name: str, community: bool = True) -> int:
        """A registered person with a LINE chat of their own."""
        chat = "U" + format(abs(hash(key)) % 16**32, "032x")
        self.chats[key] = chat
        self.people[key] = self.world.person(role, self.municipality, self.community if community else None, name=name, line_user_id=chat)
        return self.people[key]


def push_world(engine: Engine, today: date, survey_in: int = 14, volunteers_with_work: int = 1) -> PushWorld:
    """The world most push tests start from (deadline `survey_in` days after `today`)."""
    w = PushWorld(World(engine))
    w.municipality = w.world.municipality(kind="subdistrict")
    w.community = w.world.community(w.municipality, "ชุมชนหนองบัว")
    w.person("supervisor", "supervisor", "วันดี มีสุข")
    for n in range(volunteers_with_work):
        key = "busy" if n == 0 else f"busy{n}"
        pid = w.person(key, "volunteer", f"สมชาย ใจดี {n}" if n else "สมชาย ใจดี")
        w.world.household(w.municipality, w.community, pid, f"1{n:03d}0000001", status=HouseholdStatus.DRAFT)
    for n in range(2):
        hid = w.world.household(w.municipality, w.community, w.people["busy"], f"20000000{n:03d}", status=HouseholdStatus.IMPORTED, house_no=f"{n + 5}/1", head_name=f"นางบ้าน เก่า{n}")
        with Session(engine) as session, session.begin():
            session.execute(update(Household).where(Household.id == hid).values(origin=HouseholdOrigin.IMPORTED, rexray_status=RexrayStatus.PENDING, walk_order=n + 1, round_name="2565"))
    w.person("idle", "volunteer", "มาลี ไม่มีงาน")
    unfollowed = w.person("unfollowed", "volunteer", "บุญมา บล็อกแล้ว")
    w.world.household(w.municipality, w.community, unfollowed, "30000000001")
    gone = w.person("gone", "volunteer", "สมปอง ลาออก")
    w.world.household(w.municipality, w.community, gone, "30000000002")
    with Session(engine) as session, session.begin():
        session.execute(update(LineUser).where(LineUser.line_user_id == w.chats["unfollowed"]).values(active=False))
        from storage.models import Person

        session.execute(update(Person).where(Person.id == gone).values(active=False))
        session.add(Round(name="2566", form_id="thaiqm-2566", survey_deadline=today + timedelta(days=survey_in), resolution_deadline=today + timedelta(days=200), current=True))
    return w

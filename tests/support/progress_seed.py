"""A municipality of many communities and households, inserted in bulk (for the progress view's tests and benchmark)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, insert, select

from storage.models import Community, Household, HouseholdProblem, LineUser, Municipality, Person

DIMENSIONS = (("health", "H"), ("living", "L"), ("education", "E"), ("income", "I"), ("accessibility", "A"))
BATCH = 5000


@dataclass(frozen=True)
class Seeded:
    """The ids a test needs."""

    municipality_id: int
    community_ids: list[int]
    volunteer_ids: list[int]


def seed(engine: Engine, communities: int, households: int, volunteers_per_community: int = 2, supervisor_line_user: str | None = None,
         tambon: str = "401002", now: datetime | None = None) -> Seeded:
    """Communities with targets, volunteers, households (mostly submitted, some drafts and refusals) and their problems.

    Household i is in community i % communities with rank k = i // communities there: submitted unless k % 10
    is 8 (a draft) or 9 (refused); submitted today when k % 7 == 0, else days ago; the n-th submitted household
    has one problem, of dimension n % 5. Volunteer 0 of the first community has done nothing for ten days and
    holds drafts (an idle volunteer).
    """
    now = now or datetime.now(timezone.utc)
    with engine.begin() as connection:
        municipality_id = connection.execute(
            insert(Municipality).values(name="เทศบาลเมืองบ้านไผ่", kind="town", tambon_code=tambon, amphoe_code=tambon[:4], province_code=tambon[:2]).returning(Municipality.id)
        ).scalar_one()
        connection.execute(insert(Community), [{"municipality_id": municipality_id, "name": f"ชุมชนที่ {n + 1:02d}", "target_households": households // communities + 20} for n in range(communities)])
        community_ids = list(connection.execute(select(Community.id).where(Community.municipality_id == municipality_id).order_by(Community.id)).scalars())
        connection.execute(insert(Person), [
            {"role": "volunteer", "full_name": f"อาสา ชุมชน{c + 1:02d} คนที่{v + 1}", "municipality_id": municipality_id, "community_id": cid, "active": True, "volunteer_type": "osm"}
            for c, cid in enumerate(community_ids) for v in range(volunteers_per_community)
        ])
        volunteer_ids = list(connection.execute(select(Person.id).where(Person.municipality_id == municipality_id, Person.role == "volunteer").order_by(Person.id)).scalars())
        if supervisor_line_user is not None:
            line_pk = connection.execute(insert(LineUser).values(line_user_id=supervisor_line_user, active=True, events_handled=0).returning(LineUser.id)).scalar_one()
            connection.execute(insert(Person).values(line_user_id=line_pk, role="supervisor", full_name="ผู้ดูแล ทดสอบ", municipality_id=municipality_id, active=True))
        first_id = connection.execute(select(Household.id).order_by(Household.id.desc()).limit(1)).scalar() or 0
        for start in range(0, households, BATCH):
            rows = [_household(i, municipality_id, community_ids, volunteer_ids, volunteers_per_community, now) for i in range(start, min(households, start + BATCH))]
            connection.execute(insert(Household), rows)
        ids = list(connection.execute(select(Household.id, Household.status).where(Household.municipality_id == municipality_id, Household.id > first_id).order_by(Household.id)))
        submitted = [hid for hid, status in ids if status == "submitted"]
        problems = [{"household_id": hid, "code": f"{DIMENSIONS[n % 5][1]}1", "dimension": DIMENSIONS[n % 5][0], "status": "found"} for n, hid in enumerate(submitted)]
        for start in range(0, len(problems), BATCH):
            connection.execute(insert(HouseholdProblem), problems[start : start + BATCH])
    return Seeded(municipality_id, community_ids, volunteer_ids)


def _household(i: int, municipality_id: int, community_ids: list[int], volunteer_ids: list[int], per_community: int, now: datetime) -> dict:  # type: ignore[type-arg]
    """One household row."""
    c, k = i % len(community_ids), i // len(community_ids)  # its community, and its rank there
    volunteer = volunteer_ids[c * per_community + k % per_community]
    status = "draft" if k % 10 == 8 else "refused" if k % 10 == 9 else "submitted"
    when = now if k % 7 == 0 else now - timedelta(days=1 + k % 20)
    if volunteer == volunteer_ids[0]:  # nothing done for ten days or more
        when = now - timedelta(days=10 + k % 20)
    elif status == "draft":
        when = now
    return {
        "municipality_id": municipality_id, "community_id": community_ids[c], "volunteer_id": volunteer, "round_name": "2566",
        "form_id": "thaiqm-2566", "form_version": "1", "status": status, "house_no": f"{i}/1", "head_name": f"หัวหน้า {i}",
        "receipt_no": None, "created_at": when, "updated_at": when, "submitted_at": when if status == "submitted" else None,
    }

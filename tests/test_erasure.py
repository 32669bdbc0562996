"""Erasing a household's personal data on request: a supervisor in the chat, the officer with the CLI; the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session

from storage.models import AuditEntry, Household
from tests.support.world import World, now

SUPERVISOR = "U" + "7" * 32
FAR_SUPERVISOR = "U" + "8" * 32
VOLUNTEER = "U" + "9" * 32


@pytest.fixture
def world(db_engine) -> World:  # type: ignore[no-untyped-def]
    """A submitted household of a municipality, its supervisor and volunteer, and another municipality's supervisor."""
    w = World(db_engine)
    m, other = w.municipality(), w.municipality("เทศบาลนครขอนแก่น", tambon="400101", kind="city")
    a = w.community(m, "ชุมชนเอ")
    w.ids["sup"] = w.person("supervisor", m, None, name="ผู้ควบคุม หนึ่ง", line_user_id=SUPERVISOR)
    w.ids["far"] = w.person("supervisor", other, None, name="ผู้ควบคุม ไกล", line_user_id=FAR_SUPERVISOR)
    w.ids["vol"] = w.person("volunteer", m, a, name="อาสา ทดสอบ", line_user_id=VOLUNTEER)
    household = w.household(m, a, w.ids["vol"], "40100200001", status="submitted", submitted_at=now(), house_no="99/9", head_name="นายลบ ข้อมูล")
    with Session(db_engine) as session, session.begin():
        row = session.get(Household, household)
        row.receipt_no, row.head_national_id, row.phone = f"QM-2566-{household:06d}", "1103701234563", "0812345678"
    w.ids["household"] = household
    return w


def receipt(world: World) -> str:
    """The household's survey number."""
    return f"QM-2566-{world.ids['household']:06d}"


def test_a_supervisor_erases_a_household_of_their_area_after_confirming(line_user, world):
    supervisor = line_user(SUPERVISOR)
    asked = supervisor.say(f"ลบข้อมูลส่วนบุคคล {receipt(world).lower()}")
    assert f"ต้องการลบข้อมูลส่วนบุคคลของเลขที่แบบสำรวจ {receipt(world)} (บ้านเลขที่ 99/9)" in asked.text
    assert asked.buttons == ["ยืนยันลบข้อมูล", "ไม่ลบ"]
    assert world.get(Household, world.ids["household"]).head_name == "นายลบ ข้อมูล"  # nothing yet
    done = supervisor.tap_button(asked, "ยืนยันลบข้อมูล")
    assert f"ลบข้อมูลส่วนบุคคลของเลขที่แบบสำรวจ {receipt(world)} แล้ว" in done.text
    household = world.get(Household, world.ids["household"])
    assert (household.head_name, household.house_no, household.head_national_id, household.phone, household.status) == (None, None, None, None, "submitted")
    assert household.forgotten_at is not None
    assert [(e.action, e.actor_person_id, e.household_id) for e in world.all(AuditEntry)] == [("household.forget", world.ids["sup"], world.ids["household"])]
    again = supervisor.tap_button(asked, "ยืนยันลบข้อมูล")  # an old button: nothing more happens
    assert len(world.all(AuditEntry)) == 1 and "ลบข้อมูลส่วนบุคคล" in again.text


def test_another_area_or_a_volunteer_cannot_erase_and_learns_nothing(line_user, world):
    far = line_user(FAR_SUPERVISOR).say(f"ลบข้อมูลส่วนบุคคล {receipt(world)}")
    assert "ไม่พบเลขที่แบบสำรวจนี้ในพื้นที่ของท่าน" in far.text and "99/9" not in far.text
    volunteer = line_user(VOLUNTEER).say(f"ลบข้อมูลส่วนบุคคล {receipt(world)}")
    assert volunteer.texts == ["ขออภัย ท่านไม่มีสิทธิ์ใช้เมนูนี้"]
    assert world.get(Household, world.ids["household"]).head_name == "นายลบ ข้อมูล"
    assert world.all(AuditEntry) == []


def test_the_officer_erases_with_the_cli_after_confirming_and_the_audit_lists_it(run, world):
    refused = run("forget", receipt(world), stdin="n\n")
    assert refused.exit_code != 0 and world.get(Household, world.ids["household"]).head_name == "นายลบ ข้อมูล"
    done = run("forget", receipt(world), stdin="y\n")
    assert done.exit_code == 0, done.output
    assert f"{receipt(world)}: personal data erased" in done.output
    assert world.get(Household, world.ids["household"]).head_name is None
    assert "already erased" in run("forget", receipt(world), "--yes").output
    assert run("forget", "QM-2566-999999", "--yes").exit_code != 0
    listed = run("audit", "--since", (now() - timedelta(days=1)).strftime("%Y-%m-%d"))
    assert listed.exit_code == 0, listed.output
    [line] = listed.output.strip().splitlines()
    assert "\thousehold.forget\tby CLI\t-\thousehold " in line and "นาย" not in line


def test_audit_entries_past_retention_are_pruned(run, world, db_engine):
    with Session(db_engine) as session, session.begin():
        session.add_all([
            AuditEntry(action="export", at=datetime.now(timezone.utc) - timedelta(days=800)),
            AuditEntry(action="export", at=datetime.now(timezone.utc) - timedelta(days=10)),
        ])
    assert "1 audit entry older than 730 days removed" in run("audit", "prune").output
    assert [e.action for e in world.all(AuditEntry)] == ["export"]  # the recent one
    assert "1 audit entry older than 5 days removed" in run("audit", "prune", "--days", "5").output


def test_an_erased_draft_dropped_later_stays_cancelled_with_its_erasure_audited(world, db_engine):
    """A draft erased on request, then dropped by its volunteer (or as empty), keeps the erasure's audit row instead of failing on it."""
    from storage.drafts import delete_draft, drop_empty
    from storage.forget import forget_household

    with Session(db_engine) as session:
        submitted = session.get(Household, world.ids["household"])
        area = submitted.municipality_id, submitted.community_id
    draft = world.household(*area, world.ids["vol"], None, status="draft", house_no="7/7", head_name="นายร่าง ลบ")
    with Session(db_engine) as session, session.begin():
        forget_household(session, session.get(Household, draft), (), now(), actor_id=world.ids["sup"])
    with Session(db_engine) as session, session.begin():
        delete_draft(session, session.get(Household, draft), now(), actor_id=world.ids["vol"])
        assert drop_empty(session, world.ids["vol"], (), now()) == 0  # nothing left to drop, nothing fails
    with Session(db_engine) as session:
        assert session.get(Household, draft).status == "cancelled"
        assert [e.action for e in session.query(AuditEntry).filter(AuditEntry.household_id == draft)] == ["household.forget"]

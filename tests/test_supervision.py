"""Supervisors in the chat: volunteer counts, deactivation, invite codes."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from bot.chat.postback import encode
from bot.dialogs.answers import format_date_be
from storage.models import AuditEntry, Household, InviteCode, Person
from storage.people import pushable_chat_ids
from tests.support.world import World, now

SUPERVISOR = "U" + "5" * 32
VOLUNTEER = "U" + "6" * 32


@pytest.fixture
def world(db_engine) -> World:  # type: ignore[no-untyped-def]
    """A municipality supervisor, two volunteers of it and one of another municipality."""
    w = World(db_engine)
    m, other = w.municipality(), w.municipality("เทศบาลนครขอนแก่น", tambon="400101", kind="city")
    a = w.community(m, "ชุมชนเอ")
    w.ids.update(m=m, a=a)
    w.ids["sup"] = w.person("supervisor", m, None, name="ผู้ดูแล หนึ่ง", line_user_id=SUPERVISOR)
    w.ids["v1"] = w.person("volunteer", m, a, name="สมศรี มีสุข", line_user_id=VOLUNTEER)
    w.ids["v2"] = w.person("volunteer", m, a, name="สมชาย ใจดี")
    w.ids["far"] = w.person("volunteer", other, None, name="คนไกล บ้านอื่น")
    return w


def test_supervisor_lists_volunteers_by_name_with_counts_drafts_and_last_activity(line_user, world):
    m, a, v1 = world.ids["m"], world.ids["a"], world.ids["v1"]
    world.household(m, a, v1, "40100200001", status="submitted", submitted_at=now())
    world.household(m, a, v1, "40100200002", status="submitted", submitted_at=now() - timedelta(days=3))
    world.household(m, a, v1, "40100200003", status="draft")  # not submitted: a draft
    answer = line_user(SUPERVISOR).say("อาสาสมัคร")
    today = now().astimezone(ZoneInfo("Asia/Bangkok")).date()
    assert answer.texts[0].splitlines() == [
        "อาสาสมัครในพื้นที่ของท่าน:",
        "สมชาย ใจดี (ชุมชนเอ): วันนี้ 0 ทั้งหมด 0 ค้างไว้ 0 ดำเนินการล่าสุด ยังไม่เคย",
        f"สมศรี มีสุข (ชุมชนเอ): วันนี้ 1 ทั้งหมด 2 ค้างไว้ 1 ดำเนินการล่าสุด {format_date_be(today)}",
    ]
    assert "คนไกล" not in answer.text  # another municipality's volunteer
    assert not re.search(r"\[\d+\]", answer.text)  # no internal ids
    assert answer.buttons[0] == "ระงับสิทธิ์ใช้งาน"


def test_deactivate_by_part_of_a_name(line_user, world):
    confirm = line_user(SUPERVISOR).say("ระงับสิทธิ์ใช้งาน สมศรี")
    assert "ต้องการระงับสิทธิ์ใช้งานของ สมศรี มีสุข ใช่หรือไม่" in confirm.text


def test_volunteer_cannot_list_volunteers(line_user, world):
    answer = line_user(VOLUNTEER).say("อาสาสมัคร")
    assert answer.texts == ["ขออภัย ท่านไม่มีสิทธิ์ใช้เมนูนี้"]


def test_supervisor_deactivates_volunteer_who_then_cannot_work_and_is_never_pushed(line_user, world, db_engine, line_api):
    line_api.user_rich_menus[VOLUNTEER] = "richmenu-volunteer"
    supervisor = line_user(SUPERVISOR)
    pick = supervisor.say("ระงับสิทธิ์ใช้งาน")
    assert pick.buttons == ["สมศรี มีสุข", "สมชาย ใจดี"]
    confirm = supervisor.tap_button(pick, "สมศรี มีสุข")
    assert "ต้องการระงับสิทธิ์ใช้งานของ สมศรี มีสุข ใช่หรือไม่" in confirm.text
    done = supervisor.tap_button(confirm, "ระงับสิทธิ์ใช้งาน")
    assert "ระงับสิทธิ์ใช้งานของ สมศรี มีสุข เรียบร้อยแล้ว" in done.text
    assert world.get(Person, world.ids["v1"]).active is False
    [entry] = world.all(AuditEntry)
    assert (entry.action, entry.actor_person_id, entry.subject_person_id) == ("person.deactivate", world.ids["sup"], world.ids["v1"])
    with Session(db_engine) as session:
        assert pushable_chat_ids(session, [world.ids["v1"]]) == []
    assert VOLUNTEER not in line_api.user_rich_menus  # back to the guest menu
    for text in ("สำรวจ", "เมนู", "ลงทะเบียน"):
        answer = line_user(VOLUNTEER).say(text)
        assert "บัญชีของท่านถูกระงับสิทธิ์ใช้งานแล้ว" in answer.text or answer.buttons == ["ลงทะเบียน", "วิธีใช้"], text
    # The tap on an old button does nothing twice.
    again = supervisor.tap(confirm.action("ระงับสิทธิ์ใช้งาน")["data"])
    assert "เรียบร้อยแล้ว" in again.text and len(world.all(AuditEntry)) == 1


def test_supervisor_cannot_deactivate_a_volunteer_of_another_municipality(line_user, world):
    answer = line_user(SUPERVISOR).say("ระงับสิทธิ์ใช้งาน คนไกล")
    assert "ไม่มีอาสาสมัครในพื้นที่ของท่านที่ใช้ชื่อนี้" in answer.text
    tapped = line_user(SUPERVISOR).tap(encode("sup.off.ok", p=world.ids["far"]))  # a button made for someone else
    assert "ไม่อยู่ในพื้นที่หรือในรายการครัวเรือนของท่าน" in tapped.text
    assert "คนไกล" not in answer.text
    assert world.get(Person, world.ids["far"]).active is True


def test_supervisor_invite_code_from_chat_registers_a_volunteer(line_user, world):
    answer = line_user(SUPERVISOR).say("รหัสเชิญ")
    match = re.search(r"รหัสเชิญสำหรับอาสาสมัครในพื้นที่ของท่าน: ([A-Z0-9]{4}-[A-Z0-9]{4})", answer.text)
    assert match, answer.text
    assert "ใช้ลงทะเบียนได้ 30 คน" in answer.text
    [invite] = world.all(InviteCode)
    assert (invite.role, invite.municipality_id, invite.created_by_id) == ("volunteer", world.ids["m"], world.ids["sup"])
    newcomer = line_user()
    newcomer.say("ลงทะเบียน")
    assert "รหัสเชิญถูกต้อง" in newcomer.say(match.group(1)).text
    assert [e.action for e in world.all(AuditEntry)] == ["invite.create"]


def test_many_volunteers_are_listed_in_texts_line_accepts(line_user, world, line_api):
    for i in range(150):
        world.person("volunteer", world.ids["m"], world.ids["a"], name=f"อาสาสมัคร ทดสอบลำดับที่{i:03d} นามสกุลยาวมากเป็นพิเศษ")
    answer = line_user(SUPERVISOR).say("อาสาสมัคร")
    assert 2 <= len(answer.texts) <= 5
    assert "ทดสอบลำดับที่149" in answer.text or "ไม่ได้แสดง" in answer.text
    assert answer.buttons[:2] == ["ระงับสิทธิ์ใช้งาน", "อนุมัติ"]  # deactivating and the menu stay under the last text


def test_reassign_starts_from_a_search_by_house_number_or_head_name_and_can_be_cancelled(line_user, world):
    m, a, v1, v2 = world.ids["m"], world.ids["a"], world.ids["v1"], world.ids["v2"]
    first = world.household(m, a, v1, "40100200011", house_no="12/3", head_name="นายมานะ ขยันดี")
    world.household(m, a, v1, "40100200012", house_no="12/4", head_name="นางมาลี ขยันดี")
    chat = line_user(SUPERVISOR)
    ask = chat.say("เปลี่ยนผู้สำรวจ")
    assert "กรุณาพิมพ์บ้านเลขที่ หรือชื่อหัวหน้าครัวเรือน" in ask.text and ask.buttons == ["ยกเลิก"]
    listed = chat.say("ขยันดี")  # part of a name: both households, newest first
    assert "1. บ้านเลขที่ 12/4 – นางมาลี ขยันดี (ชุมชนเอ) อาสาสมัคร: สมศรี มีสุข" in listed.text
    assert "2. บ้านเลขที่ 12/3 – นายมานะ ขยันดี (ชุมชนเอ)" in listed.text
    assert listed.buttons == ["1. 12/4", "2. 12/3", "ยกเลิก"]
    nothing = chat.say("99/9")
    assert "ไม่พบครัวเรือนที่ตรงกันในพื้นที่ของท่าน" in nothing.text
    pick = chat.say("12/3")  # one match: straight to the volunteers
    assert "ต้องการเปลี่ยนผู้สำรวจครัวเรือน 12/3 เป็นอาสาสมัครท่านใด" in pick.text and pick.buttons == ["สมชาย ใจดี", "ยกเลิก"]
    cancelled = chat.tap_button(pick, "ยกเลิก")
    assert "ยกเลิกการเปลี่ยนผู้สำรวจแล้ว" in cancelled.text
    assert world.get(Household, first).volunteer_id == v1 and world.all(AuditEntry) == []
    # After cancelling, a typed text is no longer a search.
    assert "บ้านเลขที่" not in chat.say("12/3").text
    moved = chat.tap_button(chat.say("เปลี่ยนผู้สำรวจ 12/3"), "สมชาย ใจดี")
    assert "เปลี่ยนผู้สำรวจครัวเรือน 12/3 เป็น สมชาย ใจดี เรียบร้อยแล้ว" in moved.text
    assert world.get(Household, first).volunteer_id == v2


def test_a_menu_tap_during_the_search_leaves_it(line_user, world):
    chat = line_user(SUPERVISOR)
    chat.say("เปลี่ยนผู้สำรวจ")
    volunteers = chat.say("อาสาสมัคร")
    assert "อาสาสมัครในพื้นที่ของท่าน:" in volunteers.text

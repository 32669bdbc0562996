"""Registration in the chat: valid, expired, used-up and wrong codes, lockout, the role's menu."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditEntry, InviteCode, Person, RegistrationGuard, RichMenu
from tests.support.line_chat import dump
from tests.support.world import World, now


@pytest.fixture
def world(db_engine) -> World:  # type: ignore[no-untyped-def]
    """A municipality with two communities."""
    w = World(db_engine)
    w.ids["m"] = w.municipality()
    w.ids["c1"] = w.community(w.ids["m"], "ชุมชนหนองแวง")
    w.ids["c2"] = w.community(w.ids["m"], "ชุมชนโนนสะอาด")
    return w


def register_until_confirmation(chat, code: str):  # type: ignore[no-untyped-def]
    """Walk a volunteer through code, name, phone, type and community."""
    chat.say("ลงทะเบียน")
    chat.say(code)
    chat.say("สมศรี มีสุข")
    chat.say("๐๘๑-๒๓๔-๕๖๗๘")  # Thai digits and dashes are fine
    chat.say("อสม.")
    return chat.say("1")


def test_registration_with_valid_code_registers_volunteer_and_shows_menu(line_user, world, line_api):
    world.invite(world.ids["m"], "ABCD2345")
    chat = line_user()
    chat.follow()
    start = chat.say("ลงทะเบียน")
    assert "กรุณาพิมพ์รหัสเชิญ" in start.text
    code = chat.say("abcd-2345")
    assert "รหัสเชิญถูกต้อง ท่านกำลังลงทะเบียนเป็นอาสาสมัคร ของเทศบาลเมืองบ้านไผ่" in code.text
    assert "กรุณาพิมพ์ชื่อและนามสกุลของท่าน" in code.text
    assert "เบอร์โทรศัพท์" in chat.say("สมศรี มีสุข").text
    vtype = chat.say("0812345678")
    assert vtype.buttons == ["กรรมการชุมชน", "อสม.", "อสบ.", "อถล.", "อื่น ๆ", "ยกเลิก"]
    community = chat.tap_button(vtype, "อสม.")
    # Only the code's municipality's communities, in the municipality's order.
    assert community.buttons == ["ชุมชนหนองแวง", "ชุมชนโนนสะอาด", "ยกเลิก"]
    assert "1. ชุมชนหนองแวง\n2. ชุมชนโนนสะอาด" in community.text
    confirm = chat.tap_button(community, "ชุมชนหนองแวง")
    assert "ชื่อ-สกุล: สมศรี มีสุข" in confirm.text
    assert "ชุมชน: ชุมชนหนองแวง" in confirm.text
    assert confirm.buttons == ["ยืนยัน", "แก้ไข", "ยกเลิก"]
    done = chat.tap_button(confirm, "ยืนยัน")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in done.text, dump(done)
    assert done.buttons == ["สำรวจ", "ทำต่อ", "รายการของฉัน", "วิธีใช้"]
    [person] = world.all(Person)
    assert (person.role, person.volunteer_type, person.full_name, person.phone) == ("volunteer", "osm", "สมศรี มีสุข", "0812345678")
    assert person.community_id == world.ids["c1"] and person.municipality_id == world.ids["m"]
    assert world.all(InviteCode)[0].uses == 1
    [entry] = world.all(AuditEntry)
    assert (entry.action, entry.subject_person_id) == ("register", person.id)
    assert "สมศรี" not in str(entry.details) and "0812345678" not in str(entry.details)
    # Typing "menu" afterwards shows the same menu as quick replies.
    assert chat.say("เมนู").buttons == ["สำรวจ", "ทำต่อ", "รายการของฉัน", "วิธีใช้"]


def test_code_bound_to_a_community_skips_the_community_question(line_user, world):
    world.invite(world.ids["m"], "COMM2345", community_id=world.ids["c2"])
    chat = line_user()
    chat.say("ลงทะเบียน")
    chat.say("COMM2345")
    chat.say("สมชาย ใจกว้าง")
    chat.say("0812345678")
    confirm = chat.say("อสบ.")
    assert "ชุมชน: ชุมชนโนนสะอาด" in confirm.text
    chat.say("ยืนยัน")
    assert world.all(Person)[0].community_id == world.ids["c2"]


def test_supervisor_code_registers_supervisor_with_supervisor_menu(line_user, world):
    world.invite(world.ids["m"], "SUPV2345", role="supervisor")
    chat = line_user()
    chat.say("ลงทะเบียน")
    chat.say("SUPV2345")
    chat.say("สมปอง ดูแลดี")
    confirm = chat.say("0431234567")
    assert "บทบาท: ผู้ควบคุมการสำรวจ" in confirm.text
    done = chat.say("ยืนยัน")
    assert done.buttons == ["อนุมัติ", "ความคืบหน้า", "อาสาสมัคร", "เปลี่ยนผู้สำรวจ", "สำรวจ", "วิธีใช้"]
    person = world.all(Person)[0]
    assert (person.role, person.community_id, person.volunteer_type) == ("supervisor", None, None)


def test_wrong_answers_get_thai_explanation_and_same_question(line_user, world):
    world.invite(world.ids["m"], "ABCD2345")
    chat = line_user()
    chat.say("ลงทะเบียน")
    chat.say("ABCD2345")
    assert "เว้นวรรคระหว่างชื่อกับนามสกุล" in chat.say("สมศรี").text
    assert "เว้นวรรคระหว่างชื่อกับนามสกุล" in chat.say("สมศรี 123").text
    chat.say("สมศรี มีสุข")
    assert "9 หรือ 10 หลักที่ขึ้นต้นด้วย 0" in chat.say("12345").text
    chat.say("0812345678")
    assert "กรุณาเลือกประเภทอาสาสมัครจากปุ่มด้านล่าง" in chat.say("นักร้อง").text
    chat.say("อสม.")
    wrong = chat.say("ชุมชนที่ไม่มี")
    assert "ไม่พบชุมชนดังกล่าวในรายการ" in wrong.text and "ชุมชนหนองแวง" in wrong.buttons
    assert "ไม่พบชุมชนดังกล่าวในรายการ" in chat.say("9").text
    chat.say("1")
    assert "กรุณากด “ยืนยัน”" in chat.say("อาจจะ").text
    assert world.all(Person) == []


def test_cancel_ends_registration_at_any_step(line_user, world):
    world.invite(world.ids["m"], "ABCD2345")
    chat = line_user()
    chat.say("ลงทะเบียน")
    chat.say("ABCD2345")
    answer = chat.say("ยกเลิก")
    assert "ยกเลิกการลงทะเบียนแล้ว" in answer.text
    # After cancelling, a name is just unknown text again.
    assert "ไม่เข้าใจ" in chat.say("สมศรี มีสุข").text
    assert world.all(Person) == [] and world.all(InviteCode)[0].uses == 0


def test_expired_code_says_so(line_user, world):
    world.invite(world.ids["m"], "OLDC2345", days=-1)
    chat = line_user()
    chat.say("ลงทะเบียน")
    answer = chat.say("OLDC2345")
    assert "รหัสเชิญนี้หมดอายุแล้ว" in answer.text
    assert world.all(RegistrationGuard) == []  # a real but expired code is not a guess


def test_used_up_code_says_so(line_user, world):
    world.invite(world.ids["m"], "USED2345", max_uses=2, uses=2)
    chat = line_user()
    chat.say("ลงทะเบียน")
    assert "ถูกใช้ครบจำนวนครั้งที่กำหนดแล้ว" in chat.say("USED2345").text


def test_code_used_up_while_confirming_is_refused_without_registering(line_user, world):
    invite_id = world.invite(world.ids["m"], "LAST2345", max_uses=1)
    first, second = line_user(), line_user()
    register_until_confirmation(first, "LAST2345")
    register_until_confirmation(second, "LAST2345")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in first.say("ยืนยัน").text
    late = second.say("ยืนยัน")
    assert "ถูกใช้ครบจำนวนครั้งที่กำหนดแล้ว" in late.text
    assert len(world.all(Person)) == 1
    assert world.get(InviteCode, invite_id).uses == 1


def test_wrong_code_asks_again(line_user, world):
    chat = line_user()
    chat.say("ลงทะเบียน")
    answer = chat.say("NOPE9999")
    assert answer.texts == ["รหัสเชิญไม่ถูกต้อง กรุณาตรวจสอบและพิมพ์อีกครั้ง"]


def test_five_wrong_codes_lock_registration_for_15_minutes(line_user, world, db_engine):
    world.invite(world.ids["m"], "ABCD2345")
    chat = line_user()
    chat.say("ลงทะเบียน")
    for _ in range(4):
        assert "รหัสเชิญไม่ถูกต้อง" in chat.say("WRONG222").text
    locked = chat.say("WRONG222")
    assert "ปิดการลงทะเบียนเป็นเวลา 15 นาที" in locked.text
    assert "กรุณาลองใหม่อีกครั้งหลังเวลา" in locked.text
    # Even the right code is refused now, whether typed alone or after "register".
    assert "15 นาที" in chat.say("ลงทะเบียน").text
    assert "15 นาที" in chat.say("ABCD2345").text
    assert world.all(Person) == []
    # The lockout is stored, so it outlives a restart and holds on every worker; when it ends, the code works.
    with Session(db_engine) as session, session.begin():
        guard = session.scalars(select(RegistrationGuard)).one()
        assert guard.locked_until is not None
        guard.locked_until = now() - timedelta(seconds=1)
    assert "รหัสเชิญถูกต้อง" in chat.say("ABCD2345").text


def test_valid_code_does_not_reset_wrong_code_count_so_a_shared_code_cannot_fund_endless_guesses(line_user, world):
    # A shared volunteer code must not let a guesser for supervisor or admin codes start over.
    world.invite(world.ids["m"], "TEAM2345", max_uses=50)
    chat = line_user()
    chat.say("ลงทะเบียน")
    for _ in range(4):
        assert "รหัสเชิญไม่ถูกต้อง" in chat.say("ADMN0000").text
    assert "รหัสเชิญถูกต้อง" in chat.say("TEAM2345").text
    assert "ยกเลิกการลงทะเบียน" in chat.say("ยกเลิก").text
    chat.say("ลงทะเบียน")
    locked = chat.say("ADMN0001")
    assert "ปิดการลงทะเบียนเป็นเวลา 15 นาที" in locked.text
    assert "กรุณาลองใหม่อีกครั้งหลังเวลา" in locked.text
    assert "15 นาที" in chat.say("TEAM2345").text
    assert world.all(Person) == []


def test_completed_registration_forgives_earlier_wrong_codes(line_user, world):
    world.invite(world.ids["m"], "ABCD2345")
    chat = line_user()
    chat.say("ลงทะเบียน")
    for _ in range(4):
        chat.say("WRONG222")
    assert "กรุณาตรวจสอบข้อมูล" in register_until_confirmation(chat, "ABCD2345").text
    assert "ลงทะเบียนเรียบร้อยแล้ว" in chat.say("ยืนยัน").text
    assert world.all(RegistrationGuard) == []


def test_registered_user_typing_register_gets_their_menu(line_user, world):
    chat = line_user()
    world.person("volunteer", world.ids["m"], world.ids["c1"], line_user_id=chat.user_id)
    answer = chat.say("ลงทะเบียน")
    assert "ท่านได้ลงทะเบียนไว้แล้ว" in answer.text
    assert answer.buttons == ["สำรวจ", "ทำต่อ", "รายการของฉัน", "วิธีใช้"]


def test_unregistered_user_gets_registration_explanation_for_survey_commands(line_user, world):
    chat = line_user()
    for command in ("สำรวจ", "ทำต่อ", "อาสาสมัคร", "เปลี่ยนผู้สำรวจ 12345678901"):
        answer = chat.say(command)
        assert "กรุณากด “ลงทะเบียน” และกรอกรหัสเชิญ" in answer.text, command
        assert answer.buttons == ["ลงทะเบียน", "วิธีใช้"]
    assert chat.say("เมนู").buttons == ["ลงทะเบียน", "วิธีใช้"]


def test_unfollow_and_follow_again_toggle_pushes(line_user, world, db_engine):
    from storage.people import pushable_chat_ids

    chat = line_user()
    person_id = world.person("volunteer", world.ids["m"], world.ids["c1"], line_user_id=chat.user_id)
    with Session(db_engine) as session:
        assert pushable_chat_ids(session, [person_id]) == [chat.user_id]
    chat.unfollow()
    with Session(db_engine) as session:
        assert pushable_chat_ids(session, [person_id]) == []
    chat.follow()
    with Session(db_engine) as session:
        assert pushable_chat_ids(session, [person_id]) == [chat.user_id]


def test_text_that_is_not_a_code_is_explained_and_not_counted(line_user, world):
    chat = line_user()
    chat.say("ลงทะเบียน")
    for text in ("สวัสดีครับ", "123", "สำรวจ", "ABCD"):
        assert "รหัสเชิญประกอบด้วยตัวอักษรภาษาอังกฤษและตัวเลขรวม 8 ตัว" in chat.say(text).text
    assert world.all(RegistrationGuard) == []
    # Tapping "menu" or "register" mid-way is not taken as an answer either.
    assert chat.say("เมนู").buttons == ["ลงทะเบียน", "วิธีใช้"]
    assert "กรุณาพิมพ์รหัสเชิญ" in chat.say("ลงทะเบียน").text
    assert world.all(RegistrationGuard) == []


def test_help_for_a_registered_volunteer_lists_their_commands_and_menu(line_user, world):
    chat = line_user()
    world.person("volunteer", world.ids["m"], world.ids["c1"], line_user_id=chat.user_id)
    answer = chat.say("วิธีใช้")
    assert "สิ่งที่ท่านสามารถทำได้" in answer.text
    for line in ("• “สำรวจ” – เริ่มสำรวจครัวเรือน", "• “ทำต่อ” – สำรวจต่อจากที่พักไว้", "• “เมนู” – แสดงเมนูของท่าน"):
        assert line in answer.text
    assert "ลงทะเบียน" not in answer.text and "เปลี่ยนผู้สำรวจ" not in answer.text
    assert answer.buttons == ["สำรวจ", "ทำต่อ", "รายการของฉัน", "วิธีใช้"]
    not_understood = chat.say("asdf qwer")
    assert "ระบบไม่เข้าใจข้อความนี้" in not_understood.text
    assert not_understood.buttons == ["สำรวจ", "ทำต่อ", "รายการของฉัน", "วิธีใช้"]


def test_help_for_a_supervisor_adds_supervision_commands(line_user, world):
    chat = line_user()
    world.person("supervisor", world.ids["m"], line_user_id=chat.user_id)
    answer = chat.say("วิธีใช้")
    for command in ("สำรวจ", "ทำต่อ", "อาสาสมัคร", "เปลี่ยนผู้สำรวจ", "ระงับสิทธิ์ใช้งาน", "สร้างรหัสเชิญ", "เมนู"):
        assert f"• “{command}” – " in answer.text, command
    assert answer.buttons == ["อนุมัติ", "ความคืบหน้า", "อาสาสมัคร", "เปลี่ยนผู้สำรวจ", "สำรวจ", "วิธีใช้"]
    assert chat.say("asdf qwer").buttons == answer.buttons



def _supervisor_menu(world, line_api) -> str:  # type: ignore[no-untyped-def]
    """A supervisor rich menu LINE knows and the bot has recorded (as `thaiqm-bot richmenu` leaves them)."""
    menu_id = "richmenu-" + "a" * 32
    line_api.rich_menus[menu_id] = {"name": "thaiqm-supervisor"}
    with Session(world.engine) as session, session.begin():
        session.add(RichMenu(role="supervisor", line_rich_menu_id=menu_id, created_at=now()))
    return menu_id


def test_registration_links_the_role_menu_only_after_it_is_committed(line_user, world, line_api, db_engine):
    menu_id = _supervisor_menu(world, line_api)
    world.invite(world.ids["m"], "ABCD2345", role="supervisor")
    chat = line_user()
    registered_when_linked = []

    def on_link(entry) -> None:  # type: ignore[no-untyped-def]
        if entry.path.endswith(f"/richmenu/{menu_id}"):
            # What any other connection sees at the moment LINE is asked to link the menu.
            with Session(db_engine) as session:
                registered_when_linked.append(session.scalars(select(Person.full_name)).all())

    line_api.on_request.append(on_link)
    try:
        for text in ("ลงทะเบียน", "ABCD2345", "สมปอง ดูแลดี", "0431234567"):
            chat.say(text)
        assert "ลงทะเบียนเรียบร้อยแล้ว" in chat.say("ยืนยัน").text
    finally:
        line_api.on_request.remove(on_link)
    assert registered_when_linked == [["สมปอง ดูแลดี"]]
    assert line_api.user_rich_menus[chat.user_id] == menu_id


def test_registration_whose_transaction_fails_links_no_rich_menu(line_user, world, line_api, monkeypatch):
    import bot.processing as processing

    _supervisor_menu(world, line_api)
    world.invite(world.ids["m"], "ABCD2345", role="supervisor")
    chat = line_user()
    for text in ("ลงทะเบียน", "ABCD2345", "สมปอง ดูแลดี", "0431234567"):
        chat.say(text)
    queue = processing.add_outgoing

    def fails_once(*args, **kwargs):  # type: ignore[no-untyped-def]
        monkeypatch.setattr(processing, "add_outgoing", queue)  # the apology is queued as usual
        raise RuntimeError("the event's transaction fails after the handler ran")

    monkeypatch.setattr(processing, "add_outgoing", fails_once)
    answer = chat.say("ยืนยัน")
    assert "ขออภัย ระบบขัดข้องชั่วคราว" in answer.text
    assert world.all(Person) == [] and world.all(InviteCode)[0].uses == 0
    assert chat.user_id not in line_api.user_rich_menus
    assert not [r for r in line_api.requests if "/richmenu/" in r.path]

"""Who may see and change which household: the policy's matrix, and the same through the chat."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session

from bot.people import policy
from bot.chat.postback import encode
from storage.models import AuditEntry, Household
from tests.support.world import World

# A household the wrong people must learn nothing about.
HOUSE_CODE, HOUSE_NO, HEAD = "40100200123", "99/7", "นายลับ เฉพาะ"
SECRETS = (HOUSE_CODE, HOUSE_NO, HEAD, "1234567890123")


def person(role: str, municipality: int = 1, community: int | None = 10, pid: int = 100, active: bool = True):  # type: ignore[no-untyped-def]
    """A stand-in Person for the pure policy checks."""
    return SimpleNamespace(id=pid, role=role, municipality_id=municipality, community_id=community, active=active)


HOUSEHOLD = SimpleNamespace(municipality_id=1, community_id=10, volunteer_id=100)

MATRIX = [
    ("volunteer who surveyed it", person("volunteer"), None),
    ("volunteer it is assigned to", person("volunteer", pid=100), None),
    ("volunteer of the same community, not assigned", person("volunteer", pid=101), policy.Denied.NOT_YOURS),
    ("volunteer of another community", person("volunteer", community=11, pid=102), policy.Denied.NOT_YOURS),
    ("volunteer of another municipality with the same id", person("volunteer", municipality=2), policy.Denied.NOT_YOURS),
    ("deactivated volunteer who surveyed it", person("volunteer", active=False), policy.Denied.DEACTIVATED),
    ("unregistered user", None, policy.Denied.UNREGISTERED),
    ("supervisor of the community", person("supervisor", pid=200), None),
    ("supervisor of the municipality", person("supervisor", community=None, pid=201), None),
    ("supervisor of another community", person("supervisor", community=11, pid=202), policy.Denied.NOT_YOURS),
    ("supervisor of another municipality", person("supervisor", municipality=2, community=None, pid=203), policy.Denied.NOT_YOURS),
    ("deactivated supervisor", person("supervisor", pid=204, active=False), policy.Denied.DEACTIVATED),
    ("admin of the municipality", person("admin", community=None, pid=300), None),
    ("admin of another municipality", person("admin", municipality=2, community=None, pid=301), policy.Denied.NOT_YOURS),
    ("household role", person("household", pid=400), policy.Denied.NOT_ALLOWED),
]


@pytest.mark.parametrize("who,actor,expected", MATRIX, ids=[row[0] for row in MATRIX])
def test_household_access_matrix(who, actor, expected):
    assert policy.household_access(actor, HOUSEHOLD) == expected
    assert policy.can_view_household(actor, HOUSEHOLD) is (expected is None)
    assert policy.can_edit_household(actor, HOUSEHOLD) is (expected is None)


def test_only_active_people_who_follow_the_bot_may_be_pushed():
    following, blocked = SimpleNamespace(active=True), SimpleNamespace(active=False)
    assert policy.may_push(person("volunteer"), following)
    assert not policy.may_push(person("volunteer", active=False), following)
    assert not policy.may_push(person("volunteer"), blocked)
    assert not policy.may_push(None, following)


def test_supervisors_invite_only_volunteers_of_their_area():
    supervisor = person("supervisor", pid=200)
    assert policy.create_invite(supervisor, "volunteer", 1, 10) is None
    assert policy.create_invite(supervisor, "volunteer", 1, 11) is policy.Denied.NOT_YOURS
    assert policy.create_invite(supervisor, "supervisor", 1, 10) is policy.Denied.NOT_ALLOWED
    assert policy.create_invite(person("volunteer"), "volunteer", 1, 10) is policy.Denied.NOT_ALLOWED
    assert policy.create_invite(person("admin", community=None), "supervisor", 1, None) is None


# ---------------------------------------------------------------- the same through the chat


@pytest.fixture
def world(db_engine) -> World:  # type: ignore[no-untyped-def]
    """Two municipalities; a household of community A surveyed by volunteer A."""
    w = World(db_engine)
    m1, m2 = w.municipality(), w.municipality("เทศบาลตำบลโนนสูง", tambon="300501", kind="subdistrict")
    a, b = w.community(m1, "ชุมชนเอ"), w.community(m1, "ชุมชนบี")
    c = w.community(m2, "ชุมชนซี")
    w.ids.update(m1=m1, m2=m2, a=a, b=b, c=c)
    w.ids["vol_a"] = w.person("volunteer", m1, a, name="อาสา เอ", line_user_id="U" + "a" * 32)
    w.ids["vol_a2"] = w.person("volunteer", m1, a, name="อาสา เอสอง", line_user_id="U" + "e" * 32)
    w.ids["vol_b"] = w.person("volunteer", m1, b, name="อาสา บี", line_user_id="U" + "b" * 32)
    w.ids["sup_m2"] = w.person("supervisor", m2, None, name="ผู้ดูแล ซี", line_user_id="U" + "c" * 32)
    w.ids["sup_b"] = w.person("supervisor", m1, b, name="ผู้ดูแล บี", line_user_id="U" + "d" * 32)
    w.ids["gone"] = w.person("volunteer", m1, a, name="อาสา ออก", line_user_id="U" + "f" * 32, active=False)
    w.ids["h"] = w.household(m1, a, w.ids["vol_a"], HOUSE_CODE, house_no=HOUSE_NO, head_name=HEAD)
    return w


def attempts(world: World) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    """Every way the chat lets someone look at or move the household."""
    h, target = world.ids["h"], world.ids["vol_a2"]
    return [
        ("say", {"text": f"เปลี่ยนผู้สำรวจ {HOUSE_CODE}"}),
        ("tap", {"data": encode("sup.move", h=h)}),
        ("tap", {"data": encode("sup.move.to", h=h, p=target)}),
    ]


@pytest.mark.parametrize(
    "who,user_id,expected",
    [
        ("volunteer of another community", "U" + "b" * 32, "ท่านไม่มีสิทธิ์ใช้เมนูนี้"),
        ("volunteer who surveyed it (not a supervisor)", "U" + "a" * 32, "ท่านไม่มีสิทธิ์ใช้เมนูนี้"),
        ("supervisor of another municipality", "U" + "c" * 32, None),
        ("supervisor of another community", "U" + "d" * 32, None),
        ("deactivated volunteer", "U" + "f" * 32, "บัญชีของท่านถูกระงับสิทธิ์ใช้งานแล้ว"),
        ("unregistered user", "U" + "9" * 32, "กรุณากด “ลงทะเบียน” และกรอกรหัสเชิญ"),
    ],
)
def test_denials_in_chat_are_thai_and_leak_nothing(line_user, world, who, user_id, expected):
    chat = line_user(user_id)
    for kind, args in attempts(world):
        answer = chat.say(args["text"]) if kind == "say" else chat.tap(args["data"])
        assert answer.texts, (who, kind, args)
        for secret in SECRETS:
            assert secret not in answer.text, (who, args, answer.text)
        if expected is not None:
            assert expected in answer.text, (who, args, answer.text)
        else:  # out of area: told it is not theirs (or not found), never what it is
            assert ("ไม่พบครัวเรือนที่ตรงกันในพื้นที่ของท่าน" in answer.text
                    or "ไม่อยู่ในพื้นที่หรือในรายการครัวเรือนของท่าน" in answer.text), (who, args, answer.text)
    assert world.get(Household, world.ids["h"]).volunteer_id == world.ids["vol_a"]
    assert world.all(AuditEntry) == []


def test_supervisor_of_the_municipality_may_move_the_household(line_user, world, db_engine):
    supervisor_line = "U" + "0" * 32
    world.ids["sup_m1"] = world.person("supervisor", world.ids["m1"], None, name="ผู้ดูแล หนึ่ง", line_user_id=supervisor_line)
    chat = line_user(supervisor_line)
    pick = chat.say(f"โอนครัวเรือน {HOUSE_CODE}")
    assert f"ต้องการเปลี่ยนผู้สำรวจครัวเรือน {HOUSE_NO} เป็นอาสาสมัครท่านใด" in pick.text
    # Only other active volunteers of the household's community are offered; or cancel.
    assert pick.buttons == ["อาสา เอสอง", "ยกเลิก"]
    done = chat.tap_button(pick, "อาสา เอสอง")
    assert f"เปลี่ยนผู้สำรวจครัวเรือน {HOUSE_NO} เป็น อาสา เอสอง เรียบร้อยแล้ว" in done.text
    assert world.get(Household, world.ids["h"]).volunteer_id == world.ids["vol_a2"]
    [entry] = world.all(AuditEntry)
    assert (entry.action, entry.actor_person_id, entry.subject_person_id, entry.household_id) == (
        "household.reassign", world.ids["sup_m1"], world.ids["vol_a2"], world.ids["h"])
    assert entry.details == {"from_person_id": world.ids["vol_a"]}


def test_supervisor_finds_the_household_by_its_receipt_number_typed_in_lower_case(line_user, world):
    supervisor_line = "U" + "0" * 32
    world.person("supervisor", world.ids["m1"], None, name="ผู้ดูแล หนึ่ง", line_user_id=supervisor_line)
    with Session(world.engine) as session, session.begin():
        session.get(Household, world.ids["h"]).receipt_no = "QM-2566-000001"
    pick = line_user(supervisor_line).say("เปลี่ยนผู้สำรวจ qm-2566-000001")
    assert f"ต้องการเปลี่ยนผู้สำรวจครัวเรือน {HOUSE_NO} เป็นอาสาสมัครท่านใด" in pick.text

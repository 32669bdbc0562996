"""`thaiqm-bot demo`: a ready demo municipality whose people registered by invite code in their chats."""

from __future__ import annotations

import json
import re
import socket
import tempfile
import urllib.request
from typing import Iterator

import pytest
from click.testing import CliRunner
from flask import Flask, request
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import cli
from bot.local import commands as local_commands
from bot.local.server import create_local_app
from bot.config import LOCAL_CHANNEL_SECRET, Config
from bot.local.demo import NEWCOMER_CODE_USES, DemoSeeded, seed
from bot.local.standin_server import StandInServer
from bot.local.emulator.personas import PERSONAS_BY_KEY
from bot.people.policy import can_view_household
from bot.line.rich_menus import FontMissing
from bot.state import close_app
from storage.invites import find_invite
from storage.models import AuditEntry, Community, Household, HouseholdMember, HouseholdProblem, InviteCode, LineUser, Municipality, Person, SurveyAnswer
from storage.problem_history import ProblemHistory
from storage.rexray import worklist
from tests.conftest import ACCESS_TOKEN, DATA_KEY, refused_by_line
from tests.support.line_chat import LineChat, flask_poster
from tests.support.line_contract import check_webhook_body

SUMMARY = "3 communities, 1 supervisor, 2 volunteers, 5 households"
GREETING = "ยินดีต้อนรับสู่ระบบสำรวจข้อมูลครัวเรือน ThaiQM"
REGISTERED = "ลงทะเบียนเรียบร้อยแล้ว"
# The demo municipality is a sub-district one: its volunteers revisit the earlier round (Re-X-ray).
VOLUNTEER_MENU = ["Re-X-ray ครัวเรือน", "สำรวจ", "ทำต่อ", "รายการของฉัน", "วิธีใช้"]


def counts(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Rows per demo table."""
    models = (Municipality, Community, Person, Household, HouseholdMember, HouseholdProblem, ProblemHistory, SurveyAnswer, LineUser, InviteCode, AuditEntry)
    with Session(engine) as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in models}


def make_local_app(database_url: str, line_api_url: str) -> Flask:
    """The real app in local mode against the test stand-in; records every webhook body it is posted."""
    config = Config(
        line_channel_secret=LOCAL_CHANNEL_SECRET,
        line_channel_access_token=ACCESS_TOKEN,
        database_url=database_url,
        line_api_base_url=line_api_url,
        local_mode=True,
        data_key=DATA_KEY,
        instance_path=tempfile.mkdtemp(prefix="thaiqm-instance-"),  # where the demo keeps its newcomer's code
    )
    app = create_local_app(config)
    app.posted = []  # type: ignore[attr-defined]
    app.before_request(lambda: app.posted.append(request.get_data()) if request.path == "/callback" else None)  # type: ignore[attr-defined]
    return app


@pytest.fixture
def local_app(database_url: str, line_api_url: str) -> Iterator[Flask]:
    """The real app in local mode against an emptied stand-in and database."""
    app = make_local_app(database_url, line_api_url)
    yield app
    close_app(app)


@pytest.fixture(scope="class")
def demo_app(shared_database: str, shared_line_server: StandInServer) -> Iterator[Flask]:
    """The real app in local mode for a class of tests that share one seeding."""
    app = make_local_app(shared_database, shared_line_server.url)
    yield app
    close_app(app)


@pytest.fixture(scope="class")
def seeded(demo_app: Flask, shared_line_server: StandInServer) -> DemoSeeded:
    """The demo seeded once for the class (seeding takes seconds)."""
    with refused_by_line(shared_line_server.standin) as refused:
        result = seed(demo_app)
    assert not refused, "seeding the demo sent requests LINE would refuse:\n" + "\n".join(refused)
    return result


def chat_in(app: Flask, standin, user_id: str | None = None) -> LineChat:  # type: ignore[no-untyped-def]
    """A LINE user (a persona's, or a new one) chatting with the local app."""
    return LineChat(flask_poster(app.test_client()), LOCAL_CHANNEL_SECRET, standin, user_id)


def chat_of(line_api, key: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """The bot's messages in a persona's chat, oldest first."""
    return [m.message for m in line_api.messages_for(PERSONAS_BY_KEY[key].line_user_id) if m.via != "user"]


def quick_replies(message: dict) -> list[str]:
    """The labels of a message's quick-reply buttons."""
    return [item["action"]["label"] for item in message.get("quickReply", {}).get("items", [])]


class TestOneSeededDemo:
    """One demo seeding looked at from every side, in this order: the later tests change it
    (resume the draft, block and come back, register a newcomer), the earlier only read it."""

    def test_demo_people_register_with_invite_codes_in_their_own_chats(self, demo_app, seeded, shared_line_api, db_engine):
        line_api = shared_line_api
        assert seeded.summary == SUMMARY
        with Session(db_engine) as session:
            people = {p.full_name: p for p in session.scalars(select(Person))}
            codes = session.scalars(select(InviteCode).order_by(InviteCode.id)).all()
            actions = sorted(e.action for e in session.scalars(select(AuditEntry)))
            friends = session.scalars(select(LineUser.line_user_id).where(LineUser.active.is_(True), LineUser.followed_at.is_not(None))).all()
            communities = {c.id: c.name for c in session.scalars(select(Community))}
        assert {name: (p.role, p.volunteer_type, p.phone, communities.get(p.community_id)) for name, p in people.items()} == {
            "วันดี มีสุข": ("supervisor", None, "0812345670", None),
            "สมชาย ใจดี": ("volunteer", "osm", "0812345671", "ชุมชนบ้านหนองบัว"),
            "มาลี ศรีสุข": ("volunteer", "committee", "0812345672", "ชุมชนวัดป่าสามัคคี"),
        }
        # One used-up code per registered person, and the newcomer's, still unused.
        assert [(c.role, c.uses, c.max_uses) for c in codes] == [("supervisor", 1, 1), ("volunteer", 1, 1), ("volunteer", 1, 1), ("volunteer", 0, NEWCOMER_CODE_USES)]
        with Session(db_engine) as session:
            assert find_invite(session, seeded.newcomer_code).id == codes[-1].id  # only its hash is stored
        assert actions == ["invite.create"] * 4 + ["register"] * 3
        assert set(friends) == {p.line_user_id for p in PERSONAS_BY_KEY.values()}

        # The chats show what the person did: the greeting, the dialog, and a ready menu.
        typed = [m.message.get("text") for m in line_api.messages_for(PERSONAS_BY_KEY["volunteer"].line_user_id) if m.via == "user"]
        assert (typed[0], typed[2], typed[5]) == ("ลงทะเบียน", "สมชาย ใจดี", "ยืนยัน")
        with Session(db_engine) as session:
            assert find_invite(session, typed[1]).id == codes[1].id  # typed XXXX-XXXX, found by its hash
        volunteer = chat_of(line_api, "volunteer")
        assert GREETING in volunteer[0]["text"]
        registered = next(m for m in volunteer if REGISTERED in m.get("text", ""))
        assert quick_replies(registered) == VOLUNTEER_MENU
        volunteer2 = [m.get("text", "") for m in chat_of(line_api, "volunteer2")]
        assert any("ท่านปฏิบัติงานในชุมชนใด" in text for text in volunteer2), volunteer2  # its code let it choose
        supervisor = chat_of(line_api, "supervisor")
        assert REGISTERED in supervisor[-1]["text"] and "อาสาสมัคร" in quick_replies(supervisor[-1])
        household = chat_of(line_api, "household")
        assert len(household) == 1 and GREETING in household[0]["text"]
        # Registering linked each person to their role's rich menu at the stand-in; others see the guest menu.
        assert seeded.rich_menus == "published"
        menus = {body["name"]: menu_id for menu_id, body in line_api.rich_menus.items()}
        linked = {key: line_api.user_rich_menus.get(PERSONAS_BY_KEY[key].line_user_id) for key in ("supervisor", "volunteer", "household")}
        assert linked == {"supervisor": menus["thaiqm-supervisor"], "volunteer": menus["thaiqm-volunteer_rexray"], "household": None}
        assert line_api.default_rich_menu == menus["thaiqm-guest"]
        # Every event went in as LINE would send it.
        bodies = [json.loads(raw) for raw in demo_app.posted]
        assert bodies and all(check_webhook_body(body) == [] for body in bodies)

    def test_demo_people_see_what_the_access_policy_allows(self, seeded, db_engine):
        with Session(db_engine) as session:
            people = list(session.scalars(select(Person)))
            households = session.scalars(select(Household)).all()
            supervisor = next(p for p in people if p.role == "supervisor")
            volunteers = [p for p in people if p.role == "volunteer"]
            assert all(can_view_household(supervisor, h) for h in households)
            seen = [sum(can_view_household(v, h) for h in households) for v in volunteers]
        # The draft belongs to the volunteer with three submitted, who also revisits the 30 households of 2565
        # (and holds the record of the one visit begun).
        assert sorted(seen) == [1, 36]

    def test_running_the_demo_seed_twice_changes_nothing(self, demo_app, seeded, shared_line_api, db_engine):
        line_api = shared_line_api
        rows, delivered = counts(db_engine), len(line_api.delivered)
        again = seed(demo_app)  # the first is the class's
        assert again == seeded
        assert counts(db_engine) == rows
        assert rows == {
            "Municipality": 1, "Community": 3, "Person": 3, "Household": 37, "HouseholdMember": 8, "HouseholdProblem": 68, "ProblemHistory": 63,
            "SurveyAnswer": rows["SurveyAnswer"], "LineUser": 4, "InviteCode": 4, "AuditEntry": 7,
        }
        assert rows["SurveyAnswer"] > 150
        assert len(line_api.delivered) == delivered  # nobody was made to register or greet again

    def test_demo_volunteers_surveyed_their_households_in_the_chat_and_left_one_draft(self, demo_app, seeded, shared_line_api, db_engine):
        with Session(db_engine) as session:
            households = session.scalars(select(Household).where(Household.round_name == "2566", Household.revisit_of.is_(None)).order_by(Household.id)).all()
            volunteers = {p.id: p.full_name for p in session.scalars(select(Person).where(Person.role == "volunteer"))}
            members = session.execute(select(HouseholdMember.household_id, func.count()).group_by(HouseholdMember.household_id)).all()
            problems = session.execute(
                select(HouseholdProblem.household_id, HouseholdProblem.code, HouseholdProblem.member_no, HouseholdProblem.detail).join(Household).where(Household.round_name == "2566")
            ).all()
            answered = dict(session.execute(select(SurveyAnswer.household_id, func.count()).group_by(SurveyAnswer.household_id)).all())
        today = datetime.now(timezone.utc).date()
        assert [(h.status, volunteers[h.volunteer_id], h.house_no, h.receipt_no, (today - h.submitted_at.date()).days if h.submitted_at else None) for h in households] == [
            ("submitted", "สมชาย ใจดี", "12/3", f"QM-2566-{households[0].id:06d}", 6),
            ("submitted", "สมชาย ใจดี", "15", f"QM-2566-{households[1].id:06d}", 4),
            ("submitted", "สมชาย ใจดี", "21/1", f"QM-2566-{households[2].id:06d}", 1),
            ("submitted", "มาลี ศรีสุข", "7 ม.2", f"QM-2566-{households[3].id:06d}", 2),
            ("draft", "สมชาย ใจดี", "33", None, None),
        ]
        first = households[0]
        thai_today = datetime.now(ZoneInfo("Asia/Bangkok")).date()  # the survey date a volunteer types is a Thai day
        assert (first.head_name, first.member_count, first.survey_date, round(first.latitude, 4)) == ("นายประสิทธิ์ ทองดี", 2, thai_today - timedelta(days=6), 16.4419)
        assert dict(members) == {households[0].id: 2, households[1].id: 3, households[2].id: 1, households[3].id: 2}
        assert (first.id, "H1", 2, "ติดเตียงหลังเป็นอัมพฤกษ์") in problems and len(problems) == 8
        assert all(answered[h.id] > 30 for h in households[:4]) and households[4].dialog_state == "head_national_id"

        # The draft's volunteer opens their chat and types "resume": the draft and the paused Re-X-ray
        # visit are offered; each comes back at its question.
        chat = chat_in(demo_app, shared_line_api, PERSONAS_BY_KEY["volunteer"].line_user_id)
        listed = chat.say("ทำต่อ")
        assert "1. บ้านเลขที่ 33 · นายเสถียร มั่นคง\n2. บ้านเลขที่ 11/2 · บุญเรือน รักถิ่น" in listed.text
        resumed = chat.tap_button(listed, next(b for b in listed.buttons if b.startswith("1.")))
        assert "สำรวจต่อ: บ้านเลขที่ 33 · นายเสถียร มั่นคง" in resumed.text
        assert "เลขประจำตัวประชาชนหัวหน้าครัวเรือน" in resumed.texts[-1] and "ไม่มีบัตร" in resumed.buttons
        visit = chat.tap_button(listed, next(b for b in listed.buttons if b.startswith("2.")))
        assert "ทำการเยี่ยม Re-X-ray ของ บ้านเลขที่ 11/2 · บุญเรือน รักถิ่น ต่อ" in visit.text and "รายการที่ 1/1" in visit.text
        assert "ภาคีเครือข่ายใดช่วยเหลือเรื่อง" in visit.text
        chat.say("พัก")

    def test_the_demo_volunteer_has_the_2565_round_to_revisit_one_verified_one_part_way(self, seeded, db_engine):
        with Session(db_engine) as session:
            volunteer = session.scalars(select(Person).where(Person.full_name == "สมชาย ใจดี")).one()
            items, total = worklist(session, volunteer.id, limit=50)
            dimensions = set(session.scalars(select(HouseholdProblem.dimension).join(Household).where(Household.round_name == "2565")))
            visits = session.scalars(select(Household).where(Household.revisit_of.is_not(None)).order_by(Household.id)).all()
            first = session.get(Household, visits[0].revisit_of)
            statuses = session.scalars(select(HouseholdProblem.status).where(HouseholdProblem.household_id == first.id).order_by(HouseholdProblem.id)).all()
            started = [i for i in items if i.rexray_status == "started"]
        assert total == 29 and len(items) == 29  # the verified one is off the list
        assert dimensions == {"health", "living", "education", "income", "accessibility"}
        # The first household's visit was verified through the Re-X-ray dialog: its statuses are recorded.
        assert (first.walk_order, first.rexray_status, first.presence, statuses) == (1, "done", "present", ["helped", "in_progress", "not_resolved"])
        assert (visits[0].status, visits[0].receipt_no) == ("verified", f"QM-2566-{visits[0].id:06d}")
        # The second's visit is paused at its one problem's partner networks; nothing recorded on it yet.
        assert [(i.household_id, i.problems, i.checked) for i in started] == [(visits[1].revisit_of, 1, 0)]
        assert all(i.rexray_status == "pending" and i.checked == 0 for i in items if i.rexray_status != "started")
        assert (visits[1].status, visits[1].dialog_state, visits[1].dialog_member, visits[1].round_name) == ("draft", "rx_partners", 1, "2566")

    def test_a_persona_that_blocked_the_bot_is_a_friend_again_after_the_next_demo(self, demo_app, seeded, shared_line_api, db_engine):
        chat_in(demo_app, shared_line_api, PERSONAS_BY_KEY["volunteer2"].line_user_id).unfollow()
        seed(demo_app)
        assert GREETING in chat_of(shared_line_api, "volunteer2")[-1]["text"]
        with Session(db_engine) as session:
            assert session.scalar(select(LineUser.active).where(LineUser.line_user_id == PERSONAS_BY_KEY["volunteer2"].line_user_id))
        assert counts(db_engine)["Person"] == 3

    def test_a_newcomer_registers_with_the_printed_code(self, demo_app, seeded, shared_line_api):
        code = seeded.newcomer_code
        chat = chat_in(demo_app, shared_line_api)
        chat.follow()
        chat.say("ลงทะเบียน")
        assert "ท่านกำลังลงทะเบียนเป็นอาสาสมัคร ของเทศบาลตำบลสาธิตพัฒนา" in chat.say(code).text
        chat.say("สมปอง ทดลองใช้")
        chat.say("0891234567")
        community = chat.say("อสม.")
        assert community.buttons == ["ชุมชนบ้านหนองบัว", "ชุมชนวัดป่าสามัคคี", "ชุมชนตลาดเก่า", "ยกเลิก"]
        chat.tap_button(community, "ชุมชนตลาดเก่า")
        assert chat.say("ยืนยัน").buttons == VOLUNTEER_MENU
        # The next demo keeps offering the same code: it has uses left.
        assert seed(demo_app).newcomer_code == code

    def test_the_days_pushes_appear_in_the_demo_chats_at_once(self, demo_app, seeded, shared_line_api):
        from bot.local.demo_pushes import push_now

        with refused_by_line(shared_line_api) as refused:
            push_now(demo_app)
            before = len(shared_line_api.delivered)
            push_now(demo_app)  # sent again with the same retry keys: this stand-in has them (409), nothing shows twice
        assert not refused and len(shared_line_api.delivered) == before
        volunteer = [m for m in chat_of(shared_line_api, "volunteer") if m["type"] == "flex"]
        supervisor = chat_of(shared_line_api, "supervisor")
        assert volunteer[-1]["altText"].startswith("งานของท่านวันนี้: เยี่ยมซ้ำ 29 ครัวเรือน")
        assert "อีก 14 วัน ถึง" in json.dumps(volunteer[-1], ensure_ascii=False)
        assert supervisor[-1]["altText"].startswith("สรุปความคืบหน้าประจำวัน")
        assert supervisor[-2]["text"].startswith("แจ้งเตือน: อีก 14 วัน ถึง")


    def test_the_household_persona_confirms_with_the_printed_code(self, demo_app, seeded, shared_line_api):
        code = seed(demo_app).household_code
        assert code == seeded.household_code and len(code) == 6  # given again while it works
        household = chat_in(demo_app, shared_line_api, PERSONAS_BY_KEY["household"].line_user_id)
        shown = household.say(code)
        assert "เชื่อมกับข้อมูลครัวเรือนของท่านแล้ว" in shown.text and shown.buttons == ["ปัญหาของฉัน", "ติดต่อผู้สำรวจ", "วิธีใช้"]
        cards = [m for m in shown.messages if m["type"] == "flex"]
        assert len(cards) == 1 and len(cards[0]["contents"]["contents"]) == 1  # the one problem revisited as helped
        menus = {body["name"]: menu_id for menu_id, body in shared_line_api.rich_menus.items()}
        assert shared_line_api.user_rich_menus.get(PERSONAS_BY_KEY["household"].line_user_id) == menus["thaiqm-household"]
        assert seed(demo_app).household_code == ""  # linked: no code needed any more

def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def no_line_credentials(monkeypatch, database_url, tmp_path):  # type: ignore[no-untyped-def]
    """The environment of a newcomer: no LINE credentials, the test database; serving is recorded, not done."""
    # Its own instance folder: the data key, the job queue and the demo's code never land in the working folder.
    monkeypatch.setenv("THAIQM_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("LINE_CHANNEL_SECRET", raising=False)
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("LINE_API_BASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    served: list[tuple[str, int]] = []
    monkeypatch.setattr("werkzeug.serving.run_simple", lambda host, port, app, **kw: served.append((host, port)))
    return served


def test_demo_command_seeds_twice_and_prints_the_emulator_address_and_a_code(no_line_credentials, monkeypatch, db_engine):
    printed_codes, ports = [], []
    for _ in range(2):
        port = free_port()  # each run starts its own stand-in, as `thaiqm-bot demo` does
        ports.append(port)
        monkeypatch.setenv("THAIQM_LOCAL_LINE_PORT", str(port))
        result = CliRunner().invoke(cli.main, ["demo", "--port", "8123"])
        assert result.exit_code == 0, result.output
        assert "LINE emulator: open http://127.0.0.1:8123/emulator" in result.output
        assert SUMMARY in result.output
        line = next(line for line in result.output.splitlines() if "volunteer invite code" in line)
        assert "'ผู้ใช้ใหม่'" in line and "'ลงทะเบียน'" in line
        assert re.search(r"household persona links its LINE by sending the confirmation code \d{6}", result.output)
        printed_codes.append(line.split("invite code ")[1].split()[0])
    assert no_line_credentials == [("127.0.0.1", 8123)] * 2
    assert counts(db_engine)["Person"] == 3
    assert printed_codes[0] == printed_codes[1] and len(printed_codes[0]) == 9
    # The first run's stand-in holds the registration conversation the emulator shows, then the
    # day's pushes (the digest, a Flex, and the deadline reminder); the second run had nobody to
    # greet or register, and its fresh stand-in shows the day's pushes again.
    first, second = (standin_texts(port, PERSONAS_BY_KEY["volunteer"].line_user_id) for port in ports)
    assert GREETING in first[0] and any(REGISTERED in text for text in first) and "พักการสำรวจแล้ว" in first[-3]
    assert first[-2:] == second and second[0] == "" and second[1].startswith("แจ้งเตือน: อีก 14 วัน ถึง")
    assert "สรุปความคืบหน้าประจำวัน" in "".join(standin_alt_texts(ports[1], PERSONAS_BY_KEY["supervisor"].line_user_id))


def standin_texts(port: int, chat_id: str) -> list[str]:
    """The texts a running stand-in delivered to a chat (read as the emulator reads them)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"http://127.0.0.1:{port}/_standin/messages?chat={chat_id}") as answer:
        return [m["message"].get("text", "") for m in json.loads(answer.read())["messages"]]


def standin_alt_texts(port: int, chat_id: str) -> list[str]:
    """The notification texts of the Flex messages a running stand-in delivered to a chat."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"http://127.0.0.1:{port}/_standin/messages?chat={chat_id}") as answer:
        return [m["message"].get("altText", "") for m in json.loads(answer.read())["messages"]]


def test_demo_without_its_stand_in_stops_with_one_clear_line(no_line_credentials, monkeypatch, db_engine):
    monkeypatch.setattr(local_commands, "_start_local_line", lambda config: None)  # as if the port were taken by something else
    monkeypatch.setenv("THAIQM_LOCAL_LINE_PORT", str(free_port()))
    result = CliRunner().invoke(cli.main, ["demo"])
    assert result.exit_code == 1 and "cannot seed the demo: the local LINE stand-in at http://127.0.0.1:" in result.output
    assert no_line_credentials == [] and counts(db_engine)["Person"] == 0


def test_demo_without_a_thai_font_registers_everyone_and_says_the_menus_are_not_shown(local_app, line_api, monkeypatch):
    def no_font(explicit=None):  # type: ignore[no-untyped-def]
        raise FontMissing("no Thai font found")

    monkeypatch.setattr("bot.local.demo.find_thai_font", no_font)
    seeded = seed(local_app)
    assert seeded.rich_menus == "not shown (no Thai font found)" and seeded.summary == SUMMARY
    assert line_api.rich_menus == {} and line_api.user_rich_menus == {}


def test_serve_in_local_mode_listens_on_loopback_only(no_line_credentials, monkeypatch):
    monkeypatch.setattr(local_commands, "_start_local_line", lambda config: None)
    result = CliRunner().invoke(cli.main, ["serve", "--host", "0.0.0.0", "--port", "8124"])
    assert result.exit_code == 0, result.output
    assert no_line_credentials == [("127.0.0.1", 8124)]
    assert "http://127.0.0.1:8124/emulator" in result.output


def test_demo_refuses_to_run_with_real_line_credentials(no_line_credentials, monkeypatch, db_engine):
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "real-secret")
    monkeypatch.setenv("DATA_KEY", DATA_KEY)
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "real-token")
    result = CliRunner().invoke(cli.main, ["demo"])
    assert result.exit_code != 0
    assert "unset LINE_CHANNEL_SECRET" in result.output
    assert no_line_credentials == []
    assert counts(db_engine)["Municipality"] == 0


def test_serve_with_real_credentials_has_no_emulator_address(no_line_credentials, monkeypatch):
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "real-secret")
    monkeypatch.setenv("DATA_KEY", DATA_KEY)
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "real-token")
    result = CliRunner().invoke(cli.main, ["serve", "--port", "8125"])
    assert result.exit_code == 0, result.output
    assert "/emulator" not in result.output

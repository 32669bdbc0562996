"""The emulator in a real headless Chromium, as a person uses it: every tap goes through
the signed webhook, and everything the bot shows came through the real SDK.

Needs Debian's Chromium and Thai fonts (no browser download):
    apt-get install -y chromium fonts-thai-tlwg fonts-noto-color-emoji
    pip install -e '.[test]'   # brings Playwright for Python
Screenshots of the key screens go to test-artifacts/.

The demo is seeded once for the module (seeding and a browser cost seconds each), so the
tests share its people and chats and run in file order: each passes on a fresh demo and
after the tests above it. Those that change what a later one reads come after it (the
supervisor counts the surveys before a volunteer submits one; the volunteer resumes the
demo draft before pushes arrive in the chat; blocking comes last); the new user is a fresh
one in each test's browser profile.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo
import json
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from linebot.v3.messaging import ApiClient, Configuration, Message, MessagingApi, PushMessageRequest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from bot.local.server import create_local_app
from bot.state import close_app
from bot.config import LOCAL_CHANNEL_SECRET, Config
from bot.local.demo import DemoSeeded, seed
from bot.local.standin_server import StandInServer
from bot.local.emulator.personas import PERSONAS_BY_KEY
from storage.confirmation_models import ProblemConfirmation
from storage.models import Community, Household, HouseholdMember, HouseholdProblem, LineUser, Person
from tests.conftest import ACCESS_TOKEN, DATA_KEY, refused_by_line
from tests.support import webhooks
from tests.support.line_contract import check_webhook_body

CHROMIUM = os.environ.get("THAIQM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "apt-get install -y chromium fonts-thai-tlwg fonts-noto-color-emoji; pip install playwright"

if not Path(CHROMIUM).is_file():
    pytest.skip(f"Chromium is not installed at {CHROMIUM} ({INSTALL_HINT})", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason=f"Playwright for Python is not installed ({INSTALL_HINT})")

# The browser sees only the emulator page: the PostgreSQL run would repeat the same checks.
pytestmark = pytest.mark.once

GREETING = "ยินดีต้อนรับสู่ระบบสำรวจข้อมูลครัวเรือน ThaiQM"
HELP = "วิธีใช้งานบัญชี LINE นี้"
REGISTERED_HELP = "สิ่งที่ท่านสามารถทำได้"  # a registered person's help lists their own commands
NOT_UNDERSTOOD = "ขออภัย ระบบไม่เข้าใจข้อความนี้"
STALE_BUTTON = "ปุ่มนี้ไม่สามารถใช้งานได้แล้ว"
THANKS_FOR = "ระบบยังรับ"
REGISTERED = "ลงทะเบียนเรียบร้อยแล้ว"
# The demo municipality is a sub-district one: its volunteers revisit the earlier round (Re-X-ray).
VOLUNTEER_MENU = ["Re-X-ray ครัวเรือน", "สำรวจ", "ทำต่อ", "รายการของฉัน", "วิธีใช้"]
# The rich menu's areas, read by the command each sends.
VOLUNTEER_RICH_MENU = ["รีเอกซเรย์", "สำรวจ", "ทำต่อ", "รายการของฉัน", "วิธีใช้"]
SUPERVISOR_MENU = ["อนุมัติ", "ความคืบหน้า", "อาสาสมัคร", "เปลี่ยนผู้สำรวจ", "สำรวจ", "วิธีใช้"]

PROGRESS_BUBBLE: dict[str, Any] = {
    "type": "flex",
    "altText": "ความคืบหน้าการสำรวจ",
    "contents": {
        "type": "bubble",
        "header": {
            "type": "box",
            "layout": "vertical",
            "contents": [{"type": "text", "text": "ความคืบหน้าการสำรวจ", "weight": "bold", "size": "lg"}],
        },
        "hero": {"type": "image", "url": "https://example.com/map.png", "size": "full", "aspectRatio": "20:13"},
        "body": {
            "type": "box",
            "layout": "vertical",
            "spacing": "md",
            "contents": [
                {"type": "text", "text": "ชุมชนบ้านหนองบัว", "weight": "bold", "wrap": True},
                {
                    "type": "box",
                    "layout": "horizontal",
                    "contents": [
                        {"type": "text", "text": "สำรวจแล้ว", "size": "sm", "color": "#555555"},
                        {"type": "text", "text": "84 / 120 ครัวเรือน", "size": "sm", "align": "end"},
                    ],
                },
                {
                    "type": "box",
                    "layout": "vertical",
                    "backgroundColor": "#DDDDDD",
                    "height": "8px",
                    "cornerRadius": "4px",
                    "contents": [
                        {
                            "type": "box",
                            "layout": "vertical",
                            "width": "70%",
                            "height": "8px",
                            "backgroundColor": "#06C755",
                            "contents": [{"type": "filler"}],
                        }
                    ],
                },
                {"type": "separator", "margin": "lg"},
                {"type": "text", "text": "ฉบับร่าง 1 ครัวเรือน", "size": "sm", "color": "#888888"},
            ],
        },
        "footer": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {
                    "type": "button",
                    "style": "primary",
                    "action": {"type": "postback", "label": "ดูรายชื่อครัวเรือน", "data": "do=gone", "displayText": "ดูรายชื่อครัวเรือน"},
                }
            ],
        },
    },
}


def carousel_of(*titles: str) -> dict[str, Any]:
    """A Flex carousel with one small bubble per title."""
    bubbles = [
        {
            "type": "bubble",
            "size": "micro",
            "body": {"type": "box", "layout": "vertical", "contents": [{"type": "text", "text": title, "wrap": True}]},
        }
        for title in titles
    ]
    return {"type": "flex", "altText": "ชุมชน", "contents": {"type": "carousel", "contents": bubbles}}


DATE_QUESTION: dict[str, Any] = {
    "type": "text",
    "text": "วันที่สำรวจคือวันใด",
    "quickReply": {
        "items": [
            {
                "type": "action",
                "action": {
                    "type": "datetimepicker",
                    "label": "เลือกวันที่",
                    "data": "do=gone&q=survey_date",
                    "mode": "date",
                    "initial": "2024-01-10",
                    "min": "2023-11-14",
                    "max": "2024-01-15",
                },
            },
            {"type": "action", "action": {"type": "location", "label": "ส่งตำแหน่งบ้าน"}},
            {"type": "action", "action": {"type": "camera", "label": "ถ่ายรูป"}},
        ]
    },
}


@pytest.fixture(scope="module")
def demo(shared_database: str, shared_line_server: StandInServer) -> Iterator[tuple[str, DemoSeeded]]:
    """The real app in local mode, served by werkzeug on a free port, with the demo seeded once for the module; (address, what was seeded)."""
    config = Config(
        line_channel_secret=LOCAL_CHANNEL_SECRET,
        line_channel_access_token=ACCESS_TOKEN,
        database_url=shared_database,
        line_api_base_url=shared_line_server.url,
        local_mode=True,
        data_key=DATA_KEY,
        instance_path=tempfile.mkdtemp(prefix="thaiqm-instance-"),  # where the demo keeps its newcomer's code
    )
    app = create_local_app(config)
    with refused_by_line(shared_line_server.standin) as refused:
        seeded = seed(app)
    assert not refused, "seeding the demo sent requests LINE would refuse:\n" + "\n".join(refused)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}", seeded
    server.shutdown()
    server.server_close()
    close_app(app)


@pytest.fixture(scope="module")
def emulator_url(demo: tuple[str, DemoSeeded]) -> str:
    """Where the emulator of the seeded demo is served."""
    return demo[0]


@pytest.fixture(scope="module")
def line_api_url(shared_line_server: StandInServer) -> str:
    """Where the demo's LINE stand-in listens (the module's, holding the demo's chats)."""
    return shared_line_server.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class EmulatorTab:
    """One person at the emulator in a browser tab, speaking in what they do and see."""

    def __init__(self, tab: Any) -> None:
        self.tab = tab
        self.posted: list[tuple[bytes, str | None, int]] = []  # body, signature, HTTP status
        self.errors: list[str] = []
        tab.on("pageerror", lambda error: self.errors.append(str(error)))
        tab.on("response", self._record)

    def _record(self, response: Any) -> None:
        """Keep every webhook the page posted, with the bot's answer status."""
        if response.url.endswith("/callback"):
            request = response.request
            self.posted.append((request.post_data_buffer, request.headers.get("x-line-signature"), response.status))

    def open(self, url: str) -> None:
        """Load the emulator and wait until it has read its setup."""
        self.tab.goto(url)
        self.tab.wait_for_selector("body[data-ready=true]")

    def switch_to(self, persona: str) -> None:
        """Open a persona's chat from the chat list."""
        self.tab.click(f"li[data-persona={persona}]")

    def type(self, text: str) -> None:
        """Type a message and press Enter."""
        self.tab.fill("#text-input", text)
        self.tab.press("#text-input", "Enter")

    def tap_quick_reply(self, label: str) -> None:
        """Tap the quick-reply button with this label."""
        self.tab.locator(".quick-reply", has_text=label).click()

    def rich_menu(self) -> list[str]:
        """The texts the areas of the rich menu under the chat send, once it is shown and has settled.

        The page redraws the menu whenever it learns of a newly linked one: a read during a change
        of menus once caught an in-between state in CI, so the same texts are read twice, 0.3 s apart.
        """
        self.tab.locator("#rich-menu .rich-area").first.wait_for()
        read = lambda: [area.get_attribute("data-text") for area in self.tab.locator("#rich-menu .rich-area").all()]  # noqa: E731
        deadline, texts = time.monotonic() + 5, read()
        while time.monotonic() < deadline:
            self.tab.wait_for_timeout(300)
            again = read()
            if again == texts:
                break
            texts = again
        return texts

    def tap_rich_menu(self, text: str) -> None:
        """Tap the rich menu's area that sends this text."""
        self.tab.locator(f"#rich-menu .rich-area[data-text='{text}']").click()

    def quick_replies(self) -> list[str]:
        """Labels of the quick-reply buttons shown now."""
        return self.tab.locator(".quick-reply").all_inner_texts()

    def wait_for_bot(self, fragment: str, count: int = 1) -> None:
        """Wait until `count` bot bubbles of the open chat contain a fragment."""
        self.tab.locator(".row-bot .bubble", has_text=fragment).nth(count - 1).wait_for()

    def wait_for_question(self, *fragments: str) -> None:
        """Wait until the bot's newest text bubble contains every fragment (older ones may repeat them)."""
        newest = self.tab.locator(".row-bot .bubble").last
        for fragment in fragments:
            sync_api.expect(newest).to_contain_text(fragment)

    def bot_texts(self) -> list[str]:
        """The texts of the bot's bubbles in the open chat, in order."""
        return self.tab.locator(".row-bot .bubble").all_inner_texts()

    def user_texts(self) -> list[str]:
        """The texts of the user's own bubbles in the open chat, in order."""
        return self.tab.locator(".row-user .bubble").all_inner_texts()

    def events(self) -> list[dict[str, Any]]:
        """Every event the page posted, each body checked as one LINE would send and signed right."""
        found = []
        for raw, signature, status in self.posted:
            body = json.loads(raw)
            assert check_webhook_body(body) == [], body
            assert signature == webhooks.sign(raw, LOCAL_CHANNEL_SECRET)
            assert status == 200
            found.extend(body["events"])
        return found

    def screenshot(self, name: str) -> None:
        """Save what the person sees now as test-artifacts/<name>.png."""
        ARTIFACTS.mkdir(exist_ok=True)
        self.tab.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _emulator_in(browser, emulator_url: str, width: int, height: int) -> Iterator[EmulatorTab]:  # type: ignore[no-untyped-def]
    """A fresh browser profile on the emulator in a window of that size; fails on any JavaScript error."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="th-TH")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    person = EmulatorTab(tab)
    person.open(f"{emulator_url}/emulator")
    yield person
    context.close()
    assert not person.errors, f"JavaScript errors on the page: {person.errors}"


@pytest.fixture
def emulator(browser, emulator_url: str, shared_line_api) -> Iterator[EmulatorTab]:
    """A fresh browser profile on the emulator; fails the test on any JavaScript error or request LINE would refuse."""
    yield from _emulator_in(browser, emulator_url, 1000, 780)


def push(api_url: str, to: str, *messages: dict[str, Any]) -> None:
    """Push messages to a chat through the real SDK, as a feature of the bot would."""
    with ApiClient(Configuration(access_token=ACCESS_TOKEN, host=api_url)) as client:
        MessagingApi(client).push_message(PushMessageRequest(to=to, messages=[Message.from_dict(m) for m in messages]))


def test_new_user_follows_reads_thai_greeting_and_chats(emulator):
    emulator.switch_to("new")
    assert emulator.tab.locator("#friend-gate").is_visible()
    emulator.screenshot("01-new-user-add-friend")
    emulator.tab.click("#add-friend")
    emulator.wait_for_bot(GREETING)
    assert emulator.quick_replies() == ["ลงทะเบียน", "วิธีใช้"]
    emulator.screenshot("02-greeting")

    emulator.tap_quick_reply("วิธีใช้")
    emulator.wait_for_bot(HELP)
    assert emulator.user_texts() == ["วิธีใช้"]

    emulator.type("สวัสดีครับ")
    emulator.wait_for_bot(NOT_UNDERSTOOD)

    emulator.tab.click("#sticker-toggle")
    emulator.tab.locator(".sticker-choice").first.click()
    emulator.wait_for_bot(THANKS_FOR + "สติกเกอร์")
    assert emulator.tab.locator(".row-user .sticker").count() == 1
    emulator.screenshot("03-help-text-sticker")

    events = emulator.events()
    assert [(e["type"], (e.get("message") or {}).get("type")) for e in events] == [
        ("follow", None),
        ("message", "text"),
        ("message", "text"),
        ("message", "sticker"),
    ]
    assert len({e["source"]["userId"] for e in events}) == 1


def test_history_and_friendship_survive_a_reload(emulator, emulator_url):
    emulator.switch_to("new")
    emulator.tab.click("#add-friend")
    emulator.wait_for_bot(GREETING)
    emulator.type("สวัสดี")
    emulator.wait_for_bot(NOT_UNDERSTOOD)
    emulator.open(f"{emulator_url}/emulator")
    emulator.switch_to("new")
    emulator.wait_for_bot(NOT_UNDERSTOOD)
    assert emulator.tab.locator("#friend-gate").is_hidden()
    assert emulator.user_texts() == ["สวัสดี"]
    assert len(emulator.bot_texts()) == 2
    assert emulator.quick_replies() == ["ลงทะเบียน", "วิธีใช้"]


def test_new_user_registers_with_the_demo_invite_code_and_gets_the_volunteer_menu(emulator, demo, db_engine):
    code = demo[1].newcomer_code
    emulator.switch_to("new")
    emulator.tab.click("#add-friend")
    emulator.wait_for_bot(GREETING)
    assert emulator.rich_menu() == ["ลงทะเบียน", "วิธีใช้"]  # LINE's default menu: the guest's
    emulator.tap_rich_menu("ลงทะเบียน")
    emulator.wait_for_bot("กรุณาพิมพ์รหัสเชิญ")
    assert emulator.quick_replies() == ["ยกเลิก"]
    emulator.type(code.lower())  # as typed on a phone: case and dash do not matter
    emulator.wait_for_bot("ท่านกำลังลงทะเบียนเป็นอาสาสมัคร ของเทศบาลตำบลสาธิตพัฒนา")
    emulator.type("สมปอง ทดลองใช้")
    emulator.wait_for_bot("กรุณาพิมพ์เบอร์โทรศัพท์")
    emulator.type("08-9123-4567")
    emulator.wait_for_bot("ท่านเป็นอาสาสมัครประเภทใด")
    emulator.screenshot("10-registration-volunteer-type")
    emulator.tap_quick_reply("อสม.")
    emulator.wait_for_bot("ท่านปฏิบัติงานในชุมชนใด")
    assert emulator.quick_replies() == ["ชุมชนบ้านหนองบัว", "ชุมชนวัดป่าสามัคคี", "ชุมชนตลาดเก่า", "ยกเลิก"]
    emulator.tap_quick_reply("ชุมชนตลาดเก่า")
    emulator.wait_for_bot("ชุมชน: ชุมชนตลาดเก่า")
    assert emulator.quick_replies() == ["ยืนยัน", "แก้ไข", "ยกเลิก"]
    emulator.screenshot("11-registration-confirm")
    emulator.tap_quick_reply("ยืนยัน")
    emulator.wait_for_bot(REGISTERED)
    assert "สมปอง ทดลองใช้" in emulator.bot_texts()[-1]
    assert emulator.quick_replies() == VOLUNTEER_MENU
    # Registering linked the volunteer's rich menu: it replaces the guest's under the chat.
    emulator.tab.locator("#rich-menu .rich-area[data-text='สำรวจ']").wait_for()
    assert emulator.rich_menu() == VOLUNTEER_RICH_MENU
    emulator.screenshot("12-registered-volunteer-menu")
    emulator.tap_rich_menu("วิธีใช้")
    emulator.wait_for_bot(REGISTERED_HELP)
    assert emulator.quick_replies() == VOLUNTEER_MENU
    assert emulator.user_texts()[-3:] == ["ชุมชนตลาดเก่า", "ยืนยัน", "วิธีใช้"]
    newcomer = [e["source"]["userId"] for e in emulator.events()][0]
    with Session(db_engine) as session:
        person = session.scalars(select(Person).join(LineUser, Person.line_user_id == LineUser.id).where(LineUser.line_user_id == newcomer)).one()
        community = session.get(Community, person.community_id)
    assert (person.role, person.volunteer_type, person.phone, community.name) == ("volunteer", "osm", "0891234567", "ชุมชนตลาดเก่า")


def test_templates_stickers_and_images_from_the_bot_are_shown(emulator, line_api_url):
    household = PERSONAS_BY_KEY["household"].line_user_id
    confirm = {
        "type": "template",
        "altText": "ยืนยันข้อมูล",
        "template": {
            "type": "confirm",
            "text": "ข้อมูลถูกต้องหรือไม่",
            "actions": [
                {"type": "message", "label": "ถูกต้อง", "text": "ถูกต้อง"},
                {"type": "postback", "label": "แก้ไข", "data": "do=gone", "displayText": "แก้ไข"},
            ],
        },
    }
    sticker = {"type": "sticker", "packageId": "446", "stickerId": "1988"}
    image = {"type": "image", "originalContentUrl": "https://example.com/a.jpg", "previewImageUrl": "https://example.com/a.jpg"}
    emulator.switch_to("household")
    push(line_api_url, household, sticker, image, confirm)
    emulator.tab.locator(".template-confirm").wait_for()
    assert emulator.tab.locator(".row-bot .sticker").count() == 1
    assert emulator.tab.locator(".row-bot .media-placeholder").count() == 1
    assert emulator.tab.locator(".template-confirm .template-action").all_inner_texts() == ["ถูกต้อง", "แก้ไข"]
    emulator.tab.locator(".template-action", has_text="ถูกต้อง").click()
    emulator.wait_for_bot(NOT_UNDERSTOOD)
    assert emulator.user_texts() == ["ถูกต้อง"]
    emulator.screenshot("09-template-sticker-image")


def test_date_picker_location_and_camera_buttons_behave_like_line(emulator, line_api_url):
    supervisor = PERSONAS_BY_KEY["supervisor"].line_user_id
    page = emulator.tab
    emulator.switch_to("supervisor")
    typed_before = emulator.user_texts()
    push(line_api_url, supervisor, DATE_QUESTION)
    page.locator(".quick-reply", has_text="เลือกวันที่").wait_for()
    assert page.locator(".quick-reply", has_text="ถ่ายรูป").is_disabled()

    emulator.tap_quick_reply("เลือกวันที่")
    picker = page.locator("#picker-input")
    assert picker.get_attribute("type") == "date"
    assert (picker.input_value(), picker.get_attribute("min"), picker.get_attribute("max")) == ("2024-01-10", "2023-11-14", "2024-01-15")
    picker.fill("2024-01-12")
    emulator.screenshot("06-date-picker")
    page.click("#picker-ok")
    emulator.wait_for_bot(STALE_BUTTON)
    assert emulator.user_texts() == typed_before  # LINE shows no bubble for a picked date
    postback = [e for e in emulator.events() if e["type"] == "postback"][-1]
    assert postback["postback"] == {"data": "do=gone&q=survey_date", "params": {"date": "2024-01-12"}}

    push(line_api_url, supervisor, DATE_QUESTION)
    page.locator(".quick-reply", has_text="ส่งตำแหน่งบ้าน").wait_for()
    emulator.tap_quick_reply("ส่งตำแหน่งบ้าน")
    emulator.wait_for_bot(THANKS_FOR + "ตำแหน่งที่ตั้ง")
    assert "บ้านตัวอย่าง" in page.locator(".row-user .location").inner_text()
    emulator.screenshot("07-location")
    location = [e["message"] for e in emulator.events() if (e.get("message") or {}).get("type") == "location"]
    assert len(location) == 1 and location[0]["latitude"] == pytest.approx(16.4419)


def test_supervisor_opens_the_menu_and_sees_their_volunteers_with_counts(emulator):
    emulator.switch_to("supervisor")
    emulator.wait_for_bot(REGISTERED)  # the demo registered the supervisor in this chat
    emulator.type("เมนู")
    emulator.wait_for_bot("เมนูหลัก กรุณาเลือกรายการที่ต้องการ")
    assert emulator.quick_replies() == SUPERVISOR_MENU
    emulator.screenshot("13-supervisor-menu")
    emulator.tap_quick_reply("อาสาสมัคร")
    emulator.wait_for_bot("อาสาสมัครในพื้นที่ของท่าน")
    listing = emulator.bot_texts()[-1]
    # The demo's submitted households: three by one volunteer, one by the other, none today.
    assert "สมชาย ใจดี (ชุมชนบ้านหนองบัว): วันนี้ 0 ทั้งหมด 3" in listing
    assert "มาลี ศรีสุข (ชุมชนวัดป่าสามัคคี): วันนี้ 0 ทั้งหมด 1" in listing
    assert emulator.quick_replies() == ["ระงับสิทธิ์ใช้งาน", *SUPERVISOR_MENU]  # deactivating starts from the list
    assert emulator.rich_menu() == ["อนุมัติ", "ความคืบหน้า", "อาสาสมัคร", "เปลี่ยนผู้สำรวจ", "สำรวจ", "วิธีใช้"]
    emulator.screenshot("14-supervisor-volunteers")
    emulator.tab.click("#rich-menu-bar")  # folded away, as LINE's chat bar does
    assert emulator.tab.locator("#rich-menu").is_hidden()
    emulator.tab.click("#rich-menu-bar")
    emulator.tap_rich_menu("อาสาสมัคร")
    emulator.wait_for_bot("อาสาสมัครในพื้นที่ของท่าน", count=2)


def test_volunteer_resumes_the_demo_draft_where_it_stopped(emulator):
    emulator.switch_to("volunteer")
    emulator.wait_for_question("พักการสำรวจแล้ว")  # the demo left this volunteer's draft paused
    emulator.type("ทำต่อ")
    # The draft and the paused Re-X-ray visit are both offered.
    emulator.wait_for_question("ท่านมีแบบสำรวจที่ค้างอยู่ 2 รายการ", "1. บ้านเลขที่ 33 · นายเสถียร มั่นคง", "2. บ้านเลขที่ 11/2")
    emulator.tap_quick_reply(next(label for label in emulator.quick_replies() if label.startswith("1.")))
    emulator.wait_for_question("สำรวจต่อ: บ้านเลขที่ 33 · นายเสถียร มั่นคง", "ส่วนที่ 2/9", "เลขประจำตัวประชาชนหัวหน้าครัวเรือน")
    assert emulator.quick_replies() == ["ไม่มีบัตร", "ย้อนกลับ", "วิธีใช้", "พัก"]
    emulator.tab.click("#rich-menu-bar")
    emulator.screenshot("20-demo-draft-resumed")
    emulator.type("1-1037-01234-56-3")
    emulator.wait_for_question("ส่วนที่ 2/9", "เบอร์โทรศัพท์ติดต่อ")


def test_pushes_appear_live_in_the_right_chat_and_flex_renders_like_line(emulator, line_api_url):
    volunteer = PERSONAS_BY_KEY["volunteer"].line_user_id
    page = emulator.tab
    emulator.switch_to("household")
    push(line_api_url, volunteer, PROGRESS_BUBBLE, carousel_of("ชุมชนบ้านหนองบัว", "ชุมชนวัดป่าสามัคคี", "ชุมชนตลาดเก่า"))
    page.locator("li[data-persona=volunteer] .badge", has_text="2").wait_for()
    assert "ชุมชน" in page.locator("li[data-persona=volunteer] .persona-preview").inner_text()
    assert page.locator(".flex-bubble").count() == 0  # not in the household's chat
    emulator.screenshot("04-push-badge")

    emulator.switch_to("volunteer")
    bubble = page.locator(".flex-bubble", has_text="ความคืบหน้าการสำรวจ")
    bubble.wait_for()
    for text in ("ชุมชนบ้านหนองบัว", "84 / 120 ครัวเรือน", "ฉบับร่าง 1 ครัวเรือน"):
        assert text in bubble.inner_text()
    assert bubble.locator(".flex-image").count() == 1
    assert bubble.locator(".flex-separator").count() == 1
    bar = bubble.locator("[style*='width: 70%']")
    inner, outer = bar.bounding_box(), bar.locator("xpath=..").bounding_box()
    assert abs(inner["width"] / outer["width"] - 0.70) < 0.02, (inner, outer)
    assert page.locator(".flex-carousel").last.locator(".flex-bubble").count() == 3
    assert page.locator("li[data-persona=volunteer] .badge").count() == 0
    emulator.screenshot("05-flex-bubble-carousel")

    page.locator(".flex-button", has_text="ดูรายชื่อครัวเรือน").click()
    emulator.wait_for_bot(STALE_BUTTON)
    assert emulator.user_texts()[-1] == "ดูรายชื่อครัวเรือน"
    tapped = [e for e in emulator.events() if e["type"] == "postback"]
    assert [(e["source"]["userId"], e["postback"]) for e in tapped] == [(volunteer, {"data": "do=gone"})]


def test_the_household_persona_links_with_its_code_and_confirms_a_problem(emulator, demo, db_engine):
    code = demo[1].household_code
    emulator.switch_to("household")
    emulator.type(code)  # what the volunteer's link or QR code puts in the chat
    emulator.wait_for_bot("เชื่อมกับข้อมูลครัวเรือนของท่านแล้ว")
    assert emulator.rich_menu() == ["ปัญหาของฉัน", "ติดต่อผู้สำรวจ", "วิธีใช้"]
    emulator.screenshot("14-household-problems-to-confirm")
    emulator.tab.locator(".flex-button", has_text="ยืนยันว่าแก้ไขแล้ว").first.click()
    emulator.wait_for_bot("ท่านยืนยันแล้วว่า")
    emulator.tap_rich_menu("ปัญหาของฉัน")
    emulator.wait_for_bot("ปัญหาของครัวเรือนท่านและสถานะล่าสุด")
    emulator.screenshot("15-household-my-problems")
    with Session(db_engine) as session:
        [answer] = session.scalars(select(ProblemConfirmation)).all()
    assert answer.answer == "confirmed" and answer.line_user_id is not None


def test_volunteer_completes_a_household_survey_in_the_emulator(emulator, db_engine):
    """A volunteer taps Survey, answers by buttons, the date picker, the location button and typing, and gets a receipt."""
    page = emulator.tab
    yesterday = dt.datetime.now(ZoneInfo("Asia/Bangkok")).date() - dt.timedelta(days=1)  # the day in Thailand
    emulator.switch_to("volunteer2")
    emulator.wait_for_bot(REGISTERED)
    emulator.tap_rich_menu("สำรวจ")
    emulator.wait_for_question("ส่วนที่ 1/9", "ครัวเรือนยินยอมให้ข้อมูล")
    emulator.tab.click("#rich-menu-bar")  # folded, as a volunteer does to see more of the chat
    assert emulator.quick_replies() == ["1. ยินยอม", "2. ไม่ยินยอม", "วิธีใช้", "พัก"]
    emulator.screenshot("15-survey-question-buttons")
    emulator.tap_quick_reply("1. ยินยอม")
    emulator.wait_for_question("ส่วนที่ 1/9", "ผู้ให้ข้อมูล")
    emulator.tap_quick_reply("1. หัวหน้าครัวเรือน")
    emulator.wait_for_question("ส่วนที่ 2/9", "วันที่สำรวจ")
    emulator.tap_quick_reply("เลือกวันที่")
    page.locator("#picker-input").fill(yesterday.isoformat())
    page.click("#picker-ok")
    emulator.wait_for_question("ส่วนที่ 2/9", "รหัสประจำบ้าน (11 หลัก)")
    assert f"บันทึกแล้ว: {yesterday.day} " in emulator.bot_texts()[-1]

    emulator.type("12345")  # a wrong answer: a clear Thai message and the same question
    emulator.wait_for_question("รหัสประจำบ้านมี 11 หลัก ท่านพิมพ์มา 5 หลัก", "ส่วนที่ 2/9", "รหัสประจำบ้าน (11 หลัก)")
    emulator.screenshot("16-survey-wrong-answer")
    emulator.type("9901-010006-1")
    emulator.wait_for_question("ส่วนที่ 2/9", "บ้านเลขที่")
    emulator.type("9/9")
    # Her community (and its village number) came with her registration: filled in, not asked.
    emulator.wait_for_question("ส่วนที่ 2/9", "บ้านตั้งอยู่ในชุมชนวัดป่าสามัคคี หมู่ที่ 2", "ถูกต้องหรือไม่")
    emulator.tap_quick_reply("1. ถูกต้อง")
    emulator.wait_for_question("ส่วนที่ 2/9", "ชื่อ-สกุล หัวหน้าครัวเรือน")
    emulator.type("นายเอก ทดสอบ")
    emulator.wait_for_question("ส่วนที่ 2/9", "เลขประจำตัวประชาชนหัวหน้าครัวเรือน")
    emulator.type("1-1037-01234-56-3")
    emulator.wait_for_question("ส่วนที่ 2/9", "เบอร์โทรศัพท์ติดต่อ")
    emulator.tap_quick_reply("ข้าม")
    emulator.wait_for_question("ส่วนที่ 2/9", "จำนวนสมาชิก")
    emulator.type("1")
    emulator.wait_for_question("ส่วนที่ 2/9", "ตำแหน่งบ้าน")
    emulator.tap_quick_reply("ส่งตำแหน่ง")
    emulator.wait_for_question("ส่วนที่ 3/9 · สมาชิกในครัวเรือน · สมาชิกคนที่ 1/1", "ปีเกิด")  # "นาย": no sex asked
    assert "บ้านตัวอย่าง" in page.locator(".row-user .location").last.inner_text()
    emulator.type("50")
    emulator.wait_for_question("สมาชิกคนที่ 1/1", "สภาวะสุขภาพ")
    emulator.tap_quick_reply("2. ป่วยเรื้อรัง")
    emulator.wait_for_question("สมาชิกคนที่ 1/1", "การศึกษาสูงสุด")
    emulator.tap_quick_reply("2. ประถม")
    emulator.wait_for_question("สมาชิกคนที่ 1/1", "อาชีพหลัก")
    emulator.tap_quick_reply("2. เกษตรกร")
    emulator.wait_for_question("สมาชิกคนที่ 1/1", "รายได้ต่อเดือน")
    emulator.type("4,500")
    emulator.wait_for_question("สมาชิกคนที่ 1/1", "สวัสดิการที่ได้รับ")
    emulator.tap_quick_reply("4. บัตรสวัสดิการ")
    emulator.wait_for_question("เลือกแล้ว: บัตรสวัสดิการแห่งรัฐ")
    emulator.tap_quick_reply("เสร็จสิ้น")

    emulator.wait_for_question("ด้านสุขภาพ: ครัวเรือนมีปัญหาต่อไปนี้หรือไม่")
    emulator.tap_quick_reply("2. รักษาขาดช่วง")
    emulator.wait_for_question("เลือกแล้ว: มีผู้ป่วยเรื้อรัง")
    emulator.tap_quick_reply("4. ไม่มีผู้ดูแล")
    emulator.wait_for_question("เลือกแล้ว: มีผู้ป่วยเรื้อรัง", ", ผู้สูงอายุ")
    assert [label for label in emulator.quick_replies() if label.startswith("✓")] == ["✓2. รักษาขาดช่วง", "✓4. ไม่มีผู้ดูแล"]  # numbered and whole
    emulator.screenshot("17-survey-checklist")
    emulator.tap_quick_reply("เสร็จสิ้น")
    # He is the only chronically ill member: the first problem is his, said back, not asked.
    emulator.wait_for_question("“มีผู้ป่วยเรื้อรังที่ขาดการรักษาต่อเนื่อง” เป็นปัญหาของ นายเอก ทดสอบ", "ปัญหาที่ 2/2", "เป็นปัญหาของสมาชิกคนใด")
    emulator.tap_quick_reply("เพิ่มรายละเอียด")  # the detail of the problem just recorded
    emulator.wait_for_question("ปัญหาที่ 1/2", "รายละเอียดสั้น ๆ")
    emulator.type("ขาดยาความดันสองเดือน")
    emulator.wait_for_question("ปัญหาที่ 2/2", "เป็นปัญหาของสมาชิกคนใด")
    emulator.tap_quick_reply("2. ทั้งครัวเรือน")
    # Only the problems of a 50-year-old's age are listed (no child's or elderly person's).
    for dimension, none in (("ด้านความเป็นอยู่", "7."), ("ด้านการศึกษา", "4."), ("ด้านรายได้", "5."), ("ด้านการเข้าถึงบริการรัฐ", "6.")):
        emulator.wait_for_question(dimension)
        emulator.tap_quick_reply(none + " ไม่มีปัญหาด้านนี้")  # "none" answers the checklist at once
    emulator.wait_for_question("ต้องการความช่วยเหลือเรื่องใด")
    emulator.type("ต้องการยารักษาโรคต่อเนื่อง")  # the surveyor's note is offered on the review, not asked

    # The review: a Flex carousel, one card per section, an edit button beside each answer.
    emulator.wait_for_question("ยืนยันส่ง")
    review = page.locator(".flex-carousel").last
    cards = review.locator(":scope > .flex-bubble")
    assert cards.count() == 9  # consent, household, the member, five problem dimensions, needs
    for text in ("ความยินยอมและผู้ให้ข้อมูล", "9/9", "x-xxxx-xxxxx-56-3", "นายเอก ทดสอบ", "ขาดยาความดันสองเดือน", "ทั้งครัวเรือน", "ต้องการยารักษาโรคต่อเนื่อง"):
        assert text in review.inner_text(), text
    assert emulator.quick_replies()[0] == "ยืนยันส่ง"
    review.evaluate("node => node.scrollIntoView({block: \"start\"})")  # the cards are taller than the chat: show their tops
    emulator.screenshot("18-survey-review-carousel")
    house_no = cards.nth(1).locator(".flex-box", has=page.get_by_text("บ้านเลขที่", exact=True)).last
    house_no.locator(".flex-button", has_text="แก้ไข").click()
    emulator.wait_for_question("บ้านเลขที่", "คำตอบเดิม: 9/9")
    assert emulator.user_texts()[-1] == "แก้ไข: บ้านเลขที่"
    emulator.type("9/10")
    emulator.wait_for_question("ยืนยันส่ง")
    assert "9/10" in page.locator(".flex-carousel").last.inner_text()
    emulator.tap_quick_reply("ยืนยันส่ง")

    emulator.wait_for_question("เลขที่แบบสำรวจ: QM-")
    receipt = re.search(r"QM-\d{4}-\d{6}", emulator.bot_texts()[-1])[0]
    emulator.screenshot("19-survey-receipt")
    with Session(db_engine) as session:
        household = session.scalars(select(Household).where(Household.receipt_no == receipt)).one()
        volunteer = session.get_one(Person, household.volunteer_id)
        community = session.get_one(Community, household.community_id)
        members = session.scalars(select(HouseholdMember).where(HouseholdMember.household_id == household.id)).all()
        problems = session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == household.id).order_by(HouseholdProblem.code)).all()
    assert (household.status, volunteer.full_name, community.name) == ("submitted", "มาลี ศรีสุข", "ชุมชนวัดป่าสามัคคี")
    assert (household.house_code, household.house_no, household.head_name, household.member_count) == ("99010100061", "9/10", "นายเอก ทดสอบ", 1)
    assert (household.survey_date, household.needs, household.phone) == (yesterday, "ต้องการยารักษาโรคต่อเนื่อง", None)
    assert round(household.latitude, 4) == 16.4419
    assert [(m.full_name, m.sex, m.health, m.monthly_income, m.welfare) for m in members] == [("นายเอก ทดสอบ", "male", "chronic", 4500, "welfare_card")]
    assert [(p.code, p.member_no, p.detail) for p in problems] == [("H2", 1, "ขาดยาความดันสองเดือน"), ("H4", None, None)]


def test_switching_users_keeps_each_chat_and_block_sends_unfollow(emulator):
    emulator.switch_to("supervisor")
    supervisor_chat = emulator.bot_texts()
    emulator.switch_to("volunteer2")
    history = emulator.bot_texts()  # the demo registered this volunteer, then surveyed a household, in this chat
    assert GREETING in history[0] and any(REGISTERED in text for text in history) and "เลขที่แบบสำรวจ: QM-" in history[-1]
    # with what the volunteer typed on their side, as LINE shows it
    typed = emulator.user_texts()
    assert typed[0] == "ลงทะเบียน" and typed[typed.index("ยืนยัน") - 1] == "ชุมชนวัดป่าสามัคคี" and typed[-1] == "ยืนยันส่ง"
    emulator.type("วิธีใช้")
    emulator.wait_for_bot(REGISTERED_HELP)
    emulator.switch_to("supervisor")
    assert emulator.bot_texts() == supervisor_chat
    emulator.switch_to("volunteer2")
    assert emulator.bot_texts()[:-1] == history and REGISTERED_HELP in emulator.bot_texts()[-1]

    emulator.tab.click("#block-toggle")
    emulator.tab.locator("#add-friend", has_text="เลิกบล็อก").wait_for()
    emulator.screenshot("08-blocked")
    emulator.tab.click("#add-friend")
    emulator.wait_for_bot(GREETING, count=2)  # the demo's greeting, then this one
    events = emulator.events()
    assert [e["type"] for e in events] == ["message", "unfollow", "follow"]
    assert "replyToken" not in events[1] and events[2]["follow"] == {"isUnblocked": True}


@pytest.fixture
def phone(browser, emulator_url: str, shared_line_api) -> Iterator[EmulatorTab]:
    """The emulator in a phone-sized window (390 px wide, as an iPhone 12-15), a fresh profile."""
    yield from _emulator_in(browser, emulator_url, 390, 844)


def box_of(tab: Any, selector: str) -> dict[str, float]:
    """Where an element is on the screen now (left, top, right, bottom)."""
    return tab.eval_on_selector(selector, "node => { const r = node.getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }")


def fully_in_row(tab: Any, label: str) -> bool:
    """True when the quick-reply button with this label is wholly inside the visible part of its row."""
    button = tab.locator(".quick-reply", has_text=label).bounding_box()
    row = box_of(tab, "#quick-replies")
    return row["left"] - 1 <= button["x"] and button["x"] + button["width"] <= row["right"] + 1


def mouse_tap(tab: Any, label: str) -> None:
    """Click a quick reply where it is on screen, as a finger would: no scrolling it into view first."""
    button = tab.locator(".quick-reply", has_text=label).bounding_box()
    tab.mouse.click(button["x"] + button["width"] / 2, button["y"] + button["height"] / 2)


NEWEST_IN_VIEW = """() => {
  const rows = document.querySelectorAll("#messages .row");
  if (!rows.length) return false;
  const newest = rows[rows.length - 1].getBoundingClientRect();
  const chat = document.getElementById("messages").getBoundingClientRect();
  const menu = document.getElementById("rich-menu");
  const menuTop = menu.hidden ? window.innerHeight : menu.getBoundingClientRect().top;
  // A message taller than the chat (the help on a phone) cannot show whole: the chat is then at its end.
  const box = document.getElementById("messages");
  const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 1;
  return (newest.top >= chat.top - 1 || atEnd) && newest.bottom <= chat.bottom + 1 && newest.bottom <= menuTop && newest.bottom <= window.innerHeight;
}"""

# The next rich menu image that loads records, two frames later, whether the newest message is in view.
MENU_DRAWN = f"""() => document.addEventListener("load", (event) => {{
  if (!event.target.matches || !event.target.matches("#rich-menu img")) return;
  requestAnimationFrame(() => requestAnimationFrame(() => {{
    window.newestWhenMenuDrawn = ({NEWEST_IN_VIEW})() ? "in view" : "hidden";
  }}));
}}, {{capture: true, once: true}})"""


def test_on_a_phone_the_quick_replies_swipe_the_newest_message_stays_above_the_menu_and_the_menu_folds(phone, demo):
    page = phone.tab
    code = demo[1].newcomer_code
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways
    phone.switch_to("new")
    page.click("#add-friend")
    phone.wait_for_bot(GREETING)
    phone.tap_rich_menu("ลงทะเบียน")
    phone.wait_for_bot("กรุณาพิมพ์รหัสเชิญ")

    def walk_to_the_community_question() -> None:
        phone.type(code)
        phone.wait_for_bot("ท่านกำลังลงทะเบียนเป็นอาสาสมัคร")
        phone.type("สมใจ มือถือ")
        phone.wait_for_question("เบอร์โทรศัพท์")
        phone.type("0891234567")
        phone.wait_for_question("ท่านเป็นอาสาสมัครประเภทใด")
        phone.tap_quick_reply("อสม.")
        phone.wait_for_question("ท่านปฏิบัติงานในชุมชนใด")

    walk_to_the_community_question()
    row = page.locator("#quick-replies")
    assert row.evaluate("node => node.scrollWidth > node.clientWidth")  # four buttons are wider than the phone
    assert not fully_in_row(page, "ยกเลิก")
    # The mouse wheel swipes the row sideways, as a finger does on the phone.
    row.hover()
    page.mouse.wheel(0, 600)
    page.wait_for_function("() => document.getElementById('quick-replies').scrollLeft > 0")
    assert fully_in_row(page, "ยกเลิก")
    phone.screenshot("21-phone-quick-replies-swiped")
    # Dragging it back is a swipe, not a tap on the button under the mouse.
    posted = len(phone.posted)
    first = row.bounding_box()
    page.mouse.move(first["x"] + 40, first["y"] + first["height"] / 2)
    page.mouse.down()
    page.mouse.move(first["x"] + 360, first["y"] + first["height"] / 2, steps=8)
    page.mouse.up()
    assert row.evaluate("node => node.scrollLeft") == 0 and fully_in_row(page, "ชุมชนบ้านหนองบัว")
    page.wait_for_timeout(300)
    assert len(phone.posted) == posted
    # The last button, brought into view by the wheel, works where it is.
    page.mouse.wheel(0, 600)
    page.wait_for_function("() => document.getElementById('quick-replies').scrollLeft > 0")
    mouse_tap(page, "ยกเลิก")
    phone.wait_for_bot("ยกเลิกการลงทะเบียนแล้ว")

    phone.tap_rich_menu("ลงทะเบียน")
    phone.wait_for_bot("กรุณาพิมพ์รหัสเชิญ", count=2)
    walk_to_the_community_question()
    page.mouse.wheel(0, 600)
    page.wait_for_function("() => document.getElementById('quick-replies').scrollLeft > 0")
    mouse_tap(page, "ชุมชนตลาดเก่า")
    phone.wait_for_question("ชุมชน: ชุมชนตลาดเก่า")
    # Note where the newest message is the moment the next menu's picture has been drawn, the
    # picture coming as slowly as over a phone's network (it then takes its height late).
    page.evaluate(MENU_DRAWN)
    page.route("**/rich-menu/*/image", lambda route: (time.sleep(0.6), route.continue_()))
    phone.tap_quick_reply("ยืนยัน")
    phone.wait_for_bot(REGISTERED)
    # The volunteer's menu replaces the guest's; once its picture is drawn the newest message is still above it.
    page.locator("#rich-menu .rich-area[data-text='สำรวจ']").wait_for()
    assert page.wait_for_function("() => window.newestWhenMenuDrawn").json_value() == "in view"
    assert REGISTERED in phone.bot_texts()[-1]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot("22-phone-registered-menu")

    # The chat bar folds the menu away and opens it again, as in LINE.
    page.click("#rich-menu-bar")
    assert page.locator("#rich-menu").is_hidden()
    page.wait_for_function(NEWEST_IN_VIEW)
    phone.screenshot("23-phone-menu-folded")
    page.click("#rich-menu-bar")
    page.locator("#rich-menu").wait_for()
    page.wait_for_function(NEWEST_IN_VIEW)
    phone.tap_rich_menu("วิธีใช้")
    phone.wait_for_bot(REGISTERED_HELP)
    page.wait_for_function(NEWEST_IN_VIEW)

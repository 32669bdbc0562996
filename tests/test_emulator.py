"""The emulator's server side: only in local mode, only for this machine, reading the stand-in."""

from __future__ import annotations

import logging
import socket

import pytest

from bot.local.server import create_local_app
from bot.state import close_app
from bot.config import LOCAL_CHANNEL_SECRET
from bot.local.demo import seed
from bot.local.emulator import QuietPolling
from bot.local.emulator.personas import PERSONAS_BY_KEY
from bot.local.emulator.standin_client import StandInClient, StandInUnavailable
from tests.support import webhooks
from tests.support.line_chat import LineChat, flask_poster

EMULATOR_PATHS = ("/emulator", "/emulator/", "/emulator/api/setup", "/emulator/static/emulator.js")


def status_of(client, path: str, **kwargs) -> int:  # type: ignore[no-untyped-def]
    """GET a path and close the response (static files are streamed from open files)."""
    with client.get(path, **kwargs) as response:
        return response.status_code


@pytest.fixture
def local_config(config):  # type: ignore[no-untyped-def]
    """Local mode as `thaiqm-bot serve` runs it without credentials, on the test stand-in."""
    return config.with_overrides(local_mode=True, line_channel_secret=LOCAL_CHANNEL_SECRET)


@pytest.fixture
def local_client(local_config):  # type: ignore[no-untyped-def]
    """A test client of the app in local mode."""
    app = create_local_app(local_config)
    yield app.test_client()
    close_app(app)


@pytest.mark.parametrize("path", EMULATOR_PATHS)
def test_emulator_is_absent_when_line_credentials_are_set(client, path):
    assert status_of(client, path) == 404


def test_emulator_is_absent_when_local_mode_would_talk_to_line_itself(local_config):
    app = create_local_app(local_config.with_overrides(line_api_base_url="https://api.line.me"))
    try:
        assert status_of(app.test_client(), "/emulator") == 404
    finally:
        close_app(app)


def test_emulator_page_and_scripts_are_served_in_local_mode(local_client):
    with local_client.get("/emulator") as page:
        assert page.status_code == 200
        html = page.get_data(as_text=True)
    for script in ("line_webhook.js", "flex.js", "scroll.js", "emulator.js"):
        assert f"/emulator/static/{script}" in html
        assert status_of(local_client, f"/emulator/static/{script}") == 200
    assert status_of(local_client, "/emulator/static/emulator.css") == 200


@pytest.mark.parametrize("path", EMULATOR_PATHS)
def test_emulator_refuses_other_machines(local_client, path):
    assert status_of(local_client, path, environ_base={"REMOTE_ADDR": "192.168.1.20"}) == 404


def test_setup_gives_thai_texts_personas_and_who_is_already_a_friend(local_client, database_url):
    before = local_client.get("/emulator/api/setup").get_json()
    assert before["secret"] == LOCAL_CHANNEL_SECRET
    assert before["texts"]["addFriend"] == "เพิ่มเพื่อน"
    assert [p["key"] for p in before["personas"]] == ["volunteer", "volunteer2", "supervisor", "household"]
    assert not any(p["friend"] for p in before["personas"])
    seed(local_client.application)
    after = local_client.get("/emulator/api/setup").get_json()
    assert all(p["friend"] for p in after["personas"])
    roles = {p["key"]: p["role"] for p in after["personas"]}
    assert roles["supervisor"] == "ผู้ควบคุมการสำรวจ" and roles["volunteer"] == "อาสาสมัคร"


def test_page_calls_reach_the_bot_and_read_its_reply_from_the_stand_in(local_client, line_api):
    chat_id = PERSONAS_BY_KEY["volunteer"].line_user_id
    token = local_client.post("/emulator/api/reply-token", json={"chatId": chat_id}).get_json()["replyToken"]
    chat = LineChat(flask_poster(local_client), LOCAL_CHANNEL_SECRET, line_api, chat_id)
    assert chat.send(webhooks.text_event(chat_id, token, "วิธีใช้")).status == 200
    other = PERSONAS_BY_KEY["supervisor"].line_user_id
    delivered = local_client.get(f"/emulator/api/messages?since=0&chat={chat_id}&chat={other}").get_json()["messages"]
    assert [m["chat_id"] for m in delivered] == [chat_id]
    assert delivered[0]["via"] == "reply"
    assert "วิธีใช้งานบัญชี LINE นี้" in delivered[0]["message"]["text"]
    later = local_client.get(f"/emulator/api/messages?since={delivered[0]['seq']}&chat={chat_id}").get_json()
    assert later["messages"] == []


@pytest.mark.parametrize("query", ["chat=../../v2/bot/profile", "chat=Uabc", "since=-1&chat=" + "U" + "a" * 32, "since=x"])
def test_message_reads_refuse_anything_but_line_user_ids_and_numbers(local_client, query):
    assert local_client.get(f"/emulator/api/messages?{query}").status_code == 400


def test_reply_token_refuses_a_bad_chat_id(local_client):
    assert local_client.post("/emulator/api/reply-token", json={"chatId": "U1/../x"}).status_code == 400
    assert local_client.post("/emulator/api/reply-token", data="not json").status_code == 400


def test_stand_in_down_is_reported_not_crashed(local_config):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app = create_local_app(local_config.with_overrides(line_api_base_url=f"http://127.0.0.1:{closed_port}"))
    try:
        client = app.test_client()
        chat_id = PERSONAS_BY_KEY["volunteer"].line_user_id
        assert client.get(f"/emulator/api/messages?since=0&chat={chat_id}").status_code == 502
        assert client.post("/emulator/api/reply-token", json={"chatId": chat_id}).status_code == 502
    finally:
        close_app(app)


@pytest.mark.parametrize("host", ["evil.example", "192.168.1.20:8080", "127.0.0.1.nip.io"])
def test_emulator_refuses_pages_reaching_it_under_another_host_name(local_client, host):
    assert status_of(local_client, "/emulator/api/setup", headers={"Host": host}) == 404


@pytest.mark.parametrize("host", ["127.0.0.1:8080", "localhost:8080", "[::1]:8080"])
def test_emulator_answers_under_local_host_names(local_client, host):
    assert status_of(local_client, "/emulator/api/setup", headers={"Host": host}) == 200


def test_polling_is_kept_out_of_the_access_log():
    quiet = QuietPolling()

    def line(path: str) -> logging.LogRecord:
        return logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" 200 -', ("127.0.0.1", "now", f"GET {path} HTTP/1.1"), None)

    assert not quiet.filter(line("/emulator/api/messages?since=3&chat=U" + "a" * 32))
    assert not quiet.filter(line("/_standin/messages?since=3"))
    assert quiet.filter(line("/callback"))
    assert quiet.filter(line("/v2/bot/message/reply"))


def test_stand_in_shows_what_a_scripted_user_typed_on_their_side_and_refuses_non_messages(line_api, line_api_url):
    chat_id = PERSONAS_BY_KEY["volunteer"].line_user_id
    standin = StandInClient(line_api_url)
    standin.record_user_message(chat_id, {"type": "text", "text": "ลงทะเบียน"})
    [shown] = standin.messages([chat_id], 0)
    assert (shown["via"], shown["message"]) == ("user", {"type": "text", "text": "ลงทะเบียน"})
    with pytest.raises(StandInUnavailable):
        standin.record_user_message(chat_id, {"text": "no type"})
    assert len(standin.messages([chat_id], 0)) == 1


def test_page_reads_the_rich_menu_linked_to_a_chat_with_its_image(local_client, line_api):
    seed(local_client.application)  # publishes the menus at the stand-in and registers the demo people
    supervisor = PERSONAS_BY_KEY["supervisor"].line_user_id
    menu = local_client.get(f"/emulator/api/rich-menu?chat={supervisor}").get_json()["richMenu"]
    assert menu["name"] == "thaiqm-supervisor" and menu["chatBarText"] == "เมนู"
    assert [area["action"]["text"] for area in menu["areas"]] == ["อนุมัติ", "ความคืบหน้า", "อาสาสมัคร", "เปลี่ยนผู้สำรวจ", "สำรวจ", "วิธีใช้"]
    with local_client.get(menu["image"]) as image:
        assert image.status_code == 200 and image.mimetype == "image/png"
        assert image.get_data()[:8] == b"\x89PNG\r\n\x1a\n"
    # Someone LINE has linked nothing to sees the default (guest) menu.
    stranger = local_client.get(f"/emulator/api/rich-menu?chat=U{'a' * 32}").get_json()["richMenu"]
    assert stranger["name"] == "thaiqm-guest"
    line_api.reset()  # a restarted stand-in knows no menus: LINE shows none
    assert local_client.get(f"/emulator/api/rich-menu?chat={supervisor}").get_json() == {"richMenu": None}


@pytest.mark.parametrize(
    "path, status",
    [("/emulator/api/rich-menu?chat=../x", 400), ("/emulator/api/rich-menu/../../v2/bot/info/image", 404),
     ("/emulator/api/rich-menu/richmenu-zz/image", 404), (f"/emulator/api/rich-menu/richmenu-{'0' * 32}/image", 404)],
)
def test_rich_menu_reads_refuse_anything_but_line_ids(local_client, path, status):
    assert status_of(local_client, path) == status

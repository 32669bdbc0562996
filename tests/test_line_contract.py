"""Tests for the LINE contract checker used on every request the test suite sees."""

from __future__ import annotations

import copy
import importlib.util

import pytest

from tests.support import line_contract
from tests.support.line_contract import (
    SPECS_AVAILABLE,
    assert_valid_request,
    assert_valid_webhook,
    check_request,
    check_webhook_body,
)

needs_specs = pytest.mark.skipif(
    not SPECS_AVAILABLE,
    reason=f"LINE OpenAPI specs not found in {line_contract.SPEC_DIR} (set LINE_OPENAPI_DIR or check out ../shared)",
)

REPLY = "/v2/bot/message/reply"
PUSH = "/v2/bot/message/push"
BOT_ID = "U" + "0123456789abcdef" * 2
USER_ID = "U" + "fedcba9876543210" * 2


def postback(label: str = "ใช่", data: str = "answer=yes", **extra) -> dict:
    """Build a postback action."""
    return {"type": "postback", "label": label, "data": data, **extra}


def quick_item(action: dict) -> dict:
    """Build a quick reply button around an action."""
    return {"type": "action", "action": action}


def text_message(text: str = "สวัสดีครับ", quick: list[dict] | None = None) -> dict:
    """Build a text message, with quick reply buttons when given."""
    message = {"type": "text", "text": text}
    if quick is not None:
        message["quickReply"] = {"items": quick}
    return message


def bubble(*contents: dict) -> dict:
    """Build a Flex bubble whose body box holds ``contents``."""
    return {"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": list(contents)}}


def flex_button(label: str = "เริ่มสำรวจ", **action) -> dict:
    """Build a Flex button component with a postback action."""
    return {"type": "button", "style": "primary", "action": postback(label=label, **action)}


def flex_message(contents: dict, alt_text: str = "แบบสำรวจ") -> dict:
    """Build a Flex message."""
    return {"type": "flex", "altText": alt_text, "contents": contents}


def buttons_template(*actions: dict) -> dict:
    """Build a buttons template message."""
    template = {"type": "buttons", "text": "เลือกหนึ่งข้อ", "actions": list(actions)}
    return {"type": "template", "altText": "เลือก", "template": template}


def reply(*messages: dict) -> dict:
    """Build a reply request body."""
    return {"replyToken": "b60d432864f44d079f6d8efe86cf404b", "messages": list(messages)}


def rich_menu(**overrides) -> dict:
    """Build a valid rich menu request body, with fields overridden."""
    body = {
        "size": {"width": 2500, "height": 843},
        "selected": True,
        "name": "เมนูหลัก",
        "chatBarText": "เมนู",
        "areas": [
            {"bounds": {"x": 0, "y": 0, "width": 1250, "height": 843}, "action": postback(label="สำรวจ")},
            {
                "bounds": {"x": 1250, "y": 0, "width": 1250, "height": 843},
                "action": {"type": "uri", "label": "เว็บ", "uri": "https://example.go.th"},
            },
        ],
    }
    body.update(overrides)
    return body


def webhook(*events: dict) -> dict:
    """Build a webhook body the way LINE sends it."""
    return {"destination": BOT_ID, "events": list(events)}


def event(kind: str, **fields) -> dict:
    """Build a webhook event from a user in a one-on-one chat."""
    return {
        "type": kind,
        "mode": "active",
        "timestamp": 1732600000000,
        "source": {"type": "user", "userId": USER_ID},
        "webhookEventId": "01JDMZ7Q2W3E4R5T6Y7U8I9O0P",
        "deliveryContext": {"isRedelivery": False},
        **fields,
    }


def text_event(text: str = "เริ่ม") -> dict:
    """Build a text message event."""
    message = {"id": "468789577898262530", "type": "text", "text": text, "quoteToken": "q3Plxr4AgKd..."}
    return event("message", replyToken="38ef843bde154d9b91c21320ffd17a0f", message=message)


# ---------------------------------------------------------------- valid requests pass


def test_reply_with_text_and_quick_reply_passes():
    """A reply with a text message and quick reply buttons has no violations."""
    quick = [
        quick_item(postback(label="ใช่", displayText="ใช่")),
        quick_item({"type": "message", "label": "ไม่ใช่", "text": "ไม่ใช่"}),
        quick_item({"type": "datetimepicker", "label": "เลือกวันที่", "data": "d", "mode": "date", "initial": "2024-11-14"}),
        quick_item({"type": "location", "label": "ส่งตำแหน่ง"}),
    ]
    assert check_request("POST", REPLY, reply(text_message(quick=quick))) == []


def test_flex_bubble_with_box_text_button_separator_passes():
    """A Flex bubble with a box, text, separator and button has no violations."""
    title = {"type": "text", "text": "ครัวเรือนที่ 1", "wrap": True, "weight": "bold"}
    contents = bubble(title, {"type": "separator"}, flex_button())
    assert check_request("POST", REPLY, reply(flex_message(contents))) == []


def test_buttons_template_and_rich_menu_pass():
    """A buttons template and a 2500x843 rich menu have no violations."""
    assert check_request("POST", PUSH, {"to": USER_ID, "messages": [buttons_template(postback())]}) == []
    assert check_request("POST", "/v2/bot/richmenu", rich_menu()) == []


def test_limits_count_utf16_code_units():
    """Lengths count UTF-16 code units: an emoji outside the BMP counts twice."""
    assert check_request("POST", REPLY, reply(text_message("ก" * 5000))) == []
    assert "messages[0].text: length 5002 > 5000" in check_request("POST", REPLY, reply(text_message("😀" * 2501)))


@needs_specs
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v2/bot/chat/loading/start", {"chatId": USER_ID, "loadingSeconds": 20}),
        ("POST", f"/v2/bot/user/{USER_ID}/richmenu/richmenu-abc", None),
        ("POST", "/v2/bot/richmenu/richmenu-abc/content", None),
        ("GET", f"/v2/bot/profile/{USER_ID}", None),
        ("GET", "/v2/bot/richmenu/list", None),
        ("POST", "/v2/bot/message/multicast", {"to": [USER_ID], "messages": [text_message()]}),
        ("POST", "https://api.line.me/v2/bot/message/push", {"to": USER_ID, "messages": [text_message()]}),
    ],
)
def test_known_paths_pass(method, path, body):
    """Paths the bot uses match the spec's templates, including binary uploads."""
    assert check_request(method, path, body) == []


# ---------------------------------------------------------------- documented limits fail


def _long(n: int) -> str:
    """Return a Thai string of ``n`` characters."""
    return "ก" * n


def _big_bubble(n_bytes: int) -> dict:
    """Return a bubble that serializes to a little over ``n_bytes`` bytes."""
    return bubble({"type": "text", "text": "a" * n_bytes})


def _picker(mode: str, **values) -> dict:
    """Return a quick reply message with one datetime picker."""
    action = {"type": "datetimepicker", "label": "เลือก", "data": "d", "mode": mode, **values}
    return text_message(quick=[quick_item(action)])


LIMIT_CASES = {
    "six messages": (PUSH, {"to": USER_ID, "messages": [text_message()] * 6}, "messages: 6 items > 5"),
    "text too long": (REPLY, reply(text_message(_long(5001))), "messages[0].text: length 5001 > 5000"),
    "14 quick replies": (
        REPLY,
        reply(text_message(quick=[quick_item(postback())] * 14)),
        "messages[0].quickReply.items: 14 items > 13",
    ),
    "quick reply label": (
        REPLY,
        reply(text_message(quick=[quick_item(postback())] * 3 + [quick_item(postback(label=_long(25)))])),
        "messages[0].quickReply.items[3].action.label: length 25 > 20",
    ),
    "quick reply item type": (
        REPLY,
        reply(text_message(quick=[{"type": "button", "action": postback()}])),
        "messages[0].quickReply.items[0].type: must be 'action', got 'button'",
    ),
    "rich menu switch in quick reply": (
        REPLY,
        reply(text_message(quick=[quick_item({"type": "richmenuswitch", "label": "x", "richMenuAliasId": "a", "data": "d"})])),
        "messages[0].quickReply.items[0].action.type: 'richmenuswitch' is not allowed in quick reply "
        "(allowed: camera, cameraRoll, clipboard, datetimepicker, location, message, postback, uri)",
    ),
    "template label": (
        REPLY,
        reply(buttons_template(postback(label=_long(21)))),
        "messages[0].template.actions[0].label: length 21 > 20",
    ),
    "five buttons": (REPLY, reply(buttons_template(*[postback()] * 5)), "messages[0].template.actions: 5 items > 4"),
    "flex button label": (
        REPLY,
        reply(flex_message(bubble(flex_button(label=_long(41))))),
        "messages[0].contents.body.contents[0].action.label: length 41 > 40",
    ),
    "postback data": (
        REPLY,
        reply(text_message(quick=[quick_item(postback(data="x" * 301))])),
        "messages[0].quickReply.items[0].action.data: length 301 > 300",
    ),
    "postback displayText": (
        REPLY,
        reply(flex_message(bubble(flex_button(displayText=_long(301))))),
        "messages[0].contents.body.contents[0].action.displayText: length 301 > 300",
    ),
    "altText": (REPLY, reply(flex_message(bubble(), alt_text=_long(1501))), "messages[0].altText: length 1501 > 1500"),
    "bubble size": (
        REPLY,
        reply(flex_message(_big_bubble(30 * 1024))),
        "messages[0].contents: flex bubble is 30829 bytes > 30720",
    ),
    "carousel bubbles": (
        REPLY,
        reply(flex_message({"type": "carousel", "contents": [bubble()] * 13})),
        "messages[0].contents.contents: 13 items > 12",
    ),
    "carousel size": (
        REPLY,
        reply(flex_message({"type": "carousel", "contents": [_big_bubble(20_000)] * 3})),
        "messages[0].contents: flex carousel is 60367 bytes > 51200",
    ),
    "bubble inside carousel": (
        REPLY,
        reply(flex_message({"type": "carousel", "contents": [bubble(), _big_bubble(31_000)]})),
        "messages[0].contents.contents[1]: flex bubble is 31109 bytes > 30720",
    ),
    "date format": (
        REPLY,
        reply(_picker("date", initial="14/11/2566")),
        "messages[0].quickReply.items[0].action.initial: '14/11/2566' is not a valid date (YYYY-MM-DD)",
    ),
    "time format": (
        REPLY,
        reply(_picker("time", max="9:30")),
        "messages[0].quickReply.items[0].action.max: '9:30' is not a valid time (HH:mm)",
    ),
    "datetime format": (
        REPLY,
        reply(_picker("datetime", min="2024-11-14 09:30")),
        "messages[0].quickReply.items[0].action.min: '2024-11-14 09:30' is not a valid datetime (YYYY-MM-DDTHH:mm)",
    ),
    "impossible date": (
        REPLY,
        reply(_picker("date", initial="2024-02-30")),
        "messages[0].quickReply.items[0].action.initial: '2024-02-30' is not a valid date (YYYY-MM-DD)",
    ),
    "initial outside min..max": (
        REPLY,
        reply(_picker("date", initial="2025-01-01", min="2024-01-01", max="2024-12-31")),
        "messages[0].quickReply.items[0].action.initial: must be between min and max",
    ),
    "location action in template": (
        REPLY,
        reply(buttons_template({"type": "location", "label": "ตำแหน่ง"})),
        "messages[0].template.actions[0].type: 'location' action is only allowed in quick reply",
    ),
    "camera action in flex": (
        REPLY,
        reply(flex_message(bubble({"type": "button", "action": {"type": "camera", "label": "ถ่ายรูป"}}))),
        "messages[0].contents.body.contents[0].action.type: 'camera' action is only allowed in quick reply",
    ),
    "rich menu size": (
        "/v2/bot/richmenu",
        rich_menu(size={"width": 2500, "height": 1000}),
        "size: 2500x1000 is not 2500x1686 or 2500x843",
    ),
    "rich menu areas": (
        "/v2/bot/richmenu",
        rich_menu(areas=[{"bounds": {"x": 0, "y": 0, "width": 125, "height": 843}, "action": postback()}] * 21),
        "areas: 21 items > 20",
    ),
    "chatBarText": ("/v2/bot/richmenu", rich_menu(chatBarText=_long(15)), "chatBarText: length 15 > 14"),
    "rich menu name": ("/v2/bot/richmenu", rich_menu(name=_long(301)), "name: length 301 > 300"),
    "image over http": (
        REPLY,
        reply({"type": "image", "originalContentUrl": "http://bot.example.org/qr/t.png", "previewImageUrl": "https://bot.example.org/qr/t/preview.png"}),
        "messages[0].originalContentUrl: LINE fetches media only over https",
    ),
    "image URL length": (
        REPLY,
        reply({"type": "image", "originalContentUrl": "https://bot.example.org/" + "a" * 1977, "previewImageUrl": "https://bot.example.org/p.png"}),
        "messages[0].originalContentUrl: length 2001 > 2000",
    ),
    "rich menu label": (
        "/v2/bot/richmenu/validate",
        rich_menu(areas=[{"bounds": {"x": 0, "y": 0, "width": 2500, "height": 843}, "action": postback(label=_long(21))}]),
        "areas[0].action.label: length 21 > 20",
    ),
}


@pytest.mark.parametrize(("path", "body", "expected"), LIMIT_CASES.values(), ids=LIMIT_CASES.keys())
def test_documented_limit_is_enforced(path, body, expected):
    """Each documented limit yields exactly one violation naming its JSON path."""
    violations = check_request("POST", path, body)
    assert expected in violations
    assert len(violations) == 1, violations  # The spec's own maxLength/maxItems are not reported twice.


def test_limits_at_the_boundary_pass():
    """Values exactly at each limit are accepted."""
    quick = [quick_item(postback(label=_long(20), data="x" * 300, displayText=_long(300)))] * 13
    body = reply(
        text_message(_long(5000), quick=quick),
        flex_message({"type": "carousel", "contents": [bubble(flex_button(label=_long(40)))] * 12}, alt_text=_long(1500)),
        _picker("datetime", initial="2024-11-14T09:30", min="2024-11-14t00:00", max="2024-11-30T23:59"),
        _picker("time", initial="09:30"),
        buttons_template(*[postback(label=_long(20))] * 4),
    )
    assert check_request("POST", REPLY, body) == []
    tall_menu = rich_menu(size={"width": 2500, "height": 1686}, chatBarText=_long(14))
    assert check_request("POST", "/v2/bot/richmenu", tall_menu) == []


# ---------------------------------------------------------------- schema violations fail


@needs_specs
def test_wrong_type_fails():
    """A text message whose text is a number is reported at its path."""
    assert check_request("POST", REPLY, reply(text_message(42))) == ["messages[0].text: expected string, got integer"]


@needs_specs
def test_missing_required_field_fails():
    """A push without ``to`` is reported."""
    assert check_request("POST", PUSH, {"messages": [text_message()]}) == ["to: missing required property"]


@needs_specs
def test_unknown_message_type_fails():
    """A message type the discriminator does not map is reported."""
    [violation] = check_request("POST", REPLY, reply({"type": "button", "text": "x"}))
    assert violation.startswith("messages[0].type: unknown Message type 'button'")


@needs_specs
def test_unknown_path_and_wrong_method_fail():
    """Paths and methods missing from the spec are reported."""
    assert check_request("POST", "/v2/bot/message/send", reply(text_message())) == [
        "POST /v2/bot/message/send: no such path in messaging-api.yml"
    ]
    assert check_request("DELETE", f"/v2/bot/profile/{USER_ID}", None) == [
        f"DELETE /v2/bot/profile/{USER_ID}: method not allowed for /v2/bot/profile/{{userId}} (spec has GET)"
    ]


@needs_specs
def test_nested_polymorphism_is_checked():
    """Discriminators reach into Flex components, actions and carousel bubbles."""
    body = reply(
        flex_message(bubble({"type": "box", "layout": "diagonal", "contents": []})),
        flex_message(bubble({"type": "button", "action": {"type": "postback", "label": 5, "data": "d"}})),
        flex_message({"type": "carousel", "contents": [{"type": "text", "text": "not a bubble"}]}),
        text_message(quick=[quick_item({"label": "no type"})]),
    )
    assert check_request("POST", REPLY, body) == [
        "messages[0].contents.body.contents[0].layout: 'diagonal' is not one of ['horizontal', 'vertical', 'baseline']",
        "messages[1].contents.body.contents[0].action.label: expected string, got integer",
        "messages[2].contents.contents[0].type: 'text' is not a FlexBubble (expected 'bubble')",
        "messages[3].quickReply.items[0].action.type: missing required property",
        "messages[3].quickReply.items[0].action.type: None is not allowed in quick reply "
        "(allowed: camera, cameraRoll, clipboard, datetimepicker, location, message, postback, uri)",
    ]


@needs_specs
def test_unknown_extra_properties_are_ignored():
    """LINE ignores unknown properties, so the checker does too."""
    message = {**text_message(), "futureField": {"anything": 1}}
    assert check_request("POST", REPLY, reply(message)) == []


def test_assert_valid_request_lists_every_violation():
    """The assertion message carries all violations, one per line."""
    body = reply(text_message(_long(5001)), buttons_template(postback(label=_long(21))))
    with pytest.raises(AssertionError) as raised:
        assert_valid_request("post", REPLY, body)
    message = str(raised.value)
    assert "messages[0].text: length 5001 > 5000" in message
    assert "messages[1].template.actions[0].label: length 21 > 20" in message
    assert_valid_request("POST", REPLY, reply(text_message()))


# ---------------------------------------------------------------- webhook bodies


@needs_specs
def test_realistic_webhook_body_passes():
    """Message, follow and postback events built as LINE sends them are valid."""
    body = webhook(
        text_event(),
        event("follow", replyToken="85cbe770fa8b4f45bbe077b1d4be4a36", follow={"isUnblocked": False}),
        event(
            "postback",
            replyToken="b60d432864f44d079f6d8efe86cf404b",
            postback={"data": "action=survey_date", "params": {"date": "2024-11-14"}},
        ),
    )
    assert check_webhook_body(body) == []
    assert_valid_webhook(body)
    assert check_webhook_body(webhook()) == []  # LINE's "verify" request has no events.


@needs_specs
def test_webhook_event_without_webhook_event_id_fails():
    """An event missing ``webhookEventId`` is reported at its path."""
    broken = text_event()
    del broken["webhookEventId"]
    assert check_webhook_body(webhook(text_event(), broken)) == ["events[1].webhookEventId: missing required property"]
    with pytest.raises(AssertionError, match=r"events\[0\]\.webhookEventId"):
        assert_valid_webhook(webhook(broken))


@needs_specs
def test_webhook_details_are_checked():
    """Destination format, message content and follow details are all checked."""
    bad_follow = event("follow", replyToken="r")
    bad_message = copy.deepcopy(text_event())
    del bad_message["message"]["quoteToken"]
    body = {**webhook(bad_follow, bad_message), "destination": "Ubot"}
    assert check_webhook_body(body) == [
        "destination: length 4 < 33",
        "destination: 'Ubot' does not match '^U[0-9a-f]{32}$'",
        "events[0].follow: missing required property",
        "events[1].message.quoteToken: missing required property",
    ]


# ---------------------------------------------------------------- without the specs


def test_without_specs_only_limits_are_checked(monkeypatch, tmp_path):
    """With no specs, schema checks are skipped but documented limits still apply."""
    monkeypatch.setenv("LINE_OPENAPI_DIR", str(tmp_path))
    spec = importlib.util.spec_from_file_location("line_contract_without_specs", line_contract.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    assert module.SPECS_AVAILABLE is False
    assert module.check_request("POST", "/v2/bot/nowhere", {"messages": [text_message(42)]}) == []
    assert module.check_webhook_body({"events": [{}]}) == []
    too_long = reply(text_message(_long(5001)))
    assert module.check_request("POST", REPLY, too_long) == ["messages[0].text: length 5001 > 5000"]

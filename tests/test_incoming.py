"""LINE's webhook events become LINE-neutral events (that only bot/line imports the SDK is an import-linter contract)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from linebot.v3.webhooks import Event

from bot.line.events import _common_event, from_dict, from_model
from tests.support import webhooks


def test_each_kind_of_line_event_becomes_its_neutral_kind():
    user = webhooks.new_user_id()
    text = from_dict(webhooks.text_event(user, "token", "สำรวจ"))
    assert (text.kind, text.text, text.chat_id, text.user_id, text.one_to_one, text.reply_token) == ("text", "สำรวจ", user, user, True, "token")
    picked = from_dict(webhooks.postback_event(user, "token", "do=sv&h=1", {"date": "2024-01-15"}))
    assert (picked.kind, picked.data, dict(picked.params)) == ("postback", "do=sv&h=1", {"date": "2024-01-15"})
    where = from_dict(webhooks.location_event(user, "token", 16.4, 102.8, "บ้าน", "ขอนแก่น"))
    assert (where.kind, where.location) == ("location", (16.4, 102.8))
    assert (from_dict(webhooks.sticker_event(user, "token")).content, from_dict(webhooks.media_event(user, "token", "file")).content) == ("sticker", "file")
    assert from_dict(webhooks.follow_event(user, "token")).kind == "follow"
    blocked = from_dict(webhooks.unfollow_event(user))
    assert (blocked.kind, blocked.reply_token) == ("unfollow", None)


def test_group_event_is_not_one_to_one_and_unreadable_event_is_unknown():
    user = webhooks.new_user_id()
    group = webhooks.text_event(user, "token", "hello") | {"source": {"type": "group", "groupId": "C" + "1" * 32, "userId": user}}
    seen = from_dict(group)
    assert (seen.kind, seen.one_to_one, seen.user_id) == ("text", False, user)
    odd = from_dict(webhooks.base_event("somethingNew", user, "token"))
    assert (odd.kind, odd.event_type, odd.chat_id, odd.reply_token) == ("unknown", "somethingNew", user, "token")


# Values of every JSON type (and a bool, which the SDK's strict ints and strings refuse), to put in any field.
_ANY = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2))


def _events() -> st.SearchStrategy[dict]:
    """Text and postback events as LINE sends them, with any of their fields dropped or replaced by a value of any type."""
    user = "U" + "a" * 32

    def shaped(event: dict, nested: str) -> st.SearchStrategy[dict]:
        def vary(changes: list[tuple[str, str, object]]) -> dict:
            varied = json.loads(json.dumps(event))
            for where, key, value in changes:
                target = varied if where == "top" else varied.get(where)
                if not isinstance(target, dict):
                    continue
                if value == "<drop>":
                    target.pop(key, None)
                else:
                    target[key] = value
            return varied

        optional = [(nested, "params")] if nested == "postback" else [(nested, key) for key in ("emojis", "mention", "quotedMessageId", "markAsReadToken")]
        keys = [("top", key) for key in event] + [(nested, key) for key in event[nested]] + [("source", "type"), ("source", "userId"), ("deliveryContext", "isRedelivery"), *optional]
        change = st.tuples(st.sampled_from(keys), st.one_of(st.just("<drop>"), _ANY)).map(lambda pair: (pair[0][0], pair[0][1], pair[1]))
        return st.lists(change, max_size=3).map(vary)

    text = webhooks.text_event(user, "token", "สำรวจ")
    postback = webhooks.postback_event(user, "token", "do=sv&h=1", {"date": "2024-01-15"})
    return st.one_of(shaped(text, "message"), shaped(postback, "postback"))


@settings(max_examples=400, deadline=None)
@given(_events())
def test_a_typed_text_or_tapped_button_reads_the_same_with_or_without_the_sdk(event):
    """The SDK-free reading of the two common events (for speed) takes only what the SDK reads, and reads it alike."""
    fast = _common_event(event)
    if fast is None:
        return  # left to the SDK, as before
    assert fast == from_model(Event.from_dict(event), event)


def test_the_common_events_as_line_sends_them_skip_the_sdk():
    user = webhooks.new_user_id()
    typed = webhooks.text_event(user, "token", "12/3")
    assert _common_event(typed) == from_model(Event.from_dict(typed), typed)
    assert _common_event(webhooks.postback_event(user, "token", "do=sv")) is not None
    assert _common_event(webhooks.location_event(user, "token", 16.4, 102.8, "บ้าน", "ขอนแก่น")) is None

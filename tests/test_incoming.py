"""LINE's webhook events become LINE-neutral events (that only bot/line imports the SDK is an import-linter contract)."""

from __future__ import annotations

from bot.line.events import from_dict
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

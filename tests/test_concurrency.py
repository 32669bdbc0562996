"""LINE may deliver one user's events concurrently: each is still handled exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from storage.models import LineUser, OutboxMessage, ProcessedEvent
from tests.support import webhooks
from tests.support.line_chat import LineChat, http_poster
from bot.state import app_state
from tests.conftest import CHANNEL_SECRET

CONCURRENT = 20


def test_twenty_concurrent_webhooks_from_one_user_are_each_processed_once(app, live_server, line_api, db_engine):
    chat = LineChat(http_poster(live_server), CHANNEL_SECRET, line_api)
    events = [webhooks.text_event(chat.user_id, line_api.issue_reply_token(chat.user_id), "ช่วยเหลือ") for _ in range(CONCURRENT)]
    with ThreadPoolExecutor(CONCURRENT) as pool:
        statuses = list(pool.map(lambda event: chat.send(event).status, events))
    assert statuses == [200] * CONCURRENT
    app_state(app).sender.flush()
    with db_engine.connect() as connection:
        handled = connection.execute(select(LineUser.events_handled).where(LineUser.line_user_id == chat.user_id)).scalar_one()
        processed = connection.execute(select(func.count()).select_from(ProcessedEvent)).scalar_one()
        sent = connection.execute(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent")).scalar_one()
    # events_handled is a read-modify-write under the user lock: a lost update would show here.
    assert handled == CONCURRENT
    assert processed == CONCURRENT
    assert sent == CONCURRENT
    replies = line_api.messages_for(chat.user_id)
    assert len(replies) == CONCURRENT
    assert all("วิธีใช้งานบัญชี LINE นี้" in m.message["text"] for m in replies)


def test_the_same_event_delivered_twenty_times_at_once_is_processed_once(live_server, line_api, db_engine):
    chat = LineChat(http_poster(live_server), CHANNEL_SECRET, line_api)
    event = webhooks.follow_event(chat.user_id, line_api.issue_reply_token(chat.user_id))
    with ThreadPoolExecutor(CONCURRENT) as pool:
        statuses = list(pool.map(lambda _: chat.send(event).status, range(CONCURRENT)))
    assert statuses == [200] * CONCURRENT
    with db_engine.connect() as connection:
        handled = connection.execute(select(LineUser.events_handled).where(LineUser.line_user_id == chat.user_id)).scalar_one()
    assert handled == 1
    assert len(line_api.messages_for(chat.user_id)) == 1

"""LINE may deliver one user's events concurrently: each is still handled exactly once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.delivery.lanes import Lane
from storage.models import LineUser, OutboxMessage, ProcessedEvent
from tests.support import webhooks
from tests.support.line_chat import LineChat, http_poster
from bot.state import app_state
from tests.conftest import CHANNEL_SECRET

CONCURRENT = 20


def test_twenty_concurrent_webhooks_from_one_user_are_each_processed_once(app, live_server, line_api, db_engine):
    sender = app_state(app).sender
    chat = LineChat(http_poster(live_server, sender.flush), CHANNEL_SECRET, line_api)
    events = [webhooks.text_event(chat.user_id, line_api.issue_reply_token(chat.user_id), "วิธีใช้") for _ in range(CONCURRENT)]
    with ThreadPoolExecutor(CONCURRENT) as pool:
        statuses = list(pool.map(lambda event: chat.send(event).status, events))
    assert statuses == [200] * CONCURRENT
    sender.flush()  # every reply sent and its outcome recorded: the counts below are final
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


def test_the_same_event_delivered_twenty_times_at_once_is_processed_once(app, live_server, line_api, db_engine):
    sender = app_state(app).sender
    chat = LineChat(http_poster(live_server, sender.flush), CHANNEL_SECRET, line_api)
    event = webhooks.follow_event(chat.user_id, line_api.issue_reply_token(chat.user_id))
    with ThreadPoolExecutor(CONCURRENT) as pool:
        statuses = list(pool.map(lambda _: chat.send(event).status, range(CONCURRENT)))
    assert statuses == [200] * CONCURRENT
    sender.flush()  # a second reply would be out by now: "exactly one" needs no quiet moment
    with db_engine.connect() as connection:
        handled = connection.execute(select(LineUser.events_handled).where(LineUser.line_user_id == chat.user_id)).scalar_one()
    assert handled == 1
    assert len(line_api.messages_for(chat.user_id)) == 1


def test_a_sending_lane_flush_waits_for_the_work_in_hand_and_says_when_it_gives_up():
    release, started, done = threading.Event(), threading.Event(), []

    def work(batch: list[int]) -> None:
        started.set()
        release.wait(5)
        done.extend(batch)

    lane: Lane[int] = Lane("test-lane", work)
    lane.put(1)
    started.wait(5)
    with pytest.raises(TimeoutError):
        lane.flush(timeout=0.05)  # still sending: a flush never returns as if it were done
    release.set()
    lane.put(2)
    lane.flush()
    assert done == [1, 2]
    lane.close()

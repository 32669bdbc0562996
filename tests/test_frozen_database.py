"""A frozen database (stopped, not down): health check and webhooks answer 503 in time, nothing is lost."""

from __future__ import annotations

import time

import pytest

from bot.app import create_app
from bot.config import Config
from bot.state import app_state, close_app
from storage.migrate import upgrade
from tests.conftest import ACCESS_TOKEN, CHANNEL_SECRET, DATA_KEY
from tests.support import webhooks
from tests.support.pg_cluster import own_cluster


@pytest.fixture
def cluster():  # type: ignore[no-untyped-def]
    """A PostgreSQL cluster of this test's own, migrated."""
    cluster = own_cluster()
    try:
        upgrade(cluster.url)
        yield cluster
    finally:
        cluster.stop()


def test_frozen_database_answers_503_in_time_and_the_event_is_answered_once_after(cluster, line_api_url, line_api):
    app = create_app(Config(line_channel_secret=CHANNEL_SECRET, line_channel_access_token=ACCESS_TOKEN,
                            database_url=cluster.url, line_api_base_url=line_api_url, data_key=DATA_KEY))
    client = app.test_client()
    user = webhooks.new_user_id()

    def post(event):  # type: ignore[no-untyped-def]
        raw = webhooks.encode(webhooks.body_of(event))
        return client.post("/callback", data=raw, headers={"X-Line-Signature": webhooks.sign(raw, CHANNEL_SECRET)})

    try:
        assert client.get("/healthz").status_code == 200
        assert post(webhooks.follow_event(user, line_api.issue_reply_token(user))).status_code == 200
        app_state(app).sender.flush()
        cluster.freeze()
        started = time.monotonic()
        assert client.get("/healthz").status_code == 503
        assert time.monotonic() - started < 1.0
        event = webhooks.text_event(user, line_api.issue_reply_token(user), "ช่วยเหลือ")
        started = time.monotonic()
        assert post(event).status_code == 503
        assert time.monotonic() - started < 2.0
        cluster.thaw()
        # LINE redelivers the same event: handled (now or by the thread that waited), answered once.
        deadline = time.monotonic() + 10
        while post(event).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.get("/healthz").status_code == 200
        app_state(app).sender.flush()
        time.sleep(0.5)  # a late reply from the thread that waited would show by now
        app_state(app).sender.flush()
        assert len(line_api.messages_for(user)) == 2  # the greeting and the help, each once
    finally:
        cluster.thaw()
        close_app(app)

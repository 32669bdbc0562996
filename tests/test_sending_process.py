"""The web worker's sending process (bot/delivery/child.py): replaced when killed, gone with its app, nothing shown twice."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.delivery.send import retry_pending
from bot.state import app_state, close_app
from storage.models import OutboxMessage
from tests.conftest import CHANNEL_SECRET
from tests.support.line_chat import LineChat
from tests.support.survey import make_volunteer
from tests.test_worker_killed import alive

# SQLite sends from the worker's threads (bot/runtime.py says why).
pytestmark = pytest.mark.skipif(not os.environ.get("THAIQM_TEST_DATABASE_URL", "").strip(), reason="PostgreSQL only: SQLite sends from threads")


def text_of(message: dict) -> str:
    """A message's text (a flex message's alt text)."""
    return message.get("text") or message["altText"]


def texts_of(line_api, chat: LineChat) -> list[str]:  # type: ignore[no-untyped-def]
    """Every text the chat has shown."""
    return [text_of(m.message) for m in line_api.messages_for(chat.user_id)]


def test_a_killed_sending_process_is_replaced_and_the_reply_it_held_is_shown_once(app, client, line_user, line_api, db_engine):
    state = app_state(app)
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    consent = chat.say("สำรวจ").messages  # the first reply starts the sending process
    killed = state.sender.pid
    assert killed and killed != os.getpid() and alive(killed)

    # The next reply hangs at LINE when its sending process is killed: the volunteer sees nothing yet.
    line_api.stall_next("reply", 10.0, deliver=False)
    unflushed = LineChat(lambda body, headers: client.post("/callback", data=body, headers=headers).status_code, CHANNEL_SECRET, line_api, chat.user_id)
    assert unflushed.say("1").status == 200
    time.sleep(0.3)
    os.kill(killed, signal.SIGKILL)
    time.sleep(0.2)
    assert texts_of(line_api, chat) == [text_of(m) for m in consent]

    # The sweep replies with the token it held, once.
    later = lambda: state.processor.clock() + timedelta(minutes=2)  # noqa: E731  (past the sweep's wait)
    assert retry_pending(state.gateway, state.session_factory, later) == 1
    assert retry_pending(state.gateway, state.session_factory, later) == 0
    after_consent = texts_of(line_api, chat)
    assert len(after_consent) > len(consent)

    # The next answer gets its reply from a new sending process.
    respondent = chat.say("1").messages
    assert respondent, "no reply after the sending process was replaced"
    assert state.sender.pid not in (0, killed)
    time.sleep(0.3)  # a repeated reply would show by now
    assert texts_of(line_api, chat) == after_consent + [text_of(m) for m in respondent]
    with db_engine.connect() as connection:
        assert set(connection.execute(select(OutboxMessage.status)).scalars()) == {"sent"}


def test_closing_the_app_ends_its_sending_process_after_it_sent_what_it_held(config, line_api, db_engine):
    from bot.app import create_app

    app = create_app(config)
    chat = LineChat(lambda body, headers: app.test_client().post("/callback", data=body, headers=headers).status_code, CHANNEL_SECRET, line_api)
    line_api.stall_next("reply", 0.5, deliver=True)  # still on its way when the app closes
    assert chat.follow().status == 200
    sending = app_state(app).sender.pid
    close_app(app)
    assert not alive(sending)
    assert len(line_api.messages_for(chat.user_id)) == 1
    with db_engine.connect() as connection:
        assert connection.execute(select(OutboxMessage.status)).scalars().all() == ["sent"]

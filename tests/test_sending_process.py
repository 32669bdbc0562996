"""The web worker's sending process (bot/delivery/child.py): replaced when killed or stuck, gone with its app, nothing shown twice."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.delivery import child
from bot.delivery.send import retry_pending
from bot.state import app_state, close_app
from storage.models import OutboxMessage
from tests.conftest import CHANNEL_SECRET
from tests.support.line_chat import LineChat
from tests.support.survey import make_volunteer
from tests.test_worker_killed import alive, wait_until

# SQLite sends from the worker's threads (bot/runtime.py says why).
pytestmark = pytest.mark.skipif(not os.environ.get("THAIQM_TEST_DATABASE_URL", "").strip(), reason="PostgreSQL only: SQLite sends from threads")


def text_of(message: dict) -> str:
    """A message's text (a flex message's alt text)."""
    return message.get("text") or message["altText"]


def texts_of(line_api, chat: LineChat) -> list[str]:  # type: ignore[no-untyped-def]
    """Every text the chat has shown."""
    return [text_of(m.message) for m in line_api.messages_for(chat.user_id)]


def unflushed(client, line_api, chat: LineChat) -> LineChat:  # type: ignore[no-untyped-def]
    """The same volunteer, posting without waiting for the reply to go out."""
    return LineChat(lambda body, headers: client.post("/callback", data=body, headers=headers).status_code, CHANNEL_SECRET, line_api, chat.user_id)


def statuses(db_engine) -> list[str]:  # type: ignore[no-untyped-def]
    """The outbox rows' statuses, oldest first."""
    with db_engine.connect() as connection:
        return list(connection.execute(select(OutboxMessage.status).order_by(OutboxMessage.id)).scalars())


def test_the_app_starts_its_sending_process_when_built_and_ends_it_when_closed_after_sending(config, line_api, db_engine):
    from bot.app import create_app

    app = create_app(config)
    sending = app_state(app).sender.pid
    assert sending and sending != os.getpid() and alive(sending)  # sweeping from the start, before any reply
    chat = LineChat(lambda body, headers: app.test_client().post("/callback", data=body, headers=headers).status_code, CHANNEL_SECRET, line_api)
    line_api.stall_next("reply", 0.5, deliver=True)  # still on its way when the app closes
    assert chat.follow().status == 200
    close_app(app)
    assert not alive(sending)
    assert len(line_api.messages_for(chat.user_id)) == 1
    assert statuses(db_engine) == ["sent"]


def test_switched_off_the_replies_go_from_the_worker_s_own_threads(config, line_api):
    import dataclasses

    from bot.app import create_app
    from bot.delivery.sender import Sender

    app = create_app(dataclasses.replace(config, sending_process=False))
    try:
        assert isinstance(app_state(app).sender, Sender)
        chat = LineChat(lambda body, headers: app.test_client().post("/callback", data=body, headers=headers).status_code, CHANNEL_SECRET, line_api)
        assert chat.follow().status == 200
        app_state(app).sender.flush()
        assert len(line_api.messages_for(chat.user_id)) == 1
    finally:
        close_app(app)


def test_a_reply_its_killed_sending_process_had_delivered_is_settled_with_its_token_not_shown_again(app, client, line_user, line_api, db_engine):
    state = app_state(app)
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    chat.say("สำรวจ")
    killed = state.sender.pid
    # LINE shows the next reply but its answer never comes back: the sending process is killed meanwhile.
    line_api.stall_next("reply", 10.0, deliver=True)
    before = len(line_api.messages_for(chat.user_id))
    assert unflushed(client, line_api, chat).say("1").status == 200
    wait_until(lambda: len(line_api.messages_for(chat.user_id)) > before, 5, "the reply shown")
    shown = texts_of(line_api, chat)
    os.kill(killed, signal.SIGKILL)
    assert statuses(db_engine)[-1] == "pending"

    # The sweep, within the token's minute, replies again with the same token: LINE refuses it, so it was shown.
    later = lambda: state.processor.clock() + timedelta(seconds=20)  # noqa: E731  (past the sweep's 15 s, within the token's 50)
    retry_pending(state.gateway, state.session_factory, later)
    assert statuses(db_engine)[-1] == "sent"

    # The next answer gets its reply from a new sending process; nothing was shown twice.
    respondent = chat.say("1").messages
    assert respondent and state.sender.pid not in (0, killed)
    time.sleep(0.3)  # a repeated reply would show by now
    assert texts_of(line_api, chat) == shown + [text_of(m) for m in respondent]
    assert set(statuses(db_engine)) == {"sent"}


def test_a_stuck_sending_process_is_replaced_and_its_stale_reply_never_sent(app, client, line_user, line_api, db_engine, monkeypatch):
    monkeypatch.setattr(child, "STUCK_AFTER", 2.0)
    state = app_state(app)
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    shown = [text_of(m) for m in chat.say("สำรวจ").messages]
    stuck = state.sender.pid
    os.kill(stuck, signal.SIGSTOP)  # alive, reading nothing
    try:
        started = time.monotonic()
        assert unflushed(client, line_api, chat).say("1").status == 200  # its reply waits in the pipe
        assert time.monotonic() - started < 1.0  # the webhook is not held up
        wait_until(lambda: state.sender.pid not in (0, stuck), 6, "the stuck process replaced by the watchdog")
        assert not alive(stuck)  # killed, so it can never read and send what it held
    finally:
        if alive(stuck):
            os.kill(stuck, signal.SIGKILL)
    respondent = chat.say("1").messages
    assert respondent

    # The reply the stuck process held answers a question since answered: the sweep drops it.
    later = lambda: state.processor.clock() + timedelta(seconds=20)  # noqa: E731
    assert retry_pending(state.gateway, state.session_factory, later) == 0
    assert statuses(db_engine) == ["sent", "failed", "sent"]
    assert texts_of(line_api, chat) == shown + [text_of(m) for m in respondent]


def test_a_killed_sending_process_is_replaced_before_the_next_reply(app, line_user, db_engine):
    chat = line_user()
    chat.follow()
    sender = app_state(app).sender
    killed = sender.pid
    os.kill(killed, signal.SIGKILL)  # and nobody writes: the watchdog must notice (the new process sweeps)
    wait_until(lambda: sender.pid not in (0, killed) and alive(sender.pid), 6, "a new sending process")


def test_the_sending_process_keeps_none_of_its_parent_s_connections(app, line_user, db_engine):
    line_user().follow()  # the app's own connections are open
    own = sockets_of(os.getpid())
    assert own, "the test process holds sockets (its database and fake LINE connections)"
    assert not own & sockets_of(app_state(app).sender.pid)


def sockets_of(pid: int) -> set[str]:
    """The sockets a process holds (socket:[inode])."""
    found = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found

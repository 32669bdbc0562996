"""Replies reach the chat exactly once when LINE's answer or the request itself is lost."""

from __future__ import annotations

import time

from sqlalchemy import select

from bot.state import app_state
from storage.models import OutboxMessage


def outbox_statuses(engine) -> list[str]:  # type: ignore[no-untyped-def]
    """The status of every outbox row."""
    with engine.connect() as connection:
        return list(connection.execute(select(OutboxMessage.status)).scalars())


def test_a_reply_whose_answer_was_lost_is_shown_once(app, line_user, line_api, db_engine):
    chat = line_user()
    line_api.stall_next("reply", 2.5, deliver=True)  # LINE shows it, its answer is lost (past the bot's timeout)
    chat.follow()
    app_state(app).sender.flush(15)
    assert len(line_api.messages_for(chat.user_id)) == 1
    assert outbox_statuses(db_engine) == ["sent"]


def test_a_reply_whose_request_was_lost_is_shown_once(app, line_user, line_api, db_engine):
    chat = line_user()
    line_api.stall_next("reply", 2.5, deliver=False)  # the request never reached LINE
    chat.follow()
    app_state(app).sender.flush(15)
    assert len(line_api.messages_for(chat.user_id)) == 1
    assert outbox_statuses(db_engine) == ["sent"]


def test_a_message_its_sender_reached_too_late_is_left_to_the_sweep_and_shown_once(app, line_api, db_engine):
    """A lane far behind (LINE slow for a long while) would race a sweeper for the row: both
    would use the token, and the loser's fallback push would show the reply twice. The lane
    leaves such a row to the sweep, which settles it with its token."""
    from datetime import timedelta

    from bot.delivery.send import HAND_OVER_AFTER, Outgoing, retry_pending
    from storage.db import transaction
    from storage.outbox import add_outgoing

    state = app_state(app)
    chat_id = "U" + "5" * 32
    token = line_api.issue_reply_token(chat_id)
    messages = [{"type": "text", "text": "คำถามถัดไป"}]
    with transaction(state.session_factory) as session:
        outbox_id, retry_key = add_outgoing(session, chat_id, token, messages, state.processor.clock())
    state.sender.submit([Outgoing(outbox_id, retry_key, chat_id, token, messages, queued_at=time.monotonic() - HAND_OVER_AFTER - 1)])
    state.sender.flush()
    assert line_api.calls("reply") == [] and outbox_statuses(db_engine) == ["pending"]
    later = lambda: state.processor.clock() + timedelta(seconds=20)  # noqa: E731  (past RETRY_AFTER, the token still good)
    assert retry_pending(state.gateway, state.session_factory, later) == 1
    assert [m.message["text"] for m in line_api.messages_for(chat_id)] == ["คำถามถัดไป"]
    assert [call.status for call in line_api.calls("reply")] == [200] and line_api.calls("push") == []

"""Replies reach the chat exactly once when LINE's answer or the request itself is lost."""

from __future__ import annotations

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

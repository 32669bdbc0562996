"""Rows a killed sender left pending: settled once with their reply token, stale answers never sent late."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.delivery.send import retry_pending
from bot.state import app_state
from storage.models import OutboxMessage


def age_outbox(engine, seconds: int, **values) -> None:  # type: ignore[no-untyped-def]
    """Make every outbox row `seconds` older and set `values`, as a sender killed after (or before) its call leaves it."""
    with engine.begin() as connection:
        for row_id, created in connection.execute(select(OutboxMessage.id, OutboxMessage.created_at)).all():
            connection.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(created_at=created - timedelta(seconds=seconds), **values))


def statuses(engine) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    """Status and error of every outbox row, oldest first."""
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(OutboxMessage.status, OutboxMessage.last_error).order_by(OutboxMessage.id))]


def retry(app) -> int:  # type: ignore[no-untyped-def]
    """One retry pass of the app's outbox, now."""
    state = app_state(app)
    return retry_pending(state.gateway, state.session_factory, state.processor.clock)


def test_a_reply_sent_by_a_killed_worker_is_not_shown_again(app, line_user, line_api, db_engine):
    chat = line_user()
    chat.follow()  # delivered by reply; the worker "dies" before recording it:
    app_state(app).sender.flush()
    with db_engine.connect() as connection:
        assert connection.execute(select(OutboxMessage.messages)).scalar_one() is None  # recorded: texts dropped
    # Recreate the unrecorded state: pending, never attempted, texts present.
    messages = [{"type": "text", "text": m.message["text"]} for m in line_api.messages_for(chat.user_id)]
    with db_engine.begin() as connection:
        connection.execute(update(OutboxMessage).values(messages=messages))
    age_outbox(db_engine, 20, status="pending", attempts=0, sent_at=None)
    retry(app)
    assert len(line_api.messages_for(chat.user_id)) == 1
    assert statuses(db_engine) == [("sent", None)]


def test_a_reply_a_killed_worker_never_sent_arrives_once(app, line_user, line_api, db_engine):
    chat = line_user()
    line_api.fail_next("reply", 500)  # stands for "never sent": the row stays pending
    line_api.fail_next("push", 500)
    chat.follow()
    app_state(app).sender.flush()
    assert line_api.messages_for(chat.user_id) == []
    age_outbox(db_engine, 20, attempts=0, last_error=None)  # as if nothing had been recorded either
    retry(app)
    retry(app)
    assert len(line_api.messages_for(chat.user_id)) == 1
    assert statuses(db_engine)[0][0] == "sent"


def test_an_answer_the_dialog_moved_past_is_never_sent_late(app, line_user, line_api, db_engine):
    chat = line_user()
    line_api.fail_next("reply", 500)
    line_api.fail_next("push", 500)
    chat.follow()  # its greeting stays pending
    chat.say("ช่วยเหลือ")  # a newer answer reaches the chat
    app_state(app).sender.flush()
    before = len(line_api.messages_for(chat.user_id))
    age_outbox(db_engine, 120)
    retry(app)
    assert len(line_api.messages_for(chat.user_id)) == before
    assert statuses(db_engine)[0] == ("failed", "superseded")

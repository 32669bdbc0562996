"""The webhook as LINE uses it: signatures, verification, greetings, redelivery, odd events."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import LineUser, OutboxMessage, ProcessedEvent
from tests.support import webhooks
from tests.support.line_chat import dump


def count(engine, model) -> int:  # type: ignore[no-untyped-def]
    """Rows in a table."""
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def test_wrong_signature_is_refused_and_nothing_stored(line_user, line_api, db_engine):
    chat = line_user()
    answer = chat.post_body(webhooks.body_of(webhooks.follow_event(chat.user_id, "token")), signature="AAAA")
    assert answer.status == 400
    assert answer.messages == []
    assert count(db_engine, ProcessedEvent) == 0
    assert count(db_engine, LineUser) == 0


def test_missing_signature_is_refused(client):
    response = client.post("/callback", data=b'{"destination":"U0","events":[]}', headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_body_signed_with_another_secret_is_refused(line_user):
    chat = line_user()
    body = webhooks.body_of(webhooks.text_event(chat.user_id, "token", "สวัสดี"))
    forged = webhooks.sign(webhooks.encode(body), "not-our-channel-secret")
    assert chat.post_body(body, signature=forged).status == 400


def test_line_verification_call_gets_200(line_user, line_api):
    answer = line_user().post_body(webhooks.body_of())
    assert answer.status == 200
    assert line_api.requests == []


def test_follow_gets_thai_greeting_with_next_step(line_user, db_engine):
    chat = line_user()
    answer = chat.follow()
    assert answer.status == 200, dump(answer)
    assert len(answer.messages) == 1
    assert "ยินดีต้อนรับสู่ระบบสำรวจข้อมูลครัวเรือน ThaiQM" in answer.text
    assert "รหัสเชิญ" in answer.text
    assert answer.buttons == ["ลงทะเบียน", "วิธีใช้"]
    with db_engine.connect() as connection:
        user = connection.execute(select(LineUser).where(LineUser.line_user_id == chat.user_id)).one()
    assert user.active and user.followed_at is not None


def test_redelivered_event_is_acknowledged_but_not_answered_again(line_user, line_api, db_engine):
    chat = line_user()
    first = chat.follow()
    assert len(first.messages) == 1
    again = chat.redeliver()
    assert again.status == 200
    assert again.messages == []
    assert len(line_api.calls("reply")) == 1
    assert count(db_engine, ProcessedEvent) == 1


def test_same_event_twice_in_one_body_is_handled_once(line_user, line_api):
    chat = line_user()
    event = webhooks.text_event(chat.user_id, line_api.issue_reply_token(chat.user_id), "วิธีใช้")
    answer = chat.send(event, event)
    assert answer.status == 200
    assert len(answer.messages) == 1


def test_unfollow_marks_user_inactive_and_follow_restores(line_user, line_api, db_engine):
    chat = line_user()
    chat.follow()
    assert chat.unfollow().messages == []
    with db_engine.connect() as connection:
        assert connection.execute(select(LineUser.active).where(LineUser.line_user_id == chat.user_id)).scalar_one() is False
    chat.send(webhooks.follow_event(chat.user_id, line_api.issue_reply_token(chat.user_id), unblocked=True))
    with db_engine.connect() as connection:
        assert connection.execute(select(LineUser.active).where(LineUser.line_user_id == chat.user_id)).scalar_one() is True


def test_help_lists_what_to_do(line_user):
    answer = line_user().say("วิธีใช้")
    assert "วิธีใช้งานบัญชี LINE นี้" in answer.text
    assert "ลงทะเบียน" in answer.text


def test_unknown_text_gets_polite_thai_answer(line_user):
    answer = line_user().say("asdf qwer")
    assert answer.texts == ["ขออภัย ระบบไม่เข้าใจข้อความนี้ กรุณากดปุ่มด้านล่าง หรือพิมพ์ “วิธีใช้”"]
    assert answer.buttons == ["ลงทะเบียน", "วิธีใช้"]


def test_sticker_gets_polite_thai_answer(line_user):
    answer = line_user().send_sticker()
    assert answer.texts[0].startswith("ขออภัย ระบบยังรับสติกเกอร์")


def test_every_media_kind_gets_polite_thai_answer(line_user):
    chat = line_user()
    for media_type, word in [("image", "รูปภาพ"), ("video", "วิดีโอ"), ("audio", "ข้อความเสียง"), ("file", "ไฟล์")]:
        answer = chat.send_media(media_type)
        assert answer.status == 200
        assert answer.texts[0].startswith(f"ขออภัย ระบบยังรับ{word}"), dump(answer)


def test_location_outside_a_question_gets_polite_answer(line_user):
    answer = line_user().send_location()
    assert answer.texts[0].startswith("ขออภัย ระบบยังรับตำแหน่งที่ตั้ง")


def test_stale_postback_says_button_no_longer_works(line_user):
    answer = line_user().tap("action=old&step=7")
    assert "ปุ่มนี้ไม่สามารถใช้งานได้แล้ว" in answer.text


def test_event_type_the_sdk_does_not_know_gets_polite_answer(line_user, line_api):
    chat = line_user()
    event = webhooks.base_event("message", chat.user_id, line_api.issue_reply_token(chat.user_id))
    event["message"] = {"id": "1", "type": "hologram"}
    raw = webhooks.encode(webhooks.body_of(event))
    status = chat.post(raw, {"Content-Type": "application/json", "X-Line-Signature": webhooks.sign(raw, chat.secret)})
    assert status == 200
    assert "ระบบยังไม่รองรับรายการนี้" in line_api.messages_for(chat.user_id)[0].message["text"]


def test_group_chat_is_told_to_use_one_to_one_chat(line_user, line_api):
    chat = line_user()
    event = webhooks.text_event(chat.user_id, line_api.issue_reply_token("C" + "a" * 32), "สวัสดี")
    event["source"] = {"type": "group", "groupId": "C" + "a" * 32, "userId": chat.user_id}
    chat.send(event)
    assert "ใช้งานได้เฉพาะในแชตส่วนตัว" in line_api.messages_for("C" + "a" * 32)[0].message["text"]


def test_expired_reply_token_falls_back_to_push_once(line_user, line_api, db_engine):
    chat = line_user()
    token = line_api.issue_reply_token(chat.user_id)
    line_api.expire_reply_token(token)
    answer = chat.send(webhooks.follow_event(chat.user_id, token))
    assert "ยินดีต้อนรับ" in answer.text
    assert [r.status for r in line_api.calls("reply")] == [400]
    assert [r.status for r in line_api.calls("push")] == [200]
    assert line_api.calls("push")[0].headers.get("X-Line-Retry-Key")
    with db_engine.connect() as connection:
        assert connection.execute(select(OutboxMessage.status)).scalars().all() == ["sent"]


def test_line_down_keeps_message_pending_then_retry_delivers_it_once(app, line_user, line_api, db_engine):
    from bot.delivery.send import retry_pending

    chat = line_user()
    line_api.fail_next("reply", 500)
    line_api.fail_next("push", 500)
    answer = chat.follow()
    assert answer.status == 200
    assert answer.messages == []
    with db_engine.connect() as connection:
        assert connection.execute(select(OutboxMessage.status)).scalars().all() == ["pending"]
    state = app.extensions["thaiqm"]
    later = lambda: state.processor.clock() + __import__("datetime").timedelta(minutes=2)  # noqa: E731  (past the 90 s wait)
    assert retry_pending(state.gateway, state.session_factory, later) == 1
    assert retry_pending(state.gateway, state.session_factory, later) == 0
    messages = line_api.messages_for(chat.user_id)
    assert len(messages) == 1 and "ยินดีต้อนรับ" in messages[0].message["text"]


def test_retry_after_lost_acknowledgement_is_not_delivered_twice(app, line_user, line_api, db_engine):
    """LINE took the push but our record of it failed: the retry key makes LINE answer 409."""
    from bot.delivery.send import Outgoing, send

    chat = line_user()
    state = app.extensions["thaiqm"]
    from bot.line.messages import to_line_messages
    from bot.chat.replies import Text

    outgoing = Outgoing(1, "123e4567-e89b-12d3-a456-426614174000", chat.user_id, None, to_line_messages([Text("ทดสอบ")]))
    assert send(state.gateway, outgoing).value == "sent"
    assert send(state.gateway, outgoing).value == "sent"
    assert [r.status for r in line_api.calls("push")] == [200, 409]
    assert len(line_api.messages_for(chat.user_id)) == 1


def test_handler_bug_is_answered_with_apology_and_other_events_still_handled(line_user, line_api, monkeypatch, caplog):
    from bot.handlers import conversation

    def broken(ctx, typed):  # type: ignore[no-untyped-def]
        raise ValueError(f"boom with {typed}")

    chat = line_user()
    monkeypatch.setattr(conversation, "on_text", broken)
    answer = chat.send(
        webhooks.text_event(chat.user_id, line_api.issue_reply_token(chat.user_id), "เลขบัตร 1234567890123"),
        webhooks.sticker_event(chat.user_id, line_api.issue_reply_token(chat.user_id)),
    )
    assert answer.status == 200
    assert "ขออภัย ระบบขัดข้องชั่วคราว" in answer.texts[0]
    assert answer.texts[1].startswith("ขออภัย ระบบยังรับสติกเกอร์")
    assert "1234567890123" not in caplog.text
    assert "ValueError" in caplog.text
    # A redelivery of the failed event is not retried into the same bug.
    assert chat.redeliver().messages == []


def test_database_down_before_anything_stored_returns_5xx(app, line_user, line_api, monkeypatch):
    from sqlalchemy.exc import OperationalError

    import bot.processing as processing

    def unreachable(session, *_event):  # type: ignore[no-untyped-def]
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(processing, "claim_event_and_lock_user", unreachable)
    answer = line_user().follow()
    assert answer.status == 503
    assert answer.messages == []


def test_healthz_reports_database(client, app, monkeypatch):
    assert client.get("/healthz").status_code == 200
    import bot.line.webhook as webhook_module

    monkeypatch.setattr(webhook_module, "is_reachable", lambda *_args: False)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_an_event_aborted_by_a_database_deadlock_is_handled_again_and_answered_once(line_user, line_api, db_engine, monkeypatch, caplog):
    from sqlalchemy.exc import OperationalError

    from bot.handlers import conversation

    class DeadlockDetected(Exception):
        pgcode = "40P01"  # as psycopg2 reports PostgreSQL's deadlock

    real_on_text = conversation.on_text
    calls = []

    def collides_once(ctx, typed):  # type: ignore[no-untyped-def]
        replies = real_on_text(ctx, typed)  # its writes are rolled back with the aborted transaction
        calls.append(typed)
        if len(calls) == 1:
            raise OperationalError("UPDATE progress_households", {}, DeadlockDetected("deadlock detected"))
        return replies

    chat = line_user()
    monkeypatch.setattr(conversation, "on_text", collides_once)
    answer = chat.say("วิธีใช้")
    assert answer.status == 200
    assert len(answer.messages) == 1 and "ขออภัย" not in answer.texts[0]
    assert calls == ["วิธีใช้", "วิธีใช้"]
    with db_engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(ProcessedEvent)) == 1
        assert connection.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert "handling it again" in caplog.text
    assert chat.redeliver().messages == []

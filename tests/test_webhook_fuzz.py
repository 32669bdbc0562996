"""Any signed body, whatever its shape: never a 500, and the database stays consistent."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.state import app_state
from storage.models import LineUser, OutboxMessage, ProcessedEvent
from tests.conftest import CHANNEL_SECRET
from tests.support import webhooks
from tests.support.openapi_bodies import WebhookSchema, mutated


@pytest.fixture(scope="module")
def schema(request: pytest.FixtureRequest) -> WebhookSchema:
    """LINE's webhook description from ../shared (skipped where it is absent)."""
    path = request.config.rootpath.parent / "shared" / "line-openapi" / "webhook.yml"
    if not path.is_file():
        pytest.skip("../shared/line-openapi/webhook.yml is not beside the repository")
    return WebhookSchema(path)


def bodies(schema: WebhookSchema) -> st.SearchStrategy[bytes]:
    """Signed-able bodies: LINE-shaped events, mutated ones, odd envelopes and odd JSON."""
    events = st.lists(st.one_of(schema.event(), mutated(schema.event())), max_size=3)
    envelope = st.builds(lambda evs, extra: json.dumps({"destination": webhooks.BOT_DESTINATION, "events": evs} | extra).encode(),
                         events, st.sampled_from([{}, {"destination": None}, {"events2": 1}]))
    odd = st.sampled_from([b"", b"null", b"[]", b'{"events":null}', b'{"events":{}}', b'{"events":[1,"x",null]}',
                           b'{"events":' + b"[" * 5000 + b"]" * 5000 + b"}", b"\xff\xfe", b'{"events":[]}' * 2])
    return st.one_of(envelope, envelope, envelope, odd)


def post(client, raw: bytes):  # type: ignore[no-untyped-def]
    """POST a body signed with the channel secret."""
    headers = {"X-Line-Signature": webhooks.sign(raw, CHANNEL_SECRET), "Content-Type": "application/json"}
    return client.post("/callback", data=raw, headers=headers)


def count(engine, model) -> int:  # type: ignore[no-untyped-def]
    """Rows in a table."""
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def test_no_signed_body_gets_a_500_and_the_data_stays_consistent(app, client, line_api, db_engine, schema, caplog):
    caplog.set_level(logging.INFO)
    posted: list[bytes] = []

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(bodies(schema))
    def check(raw: bytes) -> None:
        response = post(client, raw)
        assert response.status_code in (200, 400), raw[:300]
        posted.append(raw)

    check()
    app_state(app).sender.flush()
    events, outbox, users = count(db_engine, ProcessedEvent), count(db_engine, OutboxMessage), count(db_engine, LineUser)
    # Each stored event belongs to a user, and caused at most one outbox row.
    assert outbox <= events and users <= events
    with db_engine.connect() as connection:
        orphans = connection.execute(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.chat_id.not_in(select(LineUser.line_user_id)))).scalar_one()
    assert orphans == 0
    # Redelivering every body changes nothing and sends nothing.
    sent_before = len(line_api.requests)
    for raw in posted:
        assert post(client, raw).status_code in (200, 400)
    app_state(app).sender.flush()
    assert (count(db_engine, ProcessedEvent), count(db_engine, OutboxMessage)) == (events, outbox)
    assert len(line_api.requests) == sent_before
    # Nothing of a body reached the logs but ids and plain type words.
    for record in caplog.records:
        message = record.getMessage()
        assert "\x00" not in message and "\n\r%s" not in message and "ทำต่อ" not in message
    # And the bot still answers a newcomer.
    chat = webhooks.new_user_id()
    assert post(client, webhooks.encode(webhooks.body_of(webhooks.follow_event(chat, "tok-new")))).status_code == 200
    app_state(app).sender.flush()
    assert any(request.body.get("replyToken") == "tok-new" for request in line_api.requests if isinstance(request.body, dict))

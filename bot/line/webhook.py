"""HTTP endpoints: LINE's webhook and the health check."""

from __future__ import annotations

import functools
import json
import logging

from flask import Blueprint, current_app, request
from linebot.v3.webhook import SignatureValidator

from bot.line.events import from_dict
from bot.state import app_state
from storage.db import is_reachable

log = logging.getLogger(__name__)

webhook = Blueprint("webhook", __name__)


@webhook.post("/callback")
def callback():  # type: ignore[no-untyped-def]
    """Verify the signature, then handle each event; 200 unless the database lost one."""
    state = app_state(current_app)
    body = request.get_data(as_text=True)
    signature = request.headers.get("X-Line-Signature", "")
    if not signature or not _validator(state.config.line_channel_secret).validate(body, signature):
        log.warning("webhook rejected: missing or wrong signature")
        return {"message": "invalid signature"}, 400
    try:
        payload = json.loads(body)
        event_dicts = payload["events"]
        if not isinstance(event_dicts, list):
            raise TypeError("events is not a list")
    except (ValueError, KeyError, TypeError):
        log.warning("webhook rejected: body is not a LINE webhook")
        return {"message": "malformed body"}, 400
    events = [from_dict(data) for data in event_dicts if isinstance(data, dict)]
    if not state.processor.process(events):
        return {"message": "database unavailable, please redeliver"}, 503
    return {}, 200


@webhook.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """200 when the database answers, 503 when it does not."""
    if is_reachable(app_state(current_app).engine):
        return {"status": "ok", "database": "ok"}, 200
    return {"status": "unavailable", "database": "unreachable"}, 503


@functools.cache
def _validator(channel_secret: str) -> SignatureValidator:
    """The channel's signature check (built once per secret)."""
    return SignatureValidator(channel_secret)

"""HTTP endpoints: LINE's webhook and the health check."""

from __future__ import annotations

import functools
import json
import logging

from flask import Blueprint, current_app, request
from linebot.v3.webhook import SignatureValidator

from bot.line.events import from_dict
from bot.line.screening import safe_type, screen
from bot.safe_log import log_failure
from bot.state import app_state
from storage.db import is_infrastructure_error, is_reachable

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
    except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: absurdly nested JSON
        log.warning("webhook rejected: body is not a LINE webhook")
        return {"message": "malformed body"}, 400
    try:
        events = [from_dict(screened) for data in event_dicts if (screened := _screened(data)) is not None]
        if not state.processor.process(events):
            return {"message": "database unavailable, please redeliver"}, 503
    except Exception as error:  # the last net: a signed body LINE would redeliver forever must not 500
        log_failure(log, "webhook", error)
        if is_infrastructure_error(error):
            return {"message": "database unavailable, please redeliver"}, 503
    return {}, 200


def _screened(data: object) -> dict | None:
    """The event made safe, or None (logged with its type only) when it cannot be handled."""
    screened = screen(data)
    if screened is None:
        log.warning("event of type %s ignored: malformed id, source or shape", safe_type(data))
    return screened


@webhook.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """200 when the database answers, 503 when it does not."""
    state = app_state(current_app)
    if is_reachable(state.engine, state.processor.deadline):
        return {"status": "ok", "database": "ok"}, 200
    return {"status": "unavailable", "database": "unreachable"}, 503


@functools.cache
def _validator(channel_secret: str) -> SignatureValidator:
    """The channel's signature check (built once per secret)."""
    return SignatureValidator(channel_secret)

"""Scheduled jobs: messages LINE did not take are pushed later, once."""

from __future__ import annotations

import socket

import flask
import pytest

import bot.jobs
from bot.jobs import make_jobs


def redis_reachable() -> bool:
    """True when a Redis server listens on the default local port."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", 6379)) == 0


def _no_web_app(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise AssertionError("the job worker built a Flask app")


@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_retry_job_pushes_messages_line_refused_earlier(store, config, line_user, line_api, tmp_path, monkeypatch):
    if store == "redis" and not redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    overrides = {"redis_url": "redis://127.0.0.1:6379/15"} if store == "redis" else {"instance_path": str(tmp_path)}
    jobs = make_jobs(config.with_overrides(**overrides))
    chat = line_user()
    line_api.fail_next("reply", 500)
    line_api.fail_next("push", 503)
    assert chat.follow().messages == []
    monkeypatch.setattr(bot.jobs, "RETRY_AFTER_SECONDS", -1)  # as if the 30 seconds had passed
    monkeypatch.setattr(flask.Flask, "__init__", _no_web_app)  # a worker builds its runtime, never an app
    try:
        assert jobs.retry_pending_messages.call_local() == 1
        assert jobs.retry_pending_messages.call_local() == 0
    finally:
        jobs.close()
    texts = [m.message["text"] for m in line_api.messages_for(chat.user_id)]
    assert len(texts) == 1 and texts[0].startswith("ยินดีต้อนรับ")


def test_the_daily_job_prunes_audit_entries_past_retention(config, db_engine, tmp_path):
    from datetime import datetime, timedelta, timezone

    from sqlalchemy.orm import Session

    from storage.models import AuditEntry

    with Session(db_engine) as session, session.begin():
        session.add_all([AuditEntry(action="export", at=datetime.now(timezone.utc) - timedelta(days=days)) for days in (40, 1)])
    jobs = make_jobs(config.with_overrides(instance_path=str(tmp_path), audit_retention_days=30))
    try:
        assert jobs.prune_audit_log.call_local() == 1
        assert jobs.prune_audit_log.call_local() == 0
    finally:
        jobs.close()

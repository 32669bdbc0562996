"""`thaiqm-bot remind --dry-run`, `remind --now` and `push-status`; the pushes run by a separate worker on Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.conftest import ACCESS_TOKEN, CHANNEL_SECRET, DATA_KEY
from tests.support.pushes import bangkok_today, got, push_world
from tests.test_jobs import redis_reachable


@pytest.fixture
def env(database_url, line_api_url):  # type: ignore[no-untyped-def]
    """The environment of a production-shaped deployment against the test database and fake LINE."""
    return {"DATABASE_URL": database_url, "LINE_CHANNEL_SECRET": CHANNEL_SECRET, "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN, "LINE_API_BASE_URL": line_api_url, "DATA_KEY": DATA_KEY}


def invoke(env, *args):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_remind_dry_run_prints_who_would_get_what_and_sends_nothing(env, line_api, db_engine):
    w = push_world(db_engine, bangkok_today(), survey_in=14)
    result = invoke(env, "remind", "--dry-run", "--now")
    assert result.exit_code == 0, result.output
    assert "digest    push      to สมชาย ใจดี: งานของท่านวันนี้: เยี่ยมซ้ำ 2 ครัวเรือน" in result.output
    assert "progress  push      to วันดี มีสุข: สรุปความคืบหน้าประจำวัน" in result.output
    assert "มาลี ไม่มีงาน" not in result.output and "บุญมา" not in result.output
    assert line_api.calls("push") == [] and line_api.calls("multicast") == []
    assert invoke(env, "push-status").output.startswith("no scheduled push recorded on")
    sent = invoke(env, "remind", "--now")
    assert "queued 4, sent 4" in sent.output, sent.output
    status = invoke(env, "push-status").output
    assert "digest    volunteer  สมชาย ใจดี" in status and "sent     attempts 1  key " in status
    assert status.strip().splitlines()[-1].endswith("pushes on " + bangkok_today().isoformat() + ": sent 4")
    assert len(got(line_api, w.chats["busy"]).messages) == 2


def test_report_prints_the_supervisors_progress_with_bars(env, line_api, db_engine):
    push_world(db_engine, bangkok_today())
    output = invoke(env, "report", "--tambon", "401002", "--community", "หนองบัว").output
    assert "ชุมชนหนองบัว" in output and "re-x-ray verified  0/2  [....................]  0%" in output


@pytest.mark.skipif(not os.environ.get("THAIQM_TEST_DATABASE_URL"), reason="the worker process needs a database it can share: the PostgreSQL leg")
def test_a_separate_worker_on_redis_sends_the_due_pushes_once(env, line_api, db_engine, tmp_path):
    if not redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    w = push_world(db_engine, bangkok_today(), survey_in=20)
    name = f"thaiqm-test-{uuid.uuid4().hex[:8]}"
    worker_env = {**os.environ, **env, "REDIS_URL": "redis://127.0.0.1:6379/15", "THAIQM_JOBS_NAME": name, "THAIQM_INSTANCE_PATH": str(tmp_path)}
    # Two workers on one queue; the pushes are enqueued as a job, as the periodic task does.
    workers = [subprocess.Popen([sys.executable, "-m", "bot.cli", "worker", "--workers", "1"], env=worker_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
    try:
        from bot.config import Config
        from bot.jobs import make_jobs

        config = Config.from_env(worker_env)
        jobs = make_jobs(config)
        for _ in range(3):
            jobs.huey.enqueue(jobs.send_scheduled_pushes.s(True))  # now, whatever the hour
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not got(line_api, w.chats["busy"]).messages:
            time.sleep(0.2)
        time.sleep(3)  # the other two runs, and any duplicate, would have arrived by now
    finally:
        for worker in workers:
            worker.terminate()
        errors = [worker.communicate(timeout=10)[1].decode(errors="replace") for worker in workers]
    assert [m["type"] for m in got(line_api, w.chats["busy"]).messages] == ["flex"], errors  # the digest, once
    assert [m["type"] for m in got(line_api, w.chats["supervisor"]).messages] == ["flex"]  # the progress, once
    assert got(line_api, w.chats["idle"]).messages == []

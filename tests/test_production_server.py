"""The bot as production runs it: gunicorn workers, real LINE credentials, the CLI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import DATA_KEY, ACCESS_TOKEN, CHANNEL_SECRET
from tests.support import webhooks
from tests.support.line_chat import LineChat, http_poster, outbox_flush

BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 20) -> None:
    """Wait until a URL answers 200, failing early if the process died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}: {process.stderr.read() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {seconds}s")


@pytest.fixture
def gunicorn_url(database_url, line_api_url):  # type: ignore[no-untyped-def]
    """`gunicorn 'bot.app:create_app()'` with two workers, configured only through the environment."""
    port = free_port()
    env = dict(
        os.environ,
        LINE_CHANNEL_SECRET=CHANNEL_SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN,
        LINE_API_BASE_URL=line_api_url,
        DATABASE_URL=database_url,
        DATA_KEY=DATA_KEY,
    )
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "bot.app:create_app()"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_gunicorn_serves_the_webhook_like_production(gunicorn_url, line_api, db_engine):
    chat = LineChat(http_poster(gunicorn_url, outbox_flush(db_engine)), CHANNEL_SECRET, line_api)
    bad = chat.post_body(webhooks.body_of(webhooks.follow_event(chat.user_id, "t")), signature="d3Jvbmc=")
    assert bad.status == 400
    assert chat.post_body(webhooks.body_of()).status == 200
    greeting = chat.follow()
    assert greeting.status == 200
    assert "ยินดีต้อนรับสู่ระบบสำรวจข้อมูลครัวเรือน ThaiQM" in greeting.text
    assert greeting.buttons == ["ลงทะเบียน", "วิธีใช้"]
    again = chat.redeliver()
    assert again.status == 200
    assert again.messages == []
    assert len(line_api.calls("reply")) == 1


# The commands below run in a fresh environment, never on the test database: marked once,
# they run on the SQLite run only.


def run_cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the thaiqm-bot command with a given environment."""
    return subprocess.run([str(BIN / "thaiqm-bot"), *args], env=env, capture_output=True, text=True, timeout=timeout)


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh machine: no LINE or database settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "DATABASE_URL", "THAIQM_"))}
    env.update(THAIQM_INSTANCE_PATH=str(tmp_path / "instance"), **extra)
    return env


@pytest.mark.once
def test_secret_without_token_stops_with_one_clear_line(tmp_path):
    result = run_cli("serve", env=clean_env(tmp_path, LINE_CHANNEL_SECRET="abc"))
    assert result.returncode != 0
    assert "LINE_CHANNEL_ACCESS_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.once
def test_malformed_database_url_stops_with_one_clear_line(tmp_path):
    result = run_cli("db", "upgrade", env=clean_env(tmp_path, DATABASE_URL="not a url"))
    assert result.returncode != 0
    assert "DATABASE_URL is not a database URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.once
def test_unreachable_database_stops_with_one_clear_line(tmp_path):
    port = free_port()
    result = run_cli("db", "upgrade", env=clean_env(tmp_path, DATABASE_URL=f"postgresql://nobody@127.0.0.1:{port}/none"))
    assert result.returncode != 0
    assert "cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.once
def test_db_upgrade_creates_the_sqlite_default_in_instance(tmp_path):
    result = run_cli("db", "upgrade", env=clean_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "instance" / "thaiqm.db").is_file()


@pytest.mark.once
def test_serve_without_credentials_runs_in_announced_local_mode(tmp_path):
    bot_port, line_port = free_port(), free_port()
    env = clean_env(tmp_path, THAIQM_LOCAL_LINE_PORT=str(line_port))
    process = subprocess.Popen(
        [str(BIN / "thaiqm-bot"), "serve", "--port", str(bot_port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for(f"http://127.0.0.1:{bot_port}/healthz", process)
        # A user of the local mode: sign with the announced development secret, read the stand-in.
        from bot.config import LOCAL_CHANNEL_SECRET

        user_id = webhooks.new_user_id()
        token_request = urllib.request.Request(f"http://127.0.0.1:{line_port}/_standin/reply-token/{user_id}", method="POST")
        with urllib.request.urlopen(token_request) as response:
            token = json.load(response)["replyToken"]
        raw = webhooks.encode(webhooks.body_of(webhooks.follow_event(user_id, token)))
        post = http_poster(f"http://127.0.0.1:{bot_port}", flush=lambda: None)  # the loop below waits for the reply
        assert post(raw, {"Content-Type": "application/json", "X-Line-Signature": webhooks.sign(raw, LOCAL_CHANNEL_SECRET)}) == 200
        messages: list = []
        deadline = time.monotonic() + 5  # the reply goes out just after the webhook is answered
        while not messages and time.monotonic() < deadline:
            time.sleep(0.05)
            with urllib.request.urlopen(f"http://127.0.0.1:{line_port}/_standin/messages/{user_id}") as response:
                messages = json.load(response)["messages"]
        assert "ยินดีต้อนรับ" in messages[0]["message"]["text"]
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert "LOCAL MODE" in out
    assert LOCAL_CHANNEL_SECRET in out

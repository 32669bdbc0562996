"""A busy port stops `thaiqm-bot serve`/`demo` with one line naming the setting that moves it."""

from __future__ import annotations

import socket

import pytest

from tests.test_production_server import clean_env, free_port, run_cli

pytestmark = pytest.mark.once  # each run uses its own SQLite file, whatever the test database


@pytest.fixture
def busy_port():  # type: ignore[no-untyped-def]
    """A port another program listens on."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        yield taken.getsockname()[1]


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_busy_stand_in_port_names_thaiqm_local_line_port(command, busy_port, tmp_path):
    result = run_cli(command, "--port", str(free_port()), env=clean_env(tmp_path, THAIQM_LOCAL_LINE_PORT=str(busy_port)))
    assert result.returncode != 0
    assert f"cannot start the local LINE stand-in on port {busy_port}" in result.stderr
    assert "set THAIQM_LOCAL_LINE_PORT to a free port" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_busy_bot_port_names_the_port_option_before_anything_starts(command, busy_port, tmp_path):
    result = run_cli(command, "--port", str(busy_port), env=clean_env(tmp_path, THAIQM_LOCAL_LINE_PORT=str(free_port())))
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{busy_port}" in result.stderr
    assert "another program uses it; stop that program or choose another port with --port" in result.stderr
    assert "Traceback" not in result.stderr
    assert "LOCAL MODE" not in result.stdout  # stopped before the stand-in or the demo data

"""The bot installed from its wheel, as a municipality installs it: nothing read from the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from tests.conftest import ACCESS_TOKEN, CHANNEL_SECRET, DATA_KEY
from tests.support.line_chat import LineChat, http_poster, outbox_flush
from tests.test_production_server import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "storage")
# What the bot reads at run time; named so a failure says which one the wheel lost.
RUNTIME_FILES = (
    "bot/forms/thaiqm-2566.yaml",
    "bot/locales/th/LC_MESSAGES/messages.po",
    "bot/data/areas.csv",
    "bot/local/emulator/static/index.html",
    "storage/migrations/env.py",
    "storage/migrations/script.py.mako",
    "storage/migrations/versions/0001_line_users_processed_events_outbox.py",
)
# Left out of the copy the wheel is built from: a stale build/ would put files in the
# wheel that the project no longer ships, hiding exactly the gap this test looks for.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info", "instance", "test-artifacts", "__pycache__", "*.pyc", ".hypothesis")

pytestmark = pytest.mark.once


@dataclass(frozen=True)
class Installed:
    """A virtual environment outside the source tree with the wheel installed."""

    wheel: Path
    bin: Path
    home: Path  # a working folder outside the source tree

    def env(self, **settings: str) -> dict[str, str]:
        """A fresh machine's environment plus the given settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "DATABASE_URL", "DATA_KEY", "THAIQM_", "PYTHON", "VIRTUAL_ENV"))}
        env.update(THAIQM_INSTANCE_PATH=str(self.home / "instance"), DATABASE_URL=f"sqlite:///{self.home / 'thaiqm.db'}", DATA_KEY=DATA_KEY, **settings)
        return env

    def run(self, *args: str, **settings: str) -> subprocess.CompletedProcess:
        """Run `thaiqm-bot …` from the installed wheel, in the working folder."""
        return subprocess.run(
            [str(self.bin / "thaiqm-bot"), *args], cwd=self.home, env=self.env(**settings), capture_output=True, text=True, timeout=120
        )


def _checked(command: list[str], cwd: Path) -> None:
    """Run a build step, failing with its output."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel from a clean copy of the project and install it into a new venv (once: it is slow)."""
    base = tmp_path_factory.mktemp("wheel")
    source, wheels, venv, home = base / "source", base / "wheels", base / "venv", base / "home"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    _checked([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), "."], source)
    (wheel,) = wheels.glob("thaiqm_bot-*.whl")
    _checked([sys.executable, "-m", "venv", str(venv)], base)
    # Dependencies come from the package index; pip's own cache makes a repeat quick.
    _checked([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], base)
    home.mkdir()
    return Installed(wheel, venv / "bin", home)


def test_the_wheel_carries_every_file_of_its_packages(installed):
    shipped = set(zipfile.ZipFile(installed.wheel).namelist())
    in_tree = {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert sorted(set(RUNTIME_FILES) - shipped) == []
    assert sorted(in_tree - shipped) == []


def test_installed_bot_imports_from_the_venv_not_the_source_tree(installed):
    result = subprocess.run(
        [str(installed.bin / "python"), "-c", "import bot, storage; print(bot.__file__); print(storage.__file__)"],
        cwd=installed.home, env=installed.env(), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    for line in result.stdout.split():
        assert Path(line).is_relative_to(installed.bin.parent), line


def test_installed_wheel_migrates_greets_a_new_friend_and_publishes_menus(installed, line_api, line_api_url):
    upgraded = installed.run("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "database is at the current schema" in upgraded.stdout

    port = free_port()
    env = installed.env(LINE_CHANNEL_SECRET=CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN, LINE_API_BASE_URL=line_api_url)
    server = subprocess.Popen(
        [str(installed.bin / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}", "bot.app:create_app()"],
        cwd=installed.home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server, seconds=60)
        # The replies go out from the server's outbox, in its own database.
        outbox = create_engine(env["DATABASE_URL"])
        greeting = LineChat(http_poster(f"http://127.0.0.1:{port}", outbox_flush(outbox)), CHANNEL_SECRET, line_api).follow()
        outbox.dispose()
    finally:
        server.terminate()
        _out, errors = server.communicate(timeout=20)
    assert greeting.status == 200, errors[-3000:]
    assert "ยินดีต้อนรับสู่ระบบสำรวจข้อมูลครัวเรือน ThaiQM" in greeting.text
    assert greeting.buttons == ["ลงทะเบียน", "วิธีใช้"]

    published = installed.run("richmenu", LINE_CHANNEL_SECRET=CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN, LINE_API_BASE_URL=line_api_url)
    assert published.returncode == 0, published.stderr
    assert "created rich menus for" in published.stdout
    menus = {body["name"]: menu_id for menu_id, body in line_api.rich_menus.items()}
    assert set(menus) == {"thaiqm-guest", "thaiqm-volunteer", "thaiqm-supervisor", "thaiqm-admin", "thaiqm-household", "thaiqm-volunteer_rexray"}
    assert set(line_api.rich_menu_images) == set(menus.values())
    volunteer_menu = line_api.rich_menus[menus["thaiqm-volunteer"]]
    assert [a["action"]["text"] for a in volunteer_menu["areas"]] == ["สำรวจ", "ทำต่อ", "รายการของฉัน", "วิธีใช้"]

"""A throwaway PostgreSQL cluster a test starts itself (initdb in a temporary folder, a free port) and can freeze."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def free_port() -> int:
    """A TCP port free on the loopback interface now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """One postgres process group on 127.0.0.1: start, freeze (SIGSTOP), thaw, stop."""

    def __init__(self) -> None:
        # Its own folder, not pytest's: the postgres account cannot enter root's private tmp tree.
        self.folder = Path(tempfile.mkdtemp(prefix="thaiqm-pg-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # initdb and postgres refuse to run as root: run them as the postgres account then.
        self._user = "postgres" if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        """The URL of its postgres database."""
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> "Cluster":
        """initdb and start the server; returns once it accepts connections."""
        data = self.folder / "data"
        if self._user:
            account = pwd.getpwnam(self._user)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self._run([shutil.which("initdb") or "initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        command = [shutil.which("postgres") or "postgres", "-D", str(data), "-p", str(self.port), "-k", str(self.folder),
                   "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]
        self.process = subprocess.Popen(self._as_user(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    time.sleep(0.3)  # the port opens just before the server takes logins
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the test cluster did not start")

    def freeze(self) -> None:
        """Stop every process of the cluster (it stays connected but answers nothing)."""
        for pid in self._processes():  # the postmaster first: it forks no new backend then
            _signal(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        """Let it run again."""
        for pid in self._processes():
            _signal(pid, signal.SIGCONT)

    def stop(self) -> None:
        """Thaw, shut it down and remove its files."""
        if self.process is None:
            shutil.rmtree(self.folder, ignore_errors=True)
            return
        self.thaw()
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def _processes(self) -> list[int]:
        """The cluster's processes, parents before children (each backend is its own session: no group signal)."""
        assert self.process is not None
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(parent, []).append(int(entry.name))
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop(0)
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def _as_user(self, command: list[str]) -> list[str]:
        """The command run as the cluster's account."""
        return ["runuser", "-u", self._user, "--", *command] if self._user else command

    def _run(self, command: list[str]) -> None:
        subprocess.run(self._as_user(command), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


def own_cluster() -> Cluster:
    """A started cluster, or a skip saying why there can be none."""
    if not os.environ.get("THAIQM_TEST_DATABASE_URL", "").strip():
        pytest.skip("a frozen PostgreSQL is tested on the PostgreSQL run")
    if shutil.which("initdb") is None or shutil.which("postgres") is None:
        pytest.skip("initdb is not installed: no throwaway PostgreSQL cluster to freeze")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: initdb would refuse")
    cluster = Cluster()
    try:
        return cluster.start()
    except BaseException:
        cluster.stop()
        raise


def _signal(pid: int, number: int) -> None:
    """Signal a process of the cluster; one that ended since it was listed (a closed connection's backend) needs none."""
    try:
        os.kill(pid, number)
    except ProcessLookupError:
        pass

"""A gunicorn worker SIGKILLed while its replies are on their way: nothing lost, nothing twice, nothing late.

On PostgreSQL each worker hands its replies to a sending process of its own (bot/delivery/child.py).
Killed alone, the worker leaves that process to send what it holds. Killed with it, the
worker had committed three volunteers' answers and the replies were on their way: LINE had
shown the first (its answer was lost), had not received the second, and the third. The first
volunteer goes on at once, the second waits, the third types again. Gunicorn starts a new
worker, whose outbox sweep settles what the killed ones left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

import pytest
from sqlalchemy import func, select

from storage.models import OutboxMessage
from tests.conftest import ACCESS_TOKEN, CHANNEL_SECRET, DATA_KEY
from tests.support.line_chat import LineChat
from tests.support.survey import make_volunteer
from tests.test_lossy_line import shown
from tests.test_production_server import BIN, free_port, wait_for

# About 45 s (a sweep waits 15 s before it takes a row over): run once, on the PostgreSQL leg (production's database).
pytestmark = pytest.mark.skipif(not os.environ.get("THAIQM_TEST_DATABASE_URL", "").strip(), reason="slow: runs on the PostgreSQL run only")

START = ["สำรวจ", "1", "1", "วันนี้", "ข้าม"]


def wait_until(condition: Callable[[], object], seconds: float, what: str) -> None:
    """Poll until the condition holds; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:g}s: {what}")
        time.sleep(0.05)


@pytest.fixture
def server(database_url, line_api_url, tmp_path):  # type: ignore[no-untyped-def]
    """gunicorn with one sync worker (as small servers run it); yields its URL and master process."""
    port = free_port()
    env = dict(os.environ, LINE_CHANNEL_SECRET=CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN, LINE_API_BASE_URL=line_api_url,
               DATABASE_URL=database_url, DATA_KEY=DATA_KEY, THAIQM_INSTANCE_PATH=str(tmp_path))
    process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}", "bot.app:create_app()"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process, 60)  # a busy machine starts it slowly
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.wait(10)


def worker_of(master: subprocess.Popen) -> int | None:
    """The pid of the master's (only) worker; None while it has none."""
    children = children_of(master.pid)
    return children[0] if len(children) == 1 else None


def children_of(pid: int) -> list[int]:
    """The pids of a process's children, whichever of its threads started them (a worker's: its sending process)."""
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()]


def alive(pid: int) -> bool:
    """True while the process exists and has not exited (a zombie has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def chat_over_http(url: str, line_api, user_id: str, wait: bool = True) -> LineChat:  # type: ignore[no-untyped-def]
    """A volunteer posting to the server; with `wait`, each post returns once a reply reached the chat."""

    def post(body: bytes, headers: dict[str, str]) -> int:
        before = line_api.last_seq()
        request = urllib.request.Request(f"{url}/callback", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if wait:
            wait_until(lambda: line_api.messages_for(user_id, since=before), 10, "a reply")
        return status

    return LineChat(post, CHANNEL_SECRET, line_api, user_id)


def shown_to(line_api, chat: LineChat) -> list[str]:  # type: ignore[no-untyped-def]
    """Every message the chat has shown, digits masked."""
    return [shown(m.message) for m in line_api.messages_for(chat.user_id)]


def test_a_worker_killed_alone_leaves_its_replies_to_its_sending_process_shown_once(server, line_api, db_engine):
    url, master = server
    municipality = make_volunteer(db_engine, "U" + "0" * 32)["municipality_id"]
    control = chat_over_http(url, line_api, "U" + "0" * 32)
    steps = [[shown(m) for m in control.say(text).messages] for text in [*START, "12/3"]]
    before_kill, house_no_reply = [text for step in steps[:5] for text in step], steps[5]
    chats = [chat_over_http(url, line_api, f"U{n}" + "0" * 31) for n in (5, 6)]
    for chat in chats:
        make_volunteer(db_engine, chat.user_id, municipality_id=municipality)
        for text in START:
            chat.say(text)
    # Both replies hang at LINE while the worker is killed; the first is then shown, the second lost and sent again.
    line_api.stall_next("reply", 2.0, deliver=True)
    line_api.stall_next("reply", 2.0, deliver=False)
    for number, chat in zip((5, 6), chats):
        assert chat_over_http(url, line_api, chat.user_id, wait=False).say(f"{number}2/3").status == 200
    time.sleep(0.3)  # the replies are on their way, in the sending process
    killed = worker_of(master)
    (sending,) = children_of(killed)
    os.kill(killed, signal.SIGKILL)
    wait_until(lambda: worker_of(master) not in (None, killed), 20, "a new worker")

    for chat in chats:
        wait_until(lambda chat=chat: len(shown_to(line_api, chat)) == len(before_kill) + len(house_no_reply), 10, "the reply, from the sending process")
    with db_engine.connect() as connection:
        wait_until(lambda: connection.execute(select(func.count()).where(OutboxMessage.status != "sent")).scalar_one() == 0, 10, "every row recorded sent")
    wait_until(lambda: not alive(sending), 10, "the sending process ended after its worker")
    time.sleep(0.5)  # a repeated reply would show by now
    for chat in chats:
        assert shown_to(line_api, chat) == before_kill + house_no_reply


def test_a_worker_killed_with_its_sending_process_loses_nothing_and_repeats_nothing(server, line_api, db_engine):
    url, master = server
    municipality = make_volunteer(db_engine, "U" + "0" * 32)["municipality_id"]
    control = chat_over_http(url, line_api, "U" + "0" * 32)
    steps = [[shown(m) for m in control.say(text).messages] for text in [*START, "12/3", "ย้อนกลับ"]]
    before_kill, house_no_reply, after_back = steps[:5], steps[5], steps[6]

    chats = [chat_over_http(url, line_api, f"U{n}" + "0" * 31) for n in (1, 2, 3)]
    for chat in chats:
        make_volunteer(db_engine, chat.user_id, municipality_id=municipality)
        for text in START:
            chat.say(text)
    # The replies to the next answers hang at LINE: the first is shown (its answer is lost), the others are not.
    line_api.stall_next("reply", 3.0, deliver=True)
    line_api.stall_next("reply", 3.0, deliver=False, times=2)
    quiet = [chat_over_http(url, line_api, chat.user_id, wait=False) for chat in chats]
    # Each types a house number of their own (the same one would bring the duplicate warning).
    assert quiet[0].say("22/3").status == 200
    wait_until(lambda: len(shown_to(line_api, chats[0])) > sum(map(len, before_kill)), 5, "the first reply shown")
    for number, chat in ((3, quiet[1]), (4, quiet[2])):
        assert chat.say(f"{number}2/3").status == 200  # committed: LINE gets 200 and will not redeliver
    time.sleep(0.3)  # the replies are on their way
    killed = worker_of(master)
    for pid in [*children_of(killed), killed]:  # the sending process first: it would send what it holds
        os.kill(pid, signal.SIGKILL)
    wait_until(lambda: worker_of(master) not in (None, killed), 20, "a new worker")
    wait_for(f"{url}/healthz", master, 60)

    # The first goes on at once; the third, having seen nothing, types the house number again.
    assert [shown(m) for m in chats[0].say("ย้อนกลับ").messages] == after_back
    retyped = [shown(m) for m in chats[2].say("42/3").messages]
    # The second waits: its reply comes from the new worker's sweep, with the token still good.
    wait_until(lambda: len(shown_to(line_api, chats[1])) > sum(map(len, before_kill)), 40, "the second reply, after the sweep")
    with db_engine.connect() as connection:
        try:
            wait_until(lambda: connection.execute(select(func.count()).where(OutboxMessage.status == "pending")).scalar_one() == 0, 40, "no row left pending")
        except AssertionError:
            print([(r.id, r.chat_id[:3], r.status, r.attempts, r.reply_token is not None, r.last_error, r.created_at) for r in connection.execute(select(OutboxMessage))])
            raise
        statuses = dict(connection.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    time.sleep(0.5)  # a late or repeated reply would show by now

    first_part = [text for step in before_kill for text in step]
    assert shown_to(line_api, chats[0]) == first_part + house_no_reply + after_back  # shown once, not again by the sweep
    assert shown_to(line_api, chats[1]) == first_part + house_no_reply  # lost with the worker, then sent once
    # The third's stale reply (a question since answered) was never sent late; its retyped answer got the current question.
    assert shown_to(line_api, chats[2]) == first_part + retyped
    current_question = house_no_reply[-1].splitlines()[1]  # the question after the house number, by its title
    assert current_question in retyped[-1], retyped
    assert statuses.get("uncertain", 0) == 0 and statuses.get("pending", 0) == 0, statuses
    # Every answer is stored: each volunteer resumes where they were.
    for chat in chats:
        assert chat.say("ย้อนกลับ").status == 200

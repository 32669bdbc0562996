"""Benchmark: one survey step (signed webhook in, answer stored, reply out) against an echo bot.

    .venv/bin/python bench/step_benchmark.py [--requests 400] [--database-url URL] [--stored 0,20000]

Both bots run in this process behind Flask's test client (one worker, no HTTP server in
front) and reply through the real line-bot-sdk to the LINE stand-in, which runs in a
separate process so it does not share our interpreter lock. Prints requests per second
and latency percentiles; for our bot also with many rows already stored, to show that a
step's cost does not grow with the data.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from flask import Flask  # noqa: E402

from bench.echo_bot import echo_app as sdk_echo_app  # noqa: E402
from bot.state import close_app  # noqa: E402
from tests.support import webhooks  # noqa: E402

SECRET = "bench-channel-secret"
# Answers stored per pre-filled household (a real one has about 40-80).
ANSWER_CODES = ("consent", "respondent", "survey_date", "house_code", "house_no", "moo", "community", "head_name", "phone", "member_count")
TOKEN = "bench-token"


def echo_app(line_url: str) -> Flask:
    """The yardstick: the SDK's minimal echo bot, sharing one API client as our app does."""
    return sdk_echo_app(SECRET, TOKEN, line_url, client_per_reply=False)


def our_app(line_url: str, database_url: str) -> Flask:
    """Our bot, production-shaped."""
    from bot.app import create_app
    from bot.config import Config
    from storage.crypto import make_key_text
    from storage.migrate import upgrade

    upgrade(database_url)
    # A fresh data key: the step seals the ID and phone answers as production does.
    # The replies are sent from this process's threads (no sending process): their CPU and instructions count.
    return create_app(Config(line_channel_secret=SECRET, line_channel_access_token=TOKEN, database_url=database_url, line_api_base_url=line_url,
                             data_key=make_key_text("bench"), sending_process=False))


def start_line_standin() -> tuple[subprocess.Popen, str]:
    """The LINE stand-in in its own process; returns it and its URL."""
    code = (
        "import sys,time;from bot.local.line_standin import LineStandIn;from bot.local.standin_server import StandInServer;"
        f"s=StandInServer(LineStandIn(access_token={TOKEN!r})).start();print(s.url,flush=True);time.sleep(1e9)"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    url = process.stdout.readline().strip()  # type: ignore[union-attr]
    return process, url


def issue_tokens(line_url: str, user_id: str, count: int) -> list[str]:
    """Reply tokens from the stand-in, fetched before timing starts."""
    tokens = []
    for _ in range(count):
        with urllib.request.urlopen(urllib.request.Request(f"{line_url}/_standin/reply-token/{user_id}", method="POST")) as response:
            tokens.append(json.load(response)["replyToken"])
    return tokens


def run(app: Flask, line_url: str, requests: int, texts: list[str], user_id: str | None = None) -> list[float]:
    """Post signed text events one after another, cycling through texts; return each request's seconds."""
    client = app.test_client()
    user_id = user_id or webhooks.new_user_id()
    bodies = []
    for number, token in enumerate(issue_tokens(line_url, user_id, requests)):
        raw = webhooks.encode(webhooks.body_of(webhooks.text_event(user_id, token, texts[number % len(texts)])))
        bodies.append((raw, {"Content-Type": "application/json", "X-Line-Signature": webhooks.sign(raw, SECRET)}))
    timings = []
    cpu_start = time.process_time()
    for raw, headers in bodies:
        start = time.perf_counter()
        response = client.post("/callback", data=raw, headers=headers)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    if "thaiqm" in app.extensions:
        app.extensions["thaiqm"].sender.flush()  # replies sent in the background count too
    CPU_SECONDS[id(timings)] = time.process_time() - cpu_start
    return timings


# CPU seconds (all threads of this process) each run took, by its timings list.
CPU_SECONDS: dict[int, float] = {}


def volunteer_at_house_number(app: Flask, line_url: str, database_url: str) -> str:
    """A volunteer (made in the database) whose survey stands at the house-number question."""
    from storage.db import make_engine
    from tests.support.survey import make_volunteer

    from sqlalchemy import select

    from storage.models import Municipality

    user_id = webhooks.new_user_id()
    engine = make_engine(database_url)
    with engine.connect() as connection:
        existing = connection.execute(select(Municipality.id).where(Municipality.tambon_code == "400101")).scalar()
    make_volunteer(engine, user_id, municipality_id=existing)
    engine.dispose()
    # survey, consent yes, respondent 1, date today, house code skipped
    run(app, line_url, 5, ["สำรวจ", "1", "1", "วันนี้", "ข้าม"], user_id)
    return user_id


# One answer stored (the house number, then the next question is asked), then back to it.
SURVEY_STEPS = ["12/3", "ย้อนกลับ"]


def prefill(database_url: str, rows: int) -> None:
    """Store many households with answers, users, events and sent messages, as a busy round would.

    The households are in the volunteer's own municipality, communities and round, with
    house numbers, house codes and head-ID lookup hashes: what the duplicate check has to
    look through. One template household is written as the app writes one (its ID sealed);
    the rest are copies made by the database itself (INSERT … SELECT over a generated
    series, 100,000 rows a statement), so a million take minutes, not an hour.
    """
    from sqlalchemy import insert, select, text

    from bot.dialogs.form import current_form
    from storage.db import make_engine
    from storage.models import Community, Household, Municipality, SurveyAnswer
    from tests.support.survey import make_volunteer

    if rows <= 0:
        return
    engine = make_engine(database_url, timeout=1800)  # a statement copies up to a million answers
    now = datetime.now(timezone.utc)
    with engine.connect() as connection:
        municipality_id = connection.execute(select(Municipality.id).where(Municipality.tambon_code == "400101")).scalar()
    if municipality_id is None:
        municipality_id = make_volunteer(engine, webhooks.new_user_id())["municipality_id"]
    tag = str(time.time_ns())
    with engine.begin() as connection:
        communities = sorted(connection.execute(select(Community.id).where(Community.municipality_id == municipality_id)).scalars())
        template = connection.execute(
            insert(Household).returning(Household.id),
            [{"municipality_id": municipality_id, "community_id": communities[0], "round_name": current_form().round, "form_id": "thaiqm-2566",
              "form_version": "1", "status": "submitted", "house_no": f"0/{tag}", "house_code": "0", "head_national_id": "1101700230708",
              "created_at": now, "updated_at": now}],
        ).scalar_one()
        connection.execute(insert(SurveyAnswer), [{"household_id": template, "code": code, "member_no": 0, "value": "x", "answered_at": now} for code in ANSWER_CODES])
    contiguous = communities == list(range(communities[0], communities[0] + len(communities)))
    community = f"{communities[0]} + g.n % {len(communities)}" if contiguous else str(communities[0])
    copied = [c.name for c in Household.__table__.columns if c.name not in ("id", "community_id", "house_no", "house_code", "head_national_id_hash")]
    for start in range(1, rows, 100_000):
        series = f"WITH RECURSIVE g(n) AS (SELECT {start} UNION ALL SELECT n + 1 FROM g WHERE n < {min(rows - 1, start + 99_999)}) "
        with engine.begin() as connection:
            first = connection.execute(select(Household.id).order_by(Household.id.desc()).limit(1)).scalar_one()
            for statement in (
                f"INSERT INTO line_users (line_user_id, active, events_handled, created_at) {series}SELECT 'Ub{tag}' || g.n, true, 1, :now FROM g",
                f"INSERT INTO processed_events (webhook_event_id, chat_id, event_type, outcome, received_at) {series}SELECT 'E{tag}' || g.n, 'U', 'message', 'ok', :now FROM g",
                f"INSERT INTO outbox (retry_key, chat_id, status, attempts, created_at) {series}SELECT '{tag[-12:]}-' || g.n, 'U', 'sent', 1, :now FROM g",
                f"INSERT INTO households (community_id, house_no, house_code, head_national_id_hash, {', '.join(copied)}) {series}"
                f"SELECT {community}, g.n || '/{tag[-3:]}', substr('0000000000' || g.n, length('0000000000' || g.n) - 10, 11), 'h{tag}' || g.n, {', '.join('t.' + c for c in copied)} "
                f"FROM g, households t WHERE t.id = {template}",
                "INSERT INTO survey_answers (household_id, code, member_no, value, answered_at) SELECT h.id, a.code, a.member_no, a.value, a.answered_at "
                f"FROM households h, survey_answers a WHERE h.id > {first} AND a.household_id = {template}",
            ):
                connection.execute(text(statement), {"now": now})
    engine.dispose()


def best(measure, rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    """The fastest of several runs: other load on the machine only ever slows a run down."""
    return min((measure() for _ in range(rounds)), key=lambda timings: CPU_SECONDS[id(timings)])


def report(name: str, timings: list[float]) -> float:
    """Print throughput, latency and CPU per step; return requests per second."""
    cpu_ms = CPU_SECONDS[id(timings)] / len(timings) * 1000
    timings = timings[len(timings) // 10 :]  # drop warm-up
    rate = len(timings) / sum(timings)
    ordered = sorted(timings)
    p50, p95 = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.95)]
    print(
        f"{name:<40} {rate:6.0f} req/s  p50 {p50 * 1000:5.2f} ms  p95 {p95 * 1000:5.2f} ms  "
        f"mean {statistics.mean(timings) * 1000:5.2f} ms  CPU {cpu_ms:5.2f} ms/step"
    )
    return rate


def main() -> None:
    """Run the echo bot and our bot, then our bot again over more stored rows."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--stored", default="0,20000", help="households (with answers, users, events) to pre-store before each run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per measurement; the best is reported (less noise)")
    args = parser.parse_args()
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    standin, line_url = start_line_standin()
    try:
        echo = echo_app(line_url)
        echo_run = best(lambda: run(echo, line_url, args.requests, ["hello"]), args.rounds)
        echo_rate, echo_cpu = report("echo bot (line-bot-sdk minimal)", echo_run), CPU_SECONDS[id(echo_run)]
        app = our_app(line_url, database_url)
        stored = 0
        for target in (int(n) for n in args.stored.split(",")):
            prefill(database_url, target - stored)
            stored = target
            volunteer = volunteer_at_house_number(app, line_url, database_url)
            step = best(lambda: run(app, line_url, args.requests, SURVEY_STEPS, volunteer), args.rounds)
            rate = report(f"survey step ({stored} households stored)", step)
            print(f"{'':40} {rate / echo_rate:6.0%} of the echo bot's throughput, {echo_cpu / CPU_SECONDS[id(step)] :.0%} of its CPU efficiency")
        close_app(app)
    finally:
        standin.terminate()


if __name__ == "__main__":
    main()

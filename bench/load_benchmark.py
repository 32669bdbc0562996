"""Load benchmark: the real app under gunicorn (one sync worker) against the SDK's echo bot.

    .venv/bin/python bench/load_benchmark.py [--seconds 5] [--rounds 3] [--stored 10000,1000000]
        [--postgres postgresql://postgres@127.0.0.1:5432/DB] [--out bench/RESULTS.md]

8 volunteers at once, each at the house-number question, each step a signed webhook with a
fresh event id and reply token answering it or going back; a volunteer posts its next step
when the last was answered (HTTP 200). A step counts once its reply reached the fake LINE
API (a separate process). The echo bot runs under the same gunicorn and load in the same
run: both servers are up and their load windows alternate, so a drifting machine slows
both. The load generator is a threaded Python client with pre-signed bodies; its own CPU
use is reported, to show it is not the bottleneck. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.step_benchmark import SECRET, SURVEY_STEPS, TOKEN, issue_tokens, prefill, start_line_standin  # noqa: E402
from tests.support import webhooks  # noqa: E402

VOLUNTEERS = 8
DATA_KEY = "bench1:" + "B" * 43
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(app: str, env: dict[str, str], workers: int = 1, threads: int = 1) -> tuple[subprocess.Popen, int]:
    """gunicorn with `workers` workers serving `app` (sync, or gthread with `threads` each); returns once it answers."""
    port = free_port()
    kind = ["--worker-class", "sync"] if threads == 1 else ["--worker-class", "gthread", "--threads", str(threads)]
    process = subprocess.Popen([GUNICORN, "--workers", str(workers), *kind, "--bind", f"127.0.0.1:{port}", app],
                               env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("POST", "/callback", body=b"{}", headers={"X-Line-Signature": "x"})
            connection.getresponse().read()
            return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn {app} did not start")


def stop(process: subprocess.Popen) -> None:
    """Stop a gunicorn (its workers finish what they are sending); kill it if a busy machine makes that slow."""
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def post(port: int, raw: bytes) -> int:
    """POST a pre-signed body (gunicorn's sync worker closes every connection)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/callback", body=raw, headers={"Content-Type": "application/json", "X-Line-Signature": webhooks.sign(raw, SECRET)})
    status = connection.getresponse().status
    connection.close()
    return status


def delivered(line_url: str, chats: list[str]) -> int:
    """Replies (calls, not messages: a step may answer with several) the stand-in delivered to these chats.

    One call's messages are stored together: consecutive numbers, the same chat, microseconds apart.
    """
    query = "&".join(f"chat={chat}" for chat in chats)
    with urllib.request.urlopen(f"{line_url}/_standin/messages?{query}") as response:
        messages = json.load(response)["messages"]
    calls, last = 0, None
    for message in messages:
        if not (last and message["chat_id"] == last["chat_id"] and message["seq"] == last["seq"] + 1 and message["at"] - last["at"] < 0.0005):
            calls += 1
        last = message
    return calls


def worker_cpu(server: subprocess.Popen | None) -> float:
    """CPU seconds (user and system) used so far by the gunicorn workers under this master and their
    children (each worker's sending process, bot/delivery/child.py): all the survey's own work."""
    if server is None:
        return 0.0
    return sum(_cpu_of_descendants(server.pid))


def _cpu_of_descendants(pid: int) -> list[float]:
    """CPU seconds of each process below `pid` (those alive now; one that ended is not counted)."""
    seconds: list[float] = []
    try:  # each thread's own children: a replacement sending process is started from a worker's watchdog thread
        children = [child for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()]
    except OSError:
        return seconds
    for child in children:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds.append((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
        seconds.extend(_cpu_of_descendants(int(child)))
    return seconds


def steps_for(texts: list[str], volunteer: int, run: int = 0) -> list[str]:
    """A volunteer's own texts: each types a house number of their own, new in this run ("12/3" becomes "12/3", "112/3", …;
    from the second run of volunteers "1012/3", "1112/3", …).

    Volunteers of an earlier run (another size or number of workers, the same database) left
    drafts with their numbers: typed again, each answer would take the duplicate warning's
    longer path, and later runs would measure another step than the first.
    """
    prefix = f"{run}{volunteer:02d}" if run else f"{volunteer or ''}"
    return [f"{prefix}{text}" if text[:1].isdigit() else text for text in texts]


def load(port: int, line_url: str, chats: list[str], texts: list[str], seconds: float, per_chat: int, server: subprocess.Popen | None = None, run: int = 0) -> dict[str, float]:
    """Every chat posts its steps one after another for `seconds`; returns steps per second and more."""
    assert seconds <= 45, "reply tokens are issued up front and live a minute"
    bodies = {chat: [webhooks.encode(webhooks.body_of(webhooks.text_event(chat, token, steps_for(texts, index, run)[n % len(texts)])))
                     for n, token in enumerate(issue_tokens(line_url, chat, per_chat))] for index, chat in enumerate(chats)}
    before = delivered(line_url, chats)
    posted, failures = [0] * len(chats), [0] * len(chats)
    stop_at = time.monotonic() + seconds

    def volunteer(index: int) -> None:
        for raw in bodies[chats[index]]:
            if time.monotonic() >= stop_at:
                return
            if post(port, raw) != 200:
                failures[index] += 1
            posted[index] += 1

    cpu_before, server_before, started = resource.getrusage(resource.RUSAGE_SELF), worker_cpu(server), time.monotonic()
    threads = [threading.Thread(target=volunteer, args=(n,)) for n in range(len(chats))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    steps = sum(posted)
    while delivered(line_url, chats) - before < steps and time.monotonic() < stop_at + 10:  # the last replies
        time.sleep(0.01)
    elapsed = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    answered = delivered(line_url, chats) - before
    server_ms = (worker_cpu(server) - server_before) * 1000 / max(answered, 1)
    return {"steps": steps, "answered": answered, "failures": sum(failures), "rate": answered / elapsed, "client_cpu": client_cpu / elapsed, "server_cpu_ms": server_ms}


def database(kind: str, postgres: str | None, folder: Path) -> str:
    """A fresh, migrated database of that kind."""
    from bench.progress_benchmark import empty
    from bot.config import normalize_database_url

    if kind == "sqlite":
        url = f"sqlite:///{folder}/bench-{time.time_ns()}.db"
    else:
        url = normalize_database_url(postgres)
    empty(url)  # drops the PostgreSQL schema, then migrates
    return url


def analyze(url: str) -> None:
    """Refresh the planner's statistics after a bulk load."""
    from sqlalchemy import text

    from storage.db import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    engine.dispose()


def volunteers_at_house_number(url: str, port: int, line_url: str) -> list[str]:
    """Volunteers made in the database, each brought to the house-number question through the webhook."""
    from sqlalchemy import select

    from storage.db import make_engine
    from storage.models import Municipality
    from tests.support.survey import make_volunteer

    engine = make_engine(url)
    chats = []
    for _ in range(VOLUNTEERS):
        chat = webhooks.new_user_id()
        with engine.connect() as connection:
            existing = connection.execute(select(Municipality.id).where(Municipality.tambon_code == "400101")).scalar()
        make_volunteer(engine, chat, municipality_id=existing)
        for text, token in zip(["สำรวจ", "1", "1", "วันนี้", "ข้าม"], issue_tokens(line_url, chat, 5)):
            assert post(port, webhooks.encode(webhooks.body_of(webhooks.text_event(chat, token, text)))) == 200
        chats.append(chat)
    engine.dispose()
    return chats


def main() -> None:
    """Echo bot and survey step on each database and size; write the results."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5, help="length of one load window")
    parser.add_argument("--rounds", type=int, default=3, help="windows per bot: the echo's and the survey's alternate, both servers up")
    parser.add_argument("--stored", default="10000,1000000")
    parser.add_argument("--postgres", default=None, help="a PostgreSQL database the benchmark may empty")
    parser.add_argument("--workers", default="1", help="gunicorn sync workers, e.g. 1,4 (the README's production runs 4): each is run")
    parser.add_argument("--threads", type=int, default=1, help="1: sync workers; more: gthread workers with that many threads each (either bot)")
    parser.add_argument("--kinds", default="sqlite,postgresql", help="databases to run (postgresql needs --postgres)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"), help="its load section is replaced (the rest kept); the markdown is also printed")
    args = parser.parse_args()
    from storage.crypto import Keyring
    from storage.sealed import use_keyring

    use_keyring(Keyring.parse(DATA_KEY))  # the pre-stored households' IDs are sealed like the app's
    folder = Path(tempfile.mkdtemp())
    standin, line_url = start_line_standin()
    env = {"LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN, "LINE_API_BASE_URL": line_url, "DATA_KEY": DATA_KEY,
           "THAIQM_INSTANCE_PATH": str(folder)}
    # More bodies than a chat can post in a window, few enough to use every token within its minute.
    per_chat = int(args.seconds * 60)
    rows: list[str] = []
    growth: list[str] = []
    try:
        kinds = [kind for kind in args.kinds.split(",") if kind == "sqlite" or args.postgres]
        for kind in kinds:
            url, stored = database(kind, args.postgres, folder), 0
            firsts: dict[int, tuple[int, float, float]] = {}
            for target in (int(n) for n in args.stored.split(",")):
                started = time.monotonic()
                prefill(url, target - stored)
                analyze(url)  # as autovacuum would have by then: plans for the table's real size
                stored = target
                print(f"{kind}: {stored} households stored ({time.monotonic() - started:.0f} s)", flush=True)
                for workers in (int(n) for n in args.workers.split(",")):
                    echo_result, result = alternate(url, env, line_url, workers, args.threads, args.rounds, args.seconds, per_chat)
                    print(f"{kind} {stored}, {workers} workers: survey {result}, echo {echo_result}", flush=True)
                    ratio = result["ratio"]
                    rows.append(
                        f"| {kind} | {stored:,} | {workers} | {result['rate']:.0f} | {echo_result['rate']:.0f} | {ratio:.0%} ({result['ratio_low']:.0%}–{result['ratio_high']:.0%}) | "
                        f"{result['server_cpu_ms']:.2f} | {echo_result['server_cpu_ms']:.2f} | {result['failures']} / {echo_result['failures']} | {result['client_cpu']:.0%} |"
                    )
                    cpu_vs_echo = result["server_cpu_ms"] / echo_result["server_cpu_ms"]  # machine noise slows both alike
                    if workers not in firsts:
                        firsts[workers] = (stored, ratio, cpu_vs_echo)
                    else:
                        first = firsts[workers]
                        growth.append(
                            f"- {kind}, {workers} worker(s), {first[0]:,} → {stored:,} households: step cost × {first[1] / ratio:.2f} (by throughput "
                            f"against the echo measured beside it), × {cpu_vs_echo / first[2]:.2f} (by the workers' CPU per step, against the echo's)"
                        )
    finally:
        standin.terminate()
    write(Path(args.out), rows, growth, " ".join(sys.argv[1:]), args.threads)


def alternate(url: str, env: dict[str, str], line_url: str, workers: int, threads: int, rounds: int, seconds: float, per_chat: int) -> tuple[dict[str, float], dict[str, float]]:
    """Both bots served at once, their load windows taken in turn; each bot's medians (the survey's with its ratio to the echo).

    On a shared VM either bot's rate drifts by ±15 % within minutes. Windows in turn see the
    same drift, and the ratio of each pair of neighbouring windows cancels most of it.
    """
    run = next(_RUNS)
    echo, echo_port = serve("bench.echo_bot:create_app()", env, workers, threads)
    app, port = serve("bot.app:create_app()", {**env, "DATABASE_URL": url}, workers, threads)
    try:
        chats = volunteers_at_house_number(url, port, line_url)
        echo_chats = [webhooks.new_user_id() for _ in range(VOLUNTEERS)]
        echo_runs, survey_runs = [], []
        for round_number in range(rounds):
            pair = [(echo_runs, echo_port, echo_chats, ["hello"], echo), (survey_runs, port, chats, SURVEY_STEPS, app)]
            for runs, at, who, texts, server in pair if round_number % 2 == 0 else reversed(pair):
                runs.append(load(at, line_url, who, texts, seconds, per_chat, server, run))
    finally:
        stop(app)
        stop(echo)
    ratios = [survey["rate"] / echoed["rate"] for survey, echoed in zip(survey_runs, echo_runs)]
    survey_result = {**_medians(survey_runs), "ratio": statistics.median(ratios), "ratio_low": min(ratios), "ratio_high": max(ratios)}
    return _medians(echo_runs), survey_result


# Each alternate() call's volunteers type house numbers of their own (steps_for).
_RUNS = itertools.count()


def _medians(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the windows; failures added up."""
    medians = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    medians["failures"] = sum(run["failures"] for run in runs)
    return medians


def write(path: Path, rows: list[str], growth: list[str], arguments: str, threads: int = 1) -> None:
    """The figures, the growth and the command, as markdown (printed, and written to --out)."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    load1 = os.getloadavg()[0]
    text = f"""## Load benchmark (`bench/load_benchmark.py`)

Run on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores ({cpu}), Python {platform.python_version()},
{platform.system()} {platform.release()}; load average {load1:.1f} at the end. Loopback only; the same gunicorn settings
for either bot; {VOLUNTEERS} volunteers at once; a step counts when its reply reached the fake LINE API. The echo bot
and the survey run under the same load, both servers up, their windows taken in turn (`--rounds` each); figures are medians
over the windows, and "of echo" is the median of each survey window's rate over its neighbouring echo window's (lowest–highest in brackets).

Command: `.venv/bin/python bench/load_benchmark.py {arguments}`

| database | households stored | gunicorn {"sync workers" if threads == 1 else f"gthread workers ({threads} threads)"} | survey steps/s | echo steps/s | of echo | workers' CPU ms/step | echo workers' CPU ms/step | failed requests (survey / echo) | load generator CPU |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
""" + "\n".join(rows) + "\n\n" + "\n".join(growth) + "\n"
    print(text)
    begin, end = "<!-- load benchmark: begin -->", "<!-- load benchmark: end -->"
    old = path.read_text() if path.exists() else ""
    if begin in old and end in old:
        text = old[: old.index(begin)] + begin + "\n" + text + old[old.index(end) :]
    else:
        text = f"{old}\n{begin}\n{text}{end}\n"
    path.write_text(text)


if __name__ == "__main__":
    main()

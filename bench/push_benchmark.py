"""Benchmark: the volunteers' digests pushed to many people through a LINE that fails now and then.

    .venv/bin/python bench/push_benchmark.py [--volunteers 10000] [--errors 0.01] [--drops 0.01]
        [--database-url postgresql://postgres@127.0.0.1:5432/<your db>]

Seeds one municipality whose volunteers each hold a draft, starts the local LINE stand-in
with a share of pushes answered 500 and a share whose answer is lost (delivered, then held
past the bot's timeout), and runs the scheduled pushes once, then the retry job until
nothing is pending. Prints pushes per second, and the chats that got their digest twice
(duplicates) or never (lost): both must be 0.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, time as day_time, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.progress_benchmark import empty  # noqa: E402
from bot.config import Config, normalize_database_url  # noqa: E402
from bot.delivery.send import retry_pending  # noqa: E402
from bot.line.gateway import LineGateway  # noqa: E402
from bot.local.line_standin import LineStandIn, _FailureRule  # noqa: E402
from bot.local.standin_server import StandInServer  # noqa: E402
from bot.pushes.run import run_due  # noqa: E402
from bot.pushes.schedule import Kind  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402
from storage.models import Community, Household, LineUser, Municipality, OutboxMessage, Person  # noqa: E402

TOKEN = "bench-token"
# The bot's LINE timeout in this run, and how long a "lost answer" is held (past it).
TIMEOUT, HELD = 0.3, 0.5


class FlakyLine(LineStandIn):
    """The stand-in, answering a random share of pushes with 500 and losing the answer of another share."""

    def __init__(self, errors: float, drops: float, seed: int = 13):
        super().__init__(access_token=TOKEN)
        self.errors, self.drops = errors, drops
        self.random = random.Random(seed)

    def _take_failure(self, endpoint: str) -> _FailureRule | None:
        if endpoint != "push":
            return None
        roll = self.random.random()
        if roll < self.errors:
            return _FailureRule("push", 500, "Internal Server Error", 1)
        if roll < self.errors + self.drops:
            return _FailureRule("push", 0, str(HELD), 1)  # delivered; the answer comes too late
        return None


def seed(engine, volunteers: int) -> None:  # type: ignore[no-untyped-def]
    """A municipality whose volunteers follow the bot and each hold one draft."""
    with engine.begin() as connection:
        mid = connection.execute(insert(Municipality).values(name="เทศบาลทดสอบ", kind="town", tambon_code="401002", amphoe_code="4010", province_code="40").returning(Municipality.id)).scalar_one()
        cid = connection.execute(insert(Community).values(municipality_id=mid, name="ชุมชนทดสอบ", target_households=volunteers).returning(Community.id)).scalar_one()
        connection.execute(insert(LineUser), [{"line_user_id": f"U{n:032x}", "active": True, "events_handled": 0} for n in range(volunteers)])
        line_ids = dict(connection.execute(select(LineUser.line_user_id, LineUser.id)).all())
        connection.execute(insert(Person), [{"role": "volunteer", "full_name": f"อาสา {n}", "municipality_id": mid, "community_id": cid, "line_user_id": line_ids[f"U{n:032x}"], "active": True} for n in range(volunteers)])
        people = list(connection.execute(select(Person.id).order_by(Person.id)).scalars())
        connection.execute(insert(Household), [{"municipality_id": mid, "community_id": cid, "volunteer_id": pid, "round_name": "2566", "form_id": "thaiqm-2566", "form_version": "1", "status": "draft", "dialog_member": 0, "dialog_problem": "", "dialog_tries": 0, "dialog_editing": False, "dialog_confirm_cancel": False, "origin": "surveyed"} for pid in people])


def main() -> None:
    """Seed, push through a flaky LINE, count what arrived."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--errors", type=float, default=0.01)
    parser.add_argument("--drops", type=float, default=0.01)
    args = parser.parse_args()
    url = normalize_database_url(args.database_url) if args.database_url else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    empty(url)
    engine = make_engine(url)
    seed(engine, args.volunteers)
    standin = FlakyLine(args.errors, args.drops)
    server = StandInServer(standin).start()
    config = Config(line_channel_secret="bench", line_channel_access_token=TOKEN, database_url=url, line_api_base_url=server.url, line_timeout=TIMEOUT, data_key="bench1:" + "A" * 43)
    from bot.data_keys import install_keyring

    install_keyring(config)
    gateway = LineGateway(config)
    factory = make_session_factory(engine)
    moment = datetime.combine(datetime.now(timezone.utc).date(), day_time(3, 0), tzinfo=timezone.utc)  # 10:00 in Bangkok
    started = time.perf_counter()
    report = run_due(factory, gateway, config, lambda: moment, kinds=[Kind.DIGEST], pauses=(0.05, 0.1, 0.2))
    first = time.perf_counter() - started
    rounds = 0
    while rounds < 20:
        with engine.connect() as connection:
            pending = connection.execute(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")).scalar_one()
        if not pending:
            break
        retry_pending(gateway, factory, lambda: moment, -1)
        rounds += 1
    elapsed = time.perf_counter() - started
    received: dict[str, int] = {}
    for message in standin.delivered:
        received[message.chat_id] = received.get(message.chat_id, 0) + 1
    chats = [f"U{n:032x}" for n in range(args.volunteers)]
    duplicates = sum(1 for chat in chats if received.get(chat, 0) > 1)
    lost = sum(1 for chat in chats if received.get(chat, 0) == 0)
    print(f"{args.volunteers:,} digests ({engine.dialect.name}), {args.errors:.0%} answered 500, {args.drops:.0%} answers lost")
    print(f"first run: {report.sent:,} sent, {report.waiting:,} left pending, in {first:.1f} s; retry rounds: {rounds}")
    print(f"all delivered in {elapsed:.1f} s: {args.volunteers / elapsed:.0f} pushes/s; duplicates {duplicates}, lost {lost}")
    gateway.close()
    server.stop()
    engine.dispose()
    if duplicates or lost:
        sys.exit(1)


if __name__ == "__main__":
    main()

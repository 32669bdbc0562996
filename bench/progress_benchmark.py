"""Benchmark: building a supervisor's progress view over 50,000 households (target: under one second).

    .venv/bin/python bench/progress_benchmark.py --database-url postgresql://postgres@127.0.0.1:5432/<your db>
        [--households 50000] [--communities 60] [--runs 5] [--elsewhere 950000]

The database is emptied and migrated, then one municipality is seeded with bulk inserts
(tests/support/progress_seed.py: volunteers, households, one problem per submitted one).
Each run counts the figures (storage/progress.py, a few GROUP BY queries) and renders the
Flex messages the chat would send; the median and the slowest run are printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text  # noqa: E402

from bot.chat.replies import Cards  # noqa: E402
from bot.config import normalize_database_url  # noqa: E402
from bot.handlers import progress as view  # noqa: E402
from bot.line.messages import to_line_messages  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.progress import progress  # noqa: E402
from storage.progress_counts import rebuild  # noqa: E402
from storage.rounds import current_round  # noqa: E402
from tests.support.progress_seed import seed  # noqa: E402

ZONE = ZoneInfo("Asia/Bangkok")


def empty(url: str) -> None:
    """Start from nothing: drop the schema (PostgreSQL) so the migrations run afresh."""
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)


def build(session_factory, municipality_id: int) -> int:  # type: ignore[no-untyped-def]
    """Count and render once, as the chat does; returns the bytes of the messages."""
    now = datetime.now(timezone.utc)
    with session_factory() as session:
        found = current_round(session, municipality_id)
        figures = progress(session, municipality_id, found.name, view.start_of_day(now, ZONE))
        summary, cards = view.progress_cards(figures, found, view.dimension_names(view.round_form(found)), now, ZONE)
    messages = to_line_messages([Cards(summary, cards)])
    return sum(len(str(m).encode()) for m in messages)


def main() -> None:
    """Seed, then time the progress view."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file (production runs PostgreSQL)")
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--communities", type=int, default=60)
    parser.add_argument("--runs", type=int, default=8, help="builds timed (from the third on, the app's engine runs its statements prepared)")
    parser.add_argument("--elsewhere", type=int, default=0, help="households stored in another municipality first (the database's total grows, the view's area does not)")
    parser.add_argument("--reuse", action="store_true", help="time the view over the households an earlier run seeded (migrates, seeds nothing)")
    args = parser.parse_args()
    url = normalize_database_url(args.database_url) if args.database_url else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    if args.reuse:
        upgrade(url)
        engine = make_engine(url)
        with engine.begin() as connection:
            municipality_id = connection.execute(text("SELECT id FROM municipalities WHERE tambon_code = '401002'")).scalar_one()
            if url.startswith("postgresql"):
                connection.execute(text("ANALYZE"))
        engine.dispose()
        time_view(url, municipality_id, args.runs)
        return
    empty(url)
    engine = make_engine(url)
    postgresql = url.startswith("postgresql")
    seeding = make_engine(url)
    if postgresql:
        # Bulk seeding with the counting triggers (and foreign key checks) off, then one recount, as
        # migration 0017 fills the counters from existing rows: a million rows through the triggers
        # would take most of an hour on a loaded machine, and the view reads the same counters either way.
        event.listen(seeding, "connect", lambda connection, _record: connection.cursor().execute("SET session_replication_role = replica"))
    started = time.perf_counter()
    if args.elsewhere:
        seed(seeding, communities=args.communities, households=args.elsewhere, volunteers_per_community=3, tambon="401003")
    seeded = seed(seeding, communities=args.communities, households=args.households, volunteers_per_community=3)
    seeding.dispose()
    print(f"seeded {args.households:,} households in {args.communities} communities (and {args.elsewhere:,} in another municipality) "
          f"in {time.perf_counter() - started:.1f} s ({engine.dialect.name})")
    if postgresql:
        started = time.perf_counter()
        with make_session_factory(engine)() as session:
            rebuild(session)
            session.commit()
        print(f"counters filled by a recount (thaiqm-bot db recount) in {time.perf_counter() - started:.1f} s")
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    time_view(url, seeded.municipality_id, args.runs)


def time_view(url: str, municipality_id: int, runs: int) -> None:
    """Build the view `runs` times through an engine like the app's (its repeated statements prepared); print the median and the slowest."""
    engine = make_engine(url, prepare_repeated=True)
    factory = make_session_factory(engine)
    # The process's first build also loads the round's form, the Thai catalog and compiles the statements
    # (1-2 s even over 1,000 households on SQLite): a worker pays that once, so it is reported apart.
    started = time.perf_counter()
    build(factory, municipality_id)
    print(f"first build in this process (one-time loading included): {(time.perf_counter() - started) * 1000:.0f} ms")
    timings = []
    size = 0
    for _ in range(runs):
        started = time.perf_counter()
        size = build(factory, municipality_id)
        timings.append(time.perf_counter() - started)
    print("each build, ms:", " ".join(f"{t * 1000:.0f}" for t in timings))
    print(f"progress view: median {statistics.median(timings) * 1000:.0f} ms, slowest {max(timings) * 1000:.0f} ms over {runs} runs ({size:,} bytes of messages)")
    print("target under 1 s:", "met" if max(timings) < 1 else "NOT met")
    engine.dispose()


if __name__ == "__main__":
    main()

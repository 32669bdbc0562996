"""Benchmark: `thaiqm-bot export` of a 50,000-household municipality (target: under a minute), XLSX and CSV.

    .venv/bin/python bench/export_benchmark.py [--database-url postgresql://postgres@127.0.0.1:5432/<your db>]
        [--households 50000] [--format xlsx|csv|both]

The database (a temporary SQLite file unless given; a given one is emptied) is migrated, then one
municipality is seeded in bulk (tests/support/export_seed.py: approved households with sealed IDs
and phones, 4 members and 2 problems with history each). The export runs as the command does it:
read (opening every sealed ID), lay out, write; each stage's seconds are printed, on the wall clock
and in CPU (with the load average: on a shared machine the CPU figures are the ones to compare).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from sqlalchemy import Engine  # noqa: E402

from bot.config import normalize_database_url  # noqa: E402
from bot.exports import query  # noqa: E402
from bot.exports.making import prepare, write  # noqa: E402
from bot.exports.sheets import Options  # noqa: E402
from storage.crypto import Keyring  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402
from storage.sealed import use_keyring  # noqa: E402
from bench.progress_benchmark import empty  # noqa: E402  (the same start from nothing)
from tests.support.export_seed import seed_bulk  # noqa: E402

DATA_KEY = "bench1:" + "B" * 43


def _cpu() -> float:
    """CPU seconds used so far, this process's and its finished children's (a busy machine stretches the wall clock, not these)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def seeded(database_url: str | None, folder: str, households: int) -> tuple[str, Engine, int]:
    """A migrated database (a SQLite file in the folder unless one is given, which is emptied) with one municipality seeded in bulk."""
    url = normalize_database_url(database_url) if database_url else f"sqlite:///{Path(folder) / 'bench.db'}"
    empty(url)
    engine = make_engine(url)
    return url, engine, seed_bulk(engine, households)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--format", choices=("xlsx", "csv", "both"), default="both")
    args = parser.parse_args()
    use_keyring(Keyring.parse(DATA_KEY))
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        _url, engine, municipality_id = seeded(args.database_url, folder, args.households)
        print(f"seeded {args.households:,} households in {time.perf_counter() - started:.1f} s")
        factory = make_session_factory(engine)
        kinds = ("xlsx", "csv") if args.format == "both" else (args.format,)
        for kind in kinds:
            started, cpu_started = time.perf_counter(), _cpu()
            with factory() as session:
                prepared = prepare(session, query.Filters(municipality_id), Options(ZoneInfo("Asia/Bangkok")))
            assert prepared is not None
            laid_out, cpu_laid_out = time.perf_counter(), _cpu()
            target = Path(folder) / ("export.xlsx" if kind == "xlsx" else "csv")
            write(prepared, kind, target)
            done, cpu_done = time.perf_counter(), _cpu()
            size = target.stat().st_size if kind == "xlsx" else sum(p.stat().st_size for p in target.iterdir())
            print(f"{kind}: {prepared.households:,} households, {prepared.rows:,} rows: read and laid out {laid_out - started:.1f} s, "
                  f"written {done - laid_out:.1f} s, total {done - started:.1f} s ({size / 1e6:.1f} MB); "
                  f"CPU s: read and laid out {cpu_laid_out - cpu_started:.1f}, written {cpu_done - cpu_laid_out:.1f}; load average {os.getloadavg()[0]:.1f}")
        engine.dispose()


if __name__ == "__main__":
    main()

"""Benchmark: a supervisor's chat export, built by the job and served by the download: seconds of each (and CPU).

    .venv/bin/python bench/chat_export_benchmark.py [--database-url postgresql://postgres@127.0.0.1:5432/<your db>] [--households 5000]

The database (a temporary SQLite file unless given; a given one is emptied) is migrated and one
municipality seeded in bulk (tests/support/export_seed.py), with a supervisor. The job runs as the
worker runs it (claim, read, write the masked XLSX, store it, queue the link; the push itself is
not sent); then the download's work: the stored bytes read back, which is all a POST now does
(it built the whole file before).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.orm import Session  # noqa: E402

from bot.config import Config  # noqa: E402
from bot.exports.chat_file import WAIT, build_and_send, reading  # noqa: E402
from bot.runtime import utc_now  # noqa: E402
from storage import export_files  # noqa: E402
from storage.crypto import Keyring  # noqa: E402
from storage.db import make_session_factory, transaction  # noqa: E402
from storage.sealed import use_keyring  # noqa: E402
from bench.export_benchmark import DATA_KEY, seeded  # noqa: E402  (the same seeded municipality)
from tests.support.export_seed import _person  # noqa: E402


class HeldSender:
    """Keeps what the job would send (LINE is not part of the measure)."""

    def __init__(self) -> None:
        self.sent: list = []

    def submit(self, batch: list) -> None:
        """Hold the batch."""
        self.sent.extend(batch)


def timed(work):  # type: ignore[no-untyped-def]
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--households", type=int, default=5_000)
    args = parser.parse_args()
    use_keyring(Keyring.parse(DATA_KEY))
    with tempfile.TemporaryDirectory() as folder:
        url, engine, municipality_id = seeded(args.database_url, folder, args.households)
        with Session(engine) as session, session.begin():
            supervisor = _person(session, "supervisor", municipality_id, None, "ผู้ควบคุม ทดสอบ", "U" + "e" * 32)
        factory = make_session_factory(engine)
        config = Config(line_channel_secret="s" * 32, line_channel_access_token="t", database_url=url, data_key=DATA_KEY, public_base_url="https://bench.test")
        with transaction(factory) as session:
            export_id = export_files.add_request(session, supervisor, municipality_id, None, args.households, utc_now(), WAIT)
        sender = HeldSender()
        done, wall, cpu = timed(lambda: build_and_send(config, factory, sender, export_id, utc_now))
        assert done and len(sender.sent) == 1, "the job pushed no link"
        print(f"job (read, write XLSX, store, queue the link): {wall:.1f} s wall, {cpu:.1f} s CPU")

        def serve() -> bytes | None:
            with reading(url)() as session:
                return export_files.content_of(session, export_id, utc_now() + timedelta(seconds=1))

        content, wall, cpu = timed(serve)
        assert content, "no stored file"
        print(f"download (the stored {len(content) / 1e6:.1f} MB read back): {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU")
        engine.dispose()


if __name__ == "__main__":
    main()

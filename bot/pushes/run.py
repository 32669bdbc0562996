"""One run of the scheduled pushes: what is due now is planned, claimed, queued and pushed, in batches."""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable, Sequence

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.line.gateway import LineGateway
from bot.pushes.dispatch import BACKOFF, Report, deliver, enqueue_many
from bot.pushes.planning import Planned, plan
from bot.pushes.schedule import Kind, due_kinds, local_day
from bot.quiet_hours import is_quiet
from storage.db import transaction

# Pushes claimed and queued per transaction (on SQLite a transaction holds the database).
BATCH = 100
# What `force` sends (the demo, `thaiqm-bot remind --now`): everything a person can get today.
ALL_KINDS = (Kind.DIGEST, Kind.DEADLINE, Kind.PROGRESS)


def run_due(
    factory: sessionmaker[Session],
    gateway: LineGateway,
    config: Config,
    now: Callable[[], datetime],
    force: bool = False,
    kinds: Iterable[Kind] | None = None,
    pauses: Sequence[float] = BACKOFF,
) -> Report:
    """Send every push due now (`force`: every kind now, schedule and quiet hours aside) that nobody has had today."""
    moment = now()
    report = Report()
    if not force and is_quiet(moment, config.quiet_hours, config.zone):
        return report  # due pushes wait for the morning
    wanted = list(kinds) if kinds is not None else (list(ALL_KINDS) if force else due_kinds(moment, config))
    if not wanted:
        return report
    day = local_day(moment, config.zone)
    with transaction(factory) as session:
        planned = plan(session, config, wanted, moment, day)
    for start in range(0, len(planned), BATCH):
        with transaction(factory) as session:
            queued = enqueue_many(session, planned[start : start + BATCH], day, moment)
        report.queued += sum(q.recipients for q in queued)
        for p in planned[start : start + BATCH]:
            report.by_kind[p.kind] = report.by_kind.get(p.kind, 0) + len(p.person_ids)
        if not deliver(gateway, factory, queued, now, report, pauses):
            break  # LINE asked us to stop: the rest is planned again by the next run
    return report


def dry_run(factory: sessionmaker[Session], config: Config, now: datetime, force: bool = False) -> list[Planned]:
    """What would be sent now, without claiming or sending anything."""
    if not force and is_quiet(now, config.quiet_hours, config.zone):
        return []
    wanted = list(ALL_KINDS) if force else due_kinds(now, config)
    with transaction(factory) as session:
        return plan(session, config, wanted, now, local_day(now, config.zone))

"""Who gets which push now, and what it says: worked out from SQL aggregates, per municipality."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from sqlalchemy.orm import Session

from bot.chat.replies import Reply
from bot.config import Config
from bot.line.gateway import MULTICAST_MAX
from bot.pushes import reminders
from bot.people import policy
from bot.pushes.daily_progress import daily_progress
from bot.pushes.digest import digest
from bot.pushes.schedule import Kind
from storage.models import Round
from storage.pending_work import pending_work, pushable_people
from storage.push_records import claimed
from storage.rounds import current_round

# Who gets the supervisors' deadline reminder and daily progress: everyone the policy lets
# supervise (admins their whole municipality, so they get its progress).
SUPERVISING_ROLES = tuple(sorted(policy.SUPERVISING_ROLES))


@dataclass(frozen=True)
class Planned:
    """One message for one person (a push) or for several (a multicast of at most 500)."""

    kind: Kind
    person_ids: tuple[int, ...]
    chats: tuple[str, ...]
    replies: list[Reply]


def plan(session: Session, config: Config, kinds: Iterable[Kind], now: datetime, day: date) -> list[Planned]:
    """Every push of these kinds still owed today (people who have had theirs are left out)."""
    rounds: dict[int, Round] = {}

    def round_of(municipality_id: int) -> Round:
        if municipality_id not in rounds:
            rounds[municipality_id] = current_round(session, municipality_id)
        return rounds[municipality_id]

    planned: list[Planned] = []
    wanted = set(kinds)
    work = pending_work(session) if wanted & {Kind.DIGEST, Kind.DEADLINE} else {}
    if Kind.DIGEST in wanted:
        done = claimed(session, Kind.DIGEST, day)
        for pid, mid, _cid, chat, _role in pushable_people(session, ("volunteer",)):
            if pid in work and pid not in done:
                planned.append(Planned(Kind.DIGEST, (pid,), (chat,), [digest(session, work[pid], round_of(mid), day)]))
    if Kind.DEADLINE in wanted:
        planned += _deadline_reminders(session, config, work, round_of, day)
    if Kind.PROGRESS in wanted:
        planned += _daily_progress(session, config, now, day)
    return planned


def _deadline_reminders(session: Session, config: Config, work: dict, round_of, day: date) -> list[Planned]:  # type: ignore[no-untyped-def, type-arg]
    """One reminder for a municipality's volunteers with open work, one for its supervisors, on a reminder day."""
    done = claimed(session, Kind.DEADLINE, day)
    volunteers: dict[int, list[tuple[int, str]]] = {}
    supervisors: dict[int, list[tuple[int, str]]] = {}
    for pid, mid, _cid, chat, role in pushable_people(session, ("volunteer", *SUPERVISING_ROLES)):
        if pid in done:
            continue
        if role == "volunteer" and pid in work:
            volunteers.setdefault(mid, []).append((pid, chat))
        elif role in SUPERVISING_ROLES:
            supervisors.setdefault(mid, []).append((pid, chat))
    planned = []
    for mid in sorted(set(volunteers) | set(supervisors)):
        deadlines = reminders.due_deadlines(round_of(mid), day, config.reminder_days)
        if not deadlines:
            continue
        rexray = any(work[pid].rexray for pid, _chat in volunteers.get(mid, []))
        planned += _groups(Kind.DEADLINE, volunteers.get(mid, []), reminders.for_volunteers(deadlines, day, rexray))
        planned += _groups(Kind.DEADLINE, supervisors.get(mid, []), reminders.for_supervisors(deadlines, day))
    return planned


def _daily_progress(session: Session, config: Config, now: datetime, day: date) -> list[Planned]:
    """The progress of each supervised area, to every supervisor of it (one message per area)."""
    done = claimed(session, Kind.PROGRESS, day)
    areas: dict[tuple[int, int | None], list[tuple[int, str]]] = {}
    for pid, mid, cid, chat, role in pushable_people(session, SUPERVISING_ROLES):
        if pid not in done:
            # An admin's area is the municipality, whatever community they were registered in.
            areas.setdefault((mid, None if role == "admin" else cid), []).append((pid, chat))
    planned = []
    for (mid, cid), people in sorted(areas.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        planned += _groups(Kind.PROGRESS, people, [daily_progress(session, config, mid, cid, now)])
    return planned


def _groups(kind: Kind, people: list[tuple[int, str]], replies: list[Reply]) -> list[Planned]:
    """The same message to these people, in multicasts of at most 500 (a push when alone)."""
    return [
        Planned(kind, tuple(pid for pid, _chat in part), tuple(chat for _pid, chat in part), replies)
        for part in (people[i : i + MULTICAST_MAX] for i in range(0, len(people), MULTICAST_MAX))
    ]


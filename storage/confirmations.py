"""Household confirmation storage: one-time codes, the LINE users they link, and the household's answers.

A problem is claimed resolved while its status is helped or self-resolved and the latest change
of its history is not the household's own: a confirmation writes a history row (via
"household", the status unchanged), a later change by a volunteer or supervisor claims it again.
Every function takes the session first and never commits.
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from storage import lockout
from storage.confirmation_models import ConfirmationCode, ConfirmationGuard, ConfirmationWitness, HouseholdLink, ProblemConfirmation
from storage.models import Household, HouseholdProblem, Person
from storage.lockout import LOCKOUT, MAX_WRONG_CODES, aware
from storage.problem_history import ProblemHistory
from storage.problems import set_status
from storage.sealed import lookup_hash, lookup_hashes
from storage.statuses import CLAIMED_RESOLVED, ConfirmationAnswer, ProblemChange, ProblemStatus

CODE_DIGITS = 6
CODE_LIFE = timedelta(days=14)
# Wrong codes from all LINE accounts together within a LOCKOUT window before code entry closes
# for everyone until the window passes: a new account gets 5 tries, so only a shared count
# stops guessing across many accounts (at this rate a random code is found once in months).
MAX_WRONG_CODES_EVERYWHERE = 20
# Hashed with a prefix of its own: a 6-digit code never matches another kind of lookup hash.
HASH_PREFIX = "household-code:"

# The most recent change of a problem came from the household itself (a confirmation, or "not solved").
_LATEST_VIA = (
    select(ProblemHistory.via).where(ProblemHistory.problem_id == HouseholdProblem.id).order_by(ProblemHistory.id.desc()).limit(1).scalar_subquery()
)
CLAIMED = and_(HouseholdProblem.status.in_(CLAIMED_RESOLVED), or_(_LATEST_VIA.is_(None), _LATEST_VIA != ProblemChange.HOUSEHOLD))


class CodeProblem(enum.StrEnum):
    """Why a code that exists can no longer link anyone (worked out, not stored)."""

    EXPIRED = "expired"
    USED = "used"


def issue_code(session: Session, household_id: int, by: int | None, now: datetime) -> str:
    """A new code for the household (its earlier unused ones stop working); the plain code, shown once."""
    for code in session.scalars(select(ConfirmationCode).where(ConfirmationCode.household_id == household_id, ConfirmationCode.used_at.is_(None))):
        if aware(code.expires_at) > now:
            code.expires_at = now
    for _attempt in range(50):
        plain = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        if _live(session, plain, now) is None:
            break
    session.add(ConfirmationCode(code_hash=lookup_hash(HASH_PREFIX + plain), household_id=household_id, created_by=by, created_at=now, expires_at=now + CODE_LIFE))
    session.flush()
    return plain


def find_code(session: Session, plain: str, now: datetime) -> tuple[ConfirmationCode | None, CodeProblem | None]:
    """The live code typed, or why a known one no longer works; (None, None) for a wrong code."""
    if (live := _live(session, plain, now)) is not None:
        return live, None
    known = session.scalars(select(ConfirmationCode).where(ConfirmationCode.code_hash.in_(lookup_hashes(HASH_PREFIX + plain))).order_by(ConfirmationCode.id.desc())).first()
    if known is None:
        return None, None
    return known, CodeProblem.USED if known.used_at is not None else CodeProblem.EXPIRED


def _live(session: Session, plain: str, now: datetime) -> ConfirmationCode | None:
    """The unused, unexpired code with these digits, if any."""
    rows = session.scalars(
        select(ConfirmationCode).where(ConfirmationCode.code_hash.in_(lookup_hashes(HASH_PREFIX + plain)), ConfirmationCode.used_at.is_(None))
    )
    return next((row for row in rows if aware(row.expires_at) > now), None)


def locked_until(session: Session, line_user_pk: int, now: datetime) -> datetime | None:
    """When this LINE user may try codes again, if it is locked out now."""
    return lockout.locked_until(session.get(ConfirmationGuard, line_user_pk), now)


def closed_everywhere(session: Session, now: datetime) -> bool:
    """True when so many wrong codes came from all accounts lately that code entry is closed for a while."""
    since = now - LOCKOUT
    recent = session.scalar(
        select(func.coalesce(func.sum(ConfirmationGuard.failures), 0) + MAX_WRONG_CODES * func.count(ConfirmationGuard.locked_until)).where(
            ConfirmationGuard.last_failed_at > since
        )
    )
    return int(recent or 0) >= MAX_WRONG_CODES_EVERYWHERE


def record_wrong_code(session: Session, line_user_pk: int, now: datetime) -> datetime | None:
    """Count a wrong code; the lockout's end when this one was the last allowed."""
    guard = session.get(ConfirmationGuard, line_user_pk)
    if guard is None:
        guard = ConfirmationGuard(line_user_id=line_user_pk, failures=0)
        session.add(guard)
    guard.last_failed_at = now
    return lockout.count_wrong(guard, now)


def link_of(session: Session, line_user_pk: int) -> HouseholdLink | None:
    """The household this LINE user is linked to (a household that was erased links nobody)."""
    link = session.get(HouseholdLink, line_user_pk)
    if link is None:
        return None
    household = session.get(Household, link.household_id)
    return link if household is not None and household.forgotten_at is None else None


def use_code(session: Session, line_user_pk: int, code: ConfirmationCode, now: datetime) -> HouseholdLink:
    """Link the LINE user to the code's household (moving it from another), the code used, wrong tries forgiven."""
    link = session.get(HouseholdLink, line_user_pk)
    if link is None:
        link = HouseholdLink(line_user_id=line_user_pk, household_id=code.household_id)
        session.add(link)
    link.household_id, link.code_id, link.linked_at = code.household_id, code.id, now
    code.used_at, code.used_by = now, line_user_pk
    guard = session.get(ConfirmationGuard, line_user_pk)
    if guard is not None:
        session.delete(guard)
    return link


def problems_of(session: Session, household_id: int) -> list[HouseholdProblem]:
    """A household's problems in the order they were recorded."""
    return list(session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == household_id).order_by(HouseholdProblem.id)))


def claimed_problems(session: Session, household_id: int) -> list[HouseholdProblem]:
    """The household's problems claimed resolved and not yet confirmed by it."""
    return list(session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == household_id, CLAIMED).order_by(HouseholdProblem.id)))


def is_claimed(session: Session, problem_id: int) -> bool:
    """True while the problem waits for the household's answer."""
    return session.scalar(select(func.count()).select_from(HouseholdProblem).where(HouseholdProblem.id == problem_id, CLAIMED)) == 1


def households_awaiting(session: Session, volunteer_id: int, house_no: str | None = None, limit: int | None = 10) -> list[tuple[Household, int]]:
    """The volunteer's households with problems awaiting the household's confirmation, and how many each."""
    counts = select(HouseholdProblem.household_id, func.count().label("claimed")).where(CLAIMED).group_by(HouseholdProblem.household_id).subquery()
    query = (
        select(Household, counts.c.claimed)
        .join(counts, counts.c.household_id == Household.id)
        .where(Household.volunteer_id == volunteer_id, Household.forgotten_at.is_(None))
        .order_by(Household.id)
        .limit(limit)
    )
    if house_no is not None:
        query = query.where(Household.house_no == house_no)
    return [(household, count) for household, count in session.execute(query)]


def awaiting_among(session: Session, household_ids: list[int]) -> set[int]:
    """Those of these households with a problem awaiting the household's confirmation (one query for a page)."""
    if not household_ids:
        return set()
    return set(session.scalars(select(HouseholdProblem.household_id).where(HouseholdProblem.household_id.in_(household_ids), CLAIMED).distinct()))


def own_households(session: Session, volunteer_id: int, house_no: str) -> list[Household]:
    """The volunteer's households with this house number (newest round first)."""
    query = select(Household).where(Household.volunteer_id == volunteer_id, Household.house_no == house_no, Household.forgotten_at.is_(None))
    return list(session.scalars(query.order_by(Household.id.desc()).limit(10)))


def record_answer(
    session: Session,
    problem: HouseholdProblem,
    answer: ConfirmationAnswer,
    now: datetime,
    *,
    line_user_pk: int | None = None,
    witness: ConfirmationWitness | None = None,
    comment: str | None = None,
    voice: bool = False,
) -> ProblemConfirmation:
    """Keep the household's answer with its history row: confirmed leaves the status, not solved reopens it."""
    by = witness.volunteer_id if witness is not None else None
    # Not solved reopens the problem; a confirmation leaves its status and is kept in its history all the same.
    status = ProblemStatus.NOT_RESOLVED if answer is ConfirmationAnswer.NOT_RESOLVED else ProblemStatus(problem.status)
    set_status(session, problem, status, ProblemChange.HOUSEHOLD, now, by=by, always=True)
    history = next(row for row in session.new if isinstance(row, ProblemHistory) and row.problem_id == problem.id)
    session.flush()
    confirmation = ProblemConfirmation(
        problem_id=problem.id,
        household_id=problem.household_id,
        history_id=history.id,
        answer=answer,
        comment=comment,
        voice=voice,
        line_user_id=line_user_pk,
        witness_id=witness.id if witness is not None else None,
        recorded_by=by,
        confirmed_at=now,
    )
    session.add(confirmation)
    return confirmation


def start_witness(session: Session, household_id: int, volunteer_id: int, name: str, now: datetime) -> ConfirmationWitness:
    """A witnessed confirmation begins with the name of who is present."""
    witness = ConfirmationWitness(household_id=household_id, volunteer_id=volunteer_id, name=name, created_at=now)
    session.add(witness)
    session.flush()
    return witness


def witness_on(witness: ConfirmationWitness, relation: str | None = None, day: date | None = None) -> None:
    """Set the witness's relation to the household, or the day they confirmed."""
    if relation is not None:
        witness.relation = relation
    if day is not None:
        witness.witnessed_on = day


def supervisors_of(session: Session, household: Household) -> list[int]:
    """The active supervisors over the household's area (its municipality, or its community)."""
    query = select(Person.id).where(
        Person.role == "supervisor",
        Person.active.is_(True),
        Person.municipality_id == household.municipality_id,
        or_(Person.community_id.is_(None), Person.community_id == household.community_id),
    )
    return list(session.scalars(query.order_by(Person.id)))


def confirmations_of(session: Session, problem_id: int) -> list[ProblemConfirmation]:
    """A problem's confirmations, oldest first."""
    return list(session.scalars(select(ProblemConfirmation).where(ProblemConfirmation.problem_id == problem_id).order_by(ProblemConfirmation.id)))

"""Survey storage: households, one row per answer, members and problems projected from answers.

Every function takes the session first and never commits: the webhook event owns the
transaction, so an answer, its projections and the dialog pointer are stored together.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

from sqlalchemy import Select, bindparam, delete, insert, select, tuple_, union, update
from sqlalchemy.orm import Session

from storage import conversations, direct
from storage.approval import await_approval
from storage.models import AnswerChange, Conversation, Household, HouseholdMember, HouseholdProblem, Person, SurveyAnswer, utcnow
from storage.problems import set_status
from storage.remembered_answers import forget_remembered, take_remembered
from storage.sealed import Sensitive, lookup_hashes
from storage.statuses import OPEN_HOUSEHOLD_STATUSES, ApprovalStatus, HouseholdStatus, ProblemChange, ProblemStatus

Key = tuple[str, int]
# Answers are read and written as plain rows (Core), never as tracked ORM objects.
ANSWERS = SurveyAnswer.__table__
# Statements every survey step runs, built once (SQLAlchemy then reuses their cache key
# and compiled form; building them per call cost more than running them).
_ANSWERS_OF = select(ANSWERS.c.code, ANSWERS.c.member_no, ANSWERS.c.value).where(ANSWERS.c.household_id == bindparam("household_id"))
# Executed with the row's values as parameters (SET and VALUES come from their keys).
_UPDATE_ANSWER = update(ANSWERS).where(
    ANSWERS.c.household_id == bindparam("b_household_id"), ANSWERS.c.code == bindparam("b_code"), ANSWERS.c.member_no == bindparam("b_member_no")
)
_INSERT_ANSWER = insert(ANSWERS)
# The survey's draft in hand is the draft of the person's conversation.
SURVEY = "survey"
_ACTIVE_HOUSEHOLD = (
    select(Household)
    .join(Conversation, (Conversation.draft_id == Household.id) & (Conversation.dialog == SURVEY))
    .join(Person, Person.line_user_id == Conversation.line_user_id)
    .where(Person.id == bindparam("person_id"))
)



@dataclass(frozen=True)
class Projection:
    """Where one answer is copied for search and reports; the caller reads it from the form."""

    # Household columns (member columns with `member`); a location fills two (latitude, longitude).
    columns: tuple[str, ...] = ()
    member: bool = False
    # The answer that stands for no value (e.g. "no ID card"): the column is left empty.
    no_value: str | None = None
    # The answer counts the members: members beyond it, and their answers, are removed.
    counts_members: bool = False
    # A problem checklist: its section id (the problems' dimension) and its "nothing" choice.
    dimension: str | None = None
    none: str | None = None


FOLLOW_UP_MEMBER, FOLLOW_UP_DETAIL = ".member", ".detail"


def create_household(session: Session, person: Person, form_id: str, form_version: str, round_name: str, now: datetime) -> Household:
    """A new draft for a volunteer, in their area, on a form version."""
    household = Household(
        municipality_id=person.municipality_id,
        community_id=person.community_id,
        volunteer_id=person.id,
        round_name=round_name,
        form_id=form_id,
        form_version=form_version,
        status=HouseholdStatus.DRAFT,
        created_at=now,
        updated_at=now,
        dialog_state=None,
    )
    session.add(household)
    session.flush()
    return household


def answer_rows(session: Session, household_id: int) -> dict[Key, str | None]:
    """Every stored answer of a household, by (code, member number), in one query of plain values.

    A household holds 40-80 answers; loading them as ORM objects cost a step about three
    times as much as their values, and a step writes one or two of them. The answers the
    event's first read brought (remember_answers) are taken instead while still current.
    """
    remembered = take_remembered(session, household_id)
    if remembered is not None:
        return remembered
    rows = session.execute(_ANSWERS_OF, {"household_id": household_id})
    return {(code, member_no): value for code, member_no, value in rows}




def answers_of(rows: dict[Key, str | None]) -> dict[Key, str | None]:
    """The values of stored answers (a copy the engine may read while rows change)."""
    return dict(rows)


def write_answer(
    session: Session,
    household: Household,
    rows: dict[Key, str | None],
    key: Key,
    value: str | None,
    *,
    person_id: int | None,
    now: datetime,
    projection: Projection | None = None,
    sensitive: bool = False,
) -> None:
    """Store one answer (and its projection); after submission, keep the change history.

    A sensitive answer (the form says so: IDs, phones) is sealed in the answers and the history.
    """
    code, member_no = key
    known = key in rows
    old = rows.get(key)
    seal = _sealer(sensitive)
    if household.submitted_at is not None and (not known or old != value):
        session.add(AnswerChange(household_id=household.id, code=code, member_no=member_no, old_value=seal(old), new_value=seal(value), changed_by=person_id, changed_at=now))
        if household.approval == ApprovalStatus.APPROVED:
            await_approval(household, now)  # what the supervisor approved has changed
    # One statement for the one row, without loading or tracking the household's other answers.
    stamp = {"value": seal(value), "answered_by": person_id, "answered_at": now}
    forget_remembered(session)
    if known:
        direct.write(session, _UPDATE_ANSWER, {**stamp, "b_household_id": household.id, "b_code": code, "b_member_no": member_no})
    else:
        direct.write(session, _INSERT_ANSWER, {**stamp, "household_id": household.id, "code": code, "member_no": member_no})
    rows[key] = value
    household.updated_at = now
    _project(session, household, rows, code, member_no, value, projection)


def _sealer(sensitive: bool) -> Callable[[str | None], str | None]:
    """Mark values to be sealed by their column, or leave them plain."""
    if not sensitive:
        return lambda value: value
    return lambda value: None if value is None else Sensitive(value)


def _forget(session: Session, household_id: int, rows: dict[Key, str | None], keys: list[Key]) -> None:
    """Delete answers that no longer belong to the household (a removed member, an unticked problem), in one statement."""
    gone = [key for key in keys if key in rows]
    for key in gone:
        del rows[key]
    if gone:
        forget_remembered(session)
        session.execute(delete(ANSWERS).where(ANSWERS.c.household_id == household_id, tuple_(ANSWERS.c.code, ANSWERS.c.member_no).in_(gone)))


def _project(session: Session, household: Household, rows: dict[Key, str | None], code: str, member_no: int, value: str | None, projection: Projection | None) -> None:
    """Copy an answer into the columns and rows that reports query."""
    if projection is not None and projection.dimension is not None:
        gone = _sync_problems(session, household, projection.dimension, set((value or "").split()) - {projection.none})
        _forget(session, household.id, rows, [(problem + suffix, 0) for problem in gone for suffix in (FOLLOW_UP_MEMBER, FOLLOW_UP_DETAIL)])
    elif projection is not None and projection.columns:
        shown = None if value == projection.no_value else value
        if projection.member:
            if member_no > 0:
                _set_columns(_member_row(session, household.id, member_no), projection.columns, shown)
        else:
            _set_columns(household, projection.columns, shown)
        if projection.counts_members and value is not None:
            session.execute(delete(HouseholdMember).where(HouseholdMember.household_id == household.id, HouseholdMember.member_no > int(value)))
            _forget(session, household.id, rows, [key for key in rows if key[1] > int(value)])
    elif code.endswith((FOLLOW_UP_MEMBER, FOLLOW_UP_DETAIL)):
        problem_code, _dot, field = code.rpartition(".")
        problem = session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == household.id, HouseholdProblem.code == problem_code)).one_or_none()
        if problem is not None:
            if field == FOLLOW_UP_MEMBER[1:]:
                # Several members are stored in the answer ("2 3"); the row keeps the first.
                first = (value or "").split()[:1]
                problem.member_no = int(first[0]) if first and first[0].isdigit() else None
            else:
                problem.detail = value


def _member_row(session: Session, household_id: int, member_no: int) -> HouseholdMember:
    """The member's row, made on first use."""
    member = session.scalars(select(HouseholdMember).where(HouseholdMember.household_id == household_id, HouseholdMember.member_no == member_no)).one_or_none()
    if member is None:
        member = HouseholdMember(household_id=household_id, member_no=member_no)
        session.add(member)
    return member


def _set_columns(row: Household | HouseholdMember, columns: tuple[str, ...], value: str | None) -> None:
    """Set columns from an answer, converted to each column's type (two columns take "a,b")."""
    parts = value.split(",")[: len(columns)] if value is not None and len(columns) > 1 else [value] * len(columns)
    table = type(row).__table__
    for column, part in zip(columns, parts):
        setattr(row, column, _converted(table.c[column].type.python_type, part))


def _converted(kind: type, value: str | None) -> Any:
    """A stored answer as a column value."""
    if value is None:
        return None
    if kind is date:
        return date.fromisoformat(value)
    return kind(value)


def _sync_problems(session: Session, household: Household, dimension: str, codes: set[str]) -> list[str]:
    """Make the household's problems of one dimension match the ticked codes; return the codes removed."""
    existing = {p.code: p for p in session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == household.id, HouseholdProblem.dimension == dimension))}
    for code, problem in existing.items():
        if code not in codes:
            if problem.status == ProblemStatus.FOUND:
                session.delete(problem)  # never checked: a tick taken back
            else:
                # Checked since (helped, confirmed by the household …): its history and the
                # household's confirmation are evidence, so it is closed, not deleted.
                set_status(session, problem, ProblemStatus.NOT_APPLICABLE, ProblemChange.SURVEY, utcnow(), round_name=household.round_name)
    for code in codes & set(existing):
        if existing[code].status == ProblemStatus.NOT_APPLICABLE:  # ticked again: found again
            set_status(session, existing[code], ProblemStatus.FOUND, ProblemChange.SURVEY, utcnow(), round_name=household.round_name)
    for code in sorted(codes - set(existing)):
        session.add(HouseholdProblem(household_id=household.id, code=code, dimension=dimension, status=ProblemStatus.FOUND))
    return [code for code in existing if code not in codes]


def keep_only_refusal(session: Session, household: Household, consent_code: str, cleared: tuple[str, ...], now: datetime) -> None:
    """A household that does not consent: delete every answer but the consent and these projected columns.

    The caller names the columns from the form: all but the area and date (thaiqm-form.md §2.0).
    """
    forget_remembered(session)
    session.execute(delete(ANSWERS).where(ANSWERS.c.household_id == household.id, ANSWERS.c.code != consent_code))
    session.execute(delete(HouseholdMember).where(HouseholdMember.household_id == household.id))
    session.execute(delete(HouseholdProblem).where(HouseholdProblem.household_id == household.id))
    for column in cleared:
        setattr(household, column, None)
    household.status, household.updated_at = HouseholdStatus.REFUSED, now


def save_pointer(household: Household, state: str, member_no: int, problem: str, tries: int, editing: bool, confirm_cancel: bool) -> None:
    """Store where the dialog stands (a pointer into the answers, nothing more)."""
    household.dialog_state, household.dialog_member, household.dialog_problem = state, member_no, problem
    household.dialog_tries, household.dialog_editing, household.dialog_confirm_cancel = tries, editing, confirm_cancel


def active_household(session: Session, person_id: int) -> Household | None:
    """The draft the person has in hand, if any (one query)."""
    return session.scalars(_ACTIVE_HOUSEHOLD, {"person_id": person_id}).first()


def draft_in_hand(session: Session, person: Person) -> Household | None:
    """As active_household, from the session's rows when the person's conversation is among them (no query).

    A step's first statement (storage.people.person_and_conversation) loads the conversation
    and its draft; the conversation row in the session also carries any change made since.
    """
    conversation = session.identity_map.get(Session.identity_key(Conversation, person.line_user_id)) if person.line_user_id is not None else None
    if conversation is None:
        return active_household(session, person.id)
    if conversation.dialog != SURVEY or conversation.draft_id is None:
        return None
    return session.get(Household, conversation.draft_id)


def set_active(session: Session, person_id: int, household_id: int | None, now: datetime) -> None:
    """Put a draft in the person's hand (None: none), taking it out of anyone else's.

    The hand is the person's conversation (the survey dialog with this draft). The dialog
    pointer lives on the household row, so two hands on one draft would move one pointer:
    the last to open it holds it, the other's next answer finds nothing in hand.
    """
    person = session.get(Person, person_id)
    if person is None or person.line_user_id is None:
        return  # not in any chat: nothing to hold
    if household_id is None:
        conversations.leave(session, person.line_user_id, now, SURVEY)
        return
    conversations.release_draft(session, SURVEY, household_id, now, keep=person.line_user_id)
    conversations.enter(session, person.line_user_id, SURVEY, now, draft_id=household_id)


def release_household(session: Session, household_id: int, now: datetime) -> None:
    """Take a household out of every hand (it was moved to another volunteer)."""
    conversations.release_draft(session, SURVEY, household_id, now)


def release_person(session: Session, person_id: int, now: datetime) -> None:
    """Take whatever draft a person holds out of their hand (they were deactivated)."""
    person = session.get(Person, person_id)
    if person is not None and person.line_user_id is not None:
        conversations.leave(session, person.line_user_id, now, SURVEY)


def drafts_for(session: Session, person_id: int) -> list[Household]:
    """A volunteer's unfinished drafts, the most recently touched first."""
    return list(session.scalars(select(Household).where(Household.volunteer_id == person_id, Household.status == HouseholdStatus.DRAFT).order_by(Household.updated_at.desc(), Household.id.desc())))


def find_duplicates(session: Session, household: Household, groups: tuple[tuple[str, ...], ...]) -> list[Household]:
    """Other open records of the same round and municipality matching this one on every column of a group.

    The caller names the groups from the form, e.g. the house code; the head's ID; the house number in the community.
    """
    kinds = tuple(group for group in groups if all(getattr(household, column) for column in group))
    if not kinds:
        return []
    params: dict[str, Any] = {}
    for column in {column for group in kinds for column in group}:
        value = getattr(household, column)
        # A sealed column is compared by its keyed hash (under every configured key, during a rotation).
        params.update({f"{column}_hashes": lookup_hashes(str(value))} if _sealed(column) else {column: value})
    if any(len(group) > 1 for group in kinds):
        params.update(municipality_id=household.municipality_id, round_name=household.round_name)
    # The candidates' keys first: nearly always none matches, and loading whole records for nothing cost about a tenth of an answer.
    matching = [
        row.id
        for row in direct.read(session, _duplicate_query(kinds), params)
        if row.id != household.id
        and row.municipality_id == household.municipality_id
        and row.round_name == household.round_name
        and row.status in OPEN_HOUSEHOLD_STATUSES
    ]
    if not matching:
        return []
    # Still open when read whole (another event may have closed one in between).
    return list(session.scalars(select(Household).where(Household.id.in_(matching), Household.status.in_(OPEN_HOUSEHOLD_STATUSES)).order_by(Household.id)))


def _sealed(column: str) -> bool:
    """True for a household column stored sealed, with its lookup hash beside it (`<column>_hash`)."""
    return hasattr(Household, f"{column}_hash")


def _matches(column: str):  # type: ignore[no-untyped-def]
    """The condition a household matches a looked-up value of one column by."""
    if _sealed(column):
        return getattr(Household, f"{column}_hash").in_(bindparam(f"{column}_hashes", expanding=True))
    return getattr(Household, column) == bindparam(column)


@functools.cache
def _duplicate_query(kinds: tuple[tuple[str, ...], ...]) -> Select:
    """Households matching any of these groups of columns, built once per combination.

    A one-column group is looked up by its own index; a group of several within the
    municipality and round (the index on municipality, round, house number). The few hits
    are checked by the caller: one OR (with the municipality and round) made SQLite walk
    every household of the municipality and round, so a step grew with the size of the round.
    """
    parts = []
    for group in kinds:
        scope = () if len(group) == 1 else (Household.municipality_id == bindparam("municipality_id"), Household.round_name == bindparam("round_name"))
        parts.append(select(Household.id).where(*scope, *(_matches(column) for column in group)))
    candidates = union(*parts) if len(parts) > 1 else parts[0]
    return select(Household.id, Household.municipality_id, Household.round_name, Household.status).where(Household.id.in_(candidates)).order_by(Household.id)


def receipt_number(household: Household) -> str:
    """The receipt a volunteer quotes: QM-<round>-<6-digit record number>."""
    return f"QM-{household.round_name}-{household.id:06d}"


def submit(household: Household, now: datetime) -> str:
    """Mark a household submitted (again, after a correction) and return its receipt number."""
    household.status = HouseholdStatus.SUBMITTED
    household.submitted_at = household.submitted_at or now
    household.updated_at = now
    household.receipt_no = household.receipt_no or receipt_number(household)
    await_approval(household, now)
    return household.receipt_no


def by_receipt(session: Session, receipt: str) -> Household | None:
    """The household with a receipt number."""
    return session.scalars(select(Household).where(Household.receipt_no == receipt)).one_or_none()


def changes_of(session: Session, household_id: int) -> list[AnswerChange]:
    """A household's changes after submission, oldest first."""
    return list(session.scalars(select(AnswerChange).where(AnswerChange.household_id == household_id).order_by(AnswerChange.id)))

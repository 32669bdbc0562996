"""The progress view's counters (migration 0017's triggers) stay equal to a recount through every storage path."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from storage import problems as problem_status
from storage.approval import approve, send_back
from storage.counter_models import HouseholdCount, ProblemCount
from storage.drafts import delete_draft
from storage.forget import forget_household
from storage.models import Community, Household, HouseholdProblem, Municipality, Person
from storage.progress import progress
from storage.progress_counts import drift, rebuild
from storage.rexray import NewProblem, ProblemCheck, add_new_problem, begin_revisit, cancel_revisit, finish_revisit, finish_visit, open_revisit, record_check
from storage.round_import import HouseholdRecord, ProblemRecord, store_round
from storage.statuses import ApprovalStatus, HouseholdPresence, HouseholdStatus, ProblemChange, ProblemStatus, RexrayStatus
from storage.surveys import Projection, answer_rows, create_household, keep_only_refusal, submit, write_answer
from tests.conftest import empty_tables
from tests.support.progress_seed import seed

ROUND, EARLIER = "2566", "2565"
DIMENSIONS = ("health", "living", "education", "income", "accessibility")
STATUSES = tuple(ProblemStatus)
START = datetime(2026, 11, 2, 3, 0, tzinfo=timezone.utc)

OPERATIONS = (
    "draft", "tick", "submit", "approve", "send_back", "refuse", "delete_draft", "forget", "reassign", "move",
    "import", "begin_revisit", "check", "finish_visit", "cancel_revisit", "set_status", "new_problem",
)


class Area:
    """One municipality with two communities, three volunteers and a supervisor."""

    def __init__(self, session: Session) -> None:
        municipality = Municipality(name="เทศบาลตำบลทดสอบ", kind="subdistrict", tambon_code="401099", amphoe_code="4010", province_code="40")
        session.add(municipality)
        session.flush()
        self.communities = [Community(municipality_id=municipality.id, name=f"ชุมชน {n}", target_households=5) for n in (1, 2)]
        session.add_all(self.communities)
        session.flush()
        homes = (self.communities[0].id, self.communities[0].id, self.communities[1].id)
        self.volunteers = [Person(role="volunteer", full_name=f"อาสา {n}", municipality_id=municipality.id, community_id=home) for n, home in enumerate(homes)]
        self.supervisor = Person(role="supervisor", full_name="ผู้ดูแล", municipality_id=municipality.id)
        session.add_all([*self.volunteers, self.supervisor])
        session.flush()
        self.municipality_id = municipality.id
        self.community_ids = [c.id for c in self.communities]
        self.volunteer_ids = [v.id for v in self.volunteers]
        self.supervisor_id = self.supervisor.id


def _pick(rows: list, n: int):  # type: ignore[no-untyped-def, type-arg]
    """The n-th of some rows (modulo), or None when there are none."""
    return rows[n % len(rows)] if rows else None


def _households(session: Session, *where) -> list[Household]:  # type: ignore[no-untyped-def]
    """Households matching conditions, in id order (a stable choice for the drawn numbers)."""
    return list(session.scalars(select(Household).where(*where).order_by(Household.id)))


def _problems(session: Session) -> list[HouseholdProblem]:
    """Every problem, in id order."""
    return list(session.scalars(select(HouseholdProblem).order_by(HouseholdProblem.id)))


def _codes(dimension: str, bits: int) -> str:
    """A checklist answer: some of the dimension's three problems (nothing ticked: 'none')."""
    codes = [f"{dimension[0].upper()}{n}" for n in range(1, 4) if bits >> n & 1]
    return " ".join(codes) or "none"


def apply(session: Session, area: Area, operation: str, a: int, b: int, now: datetime) -> None:
    """One change through the storage functions the bot and the command line use."""
    volunteer = area.volunteers[a % 3]
    unsubmitted = (Household.revisit_of.is_(None), Household.status == HouseholdStatus.DRAFT)
    if operation == "draft":
        create_household(session, volunteer, "thaiqm-2566", "1", ROUND, now)
    elif operation == "tick" and (household := _pick(_households(session, Household.revisit_of.is_(None), Household.status.in_((HouseholdStatus.DRAFT, HouseholdStatus.SUBMITTED))), b)):
        # A problem checklist answered, or corrected after submission (ticks added and taken back).
        dimension = DIMENSIONS[a % 5]
        write_answer(session, household, answer_rows(session, household.id), (f"problems_{dimension}", 0), _codes(dimension, b),
                     person_id=volunteer.id, now=now, projection=Projection(dimension=dimension, none="none"))
    elif operation == "submit" and (household := _pick(_households(session, *unsubmitted), b)):
        submit(household, now)
    elif operation in ("approve", "send_back") and (household := _pick(_households(session, Household.approval == ApprovalStatus.AWAITING), b)):
        if operation == "approve":
            approve(household, area.supervisor_id, now)
        else:
            send_back(household, area.supervisor_id, "ตรวจอีกครั้ง", now)
    elif operation == "refuse" and (household := _pick(_households(session, *unsubmitted), b)):
        keep_only_refusal(session, household, "consent", (), now)
    elif operation == "delete_draft" and (household := _pick(_households(session, *unsubmitted, Household.submitted_at.is_(None)), b)):
        delete_draft(session, household, now, actor_id=area.supervisor_id)
    elif operation == "forget" and (household := _pick(_households(session, Household.forgotten_at.is_(None)), b)):
        forget_household(session, household, (), now)
    elif operation == "reassign" and (household := _pick(_households(session), b)):
        household.volunteer_id, household.updated_at = volunteer.id, now  # as bot/handlers/reassign.py does
    elif operation == "move" and (household := _pick(_households(session), b)):
        household.community_id = _pick([*area.community_ids, None], a)  # as a corrected import does
    elif operation == "import":
        _import(session, area, a, b, now)
    elif operation == "begin_revisit" and (household := _pick(_households(session, Household.rexray_status == RexrayStatus.PENDING), b)):
        begin_revisit(session, household, volunteer, "rexray", "1", ROUND, now)
    elif operation == "check" and (problem := _pick(_problems(session), b)):
        record_check(session, problem, ProblemCheck(STATUSES[a % len(STATUSES)]), volunteer.id, now, ROUND)
    elif operation == "finish_visit" and (household := _pick(_households(session, Household.rexray_status == RexrayStatus.STARTED), b)):
        finish_visit(household, HouseholdPresence.PRESENT, now)
        if (revisit := open_revisit(session, household.id)) is not None:
            finish_revisit(revisit, now, f"QM-{ROUND}-R{revisit.id:06d}")
    elif operation == "cancel_revisit" and (revisit := _pick(_households(session, Household.revisit_of.is_not(None), Household.status == HouseholdStatus.DRAFT), b)):
        cancel_revisit(session, revisit, now)
    elif operation == "set_status" and (problem := _pick(_problems(session), b)):
        problem_status.set_status(session, problem, STATUSES[a % len(STATUSES)], ProblemChange.SUPERVISOR, now, by=area.supervisor_id)
    elif operation == "new_problem" and (household := _pick(_households(session, Household.revisit_of.is_(None)), b)):
        dimension = DIMENSIONS[a % 5]
        add_new_problem(session, household, NewProblem(f"{dimension[0].upper()}{1 + a % 3}", dimension), volunteer.id, now, ROUND)


def _import(session: Session, area: Area, a: int, b: int, now: datetime) -> None:
    """thaiqm-bot import-round's storing of an earlier round's file: some of four houses, in a drawn community, with drawn problems."""
    records = []
    for house in range(4):
        if not b >> house & 1:
            continue
        community = _pick(area.community_ids, a >> house)
        problems = [ProblemRecord(f"{d[0].upper()}1", d, status=_pick([None, *STATUSES], a + n)) for n, d in enumerate(DIMENSIONS) if (a + house) >> n & 1]
        records.append(HouseholdRecord(order=house, community_id=community, house_no=f"{house + 1}/1", volunteer_id=_pick([None, *area.volunteer_ids], a + house), problems=problems))
    store_round(session, area.municipality_id, EARLIER, records, {area.community_ids[0]: area.volunteer_ids[:2], area.community_ids[1]: area.volunteer_ids[2:]}, now)


# Where every drawn sequence starts: drafts with problems, two of them submitted, an earlier round imported.
PRELUDE = [("draft", 0, 0), ("draft", 1, 0), ("draft", 2, 0), ("tick", 0, 14), ("tick", 1, 7), ("tick", 2, 10), ("tick", 3, 9),
           ("submit", 0, 0), ("submit", 0, 1), ("import", 21, 15)]
steps = st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 63), st.integers(0, 63)), min_size=1, max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=steps)
def test_counters_equal_a_recount_after_any_sequence_of_changes(db_engine, steps):
    empty_tables(db_engine)
    with Session(db_engine) as session:
        area = Area(session)
        session.commit()
        for n, (operation, a, b) in enumerate(PRELUDE + steps):
            apply(session, area, operation, a, b, START + timedelta(minutes=n))
            session.commit()
            assert drift(session) == [], f"after {operation} (step {n})"


def test_deleting_a_submitted_household_counts_out_its_problems(db_engine):
    """A household deleted with SQL (its problems go by ON DELETE CASCADE) leaves no count behind."""
    seeded = seed(db_engine, communities=2, households=20)
    with Session(db_engine) as session:
        submitted = session.scalars(select(Household.id).where(Household.status == HouseholdStatus.SUBMITTED).order_by(Household.id)).all()
        assert session.scalar(select(ProblemCount.problems).where(ProblemCount.municipality_id == seeded.municipality_id).limit(1))
        session.execute(delete(Household).where(Household.id.in_(submitted[:5])))
        session.commit()
        assert drift(session) == []
        figures = progress(session, seeded.municipality_id, ROUND, START)
        assert sum(figures.problems_by_status.values()) == len(submitted) - 5


def test_rebuild_reports_and_mends_counters_gone_wrong(db_engine, run):
    seeded = seed(db_engine, communities=3, households=30)
    with Session(db_engine) as session:
        session.execute(update(HouseholdCount).where(HouseholdCount.status == HouseholdStatus.SUBMITTED).values(households=HouseholdCount.households + 2))
        session.execute(delete(ProblemCount).where(ProblemCount.dimension == "health"))
        session.execute(insert(ProblemCount).values(municipality_id=seeded.municipality_id, round_name="2500", community_id=0, volunteer_id=0, dimension="income", status="found", problems=4))
        session.commit()
        wrong = drift(session)
        assert {d.table for d in wrong} == {"progress_households", "progress_problems"}
    checked = run("db", "recount", "--check")
    assert checked.exit_code == 1
    assert f"{len(wrong)} counters differ from a recount" in checked.output
    assert "progress_problems" in checked.output and "stored 4, counted 0" in checked.output
    mended = run("db", "recount")
    assert mended.exit_code == 0, mended.output
    assert f"{len(wrong)} counters differed from a recount and were set right" in mended.output
    again = run("db", "recount", "--check")
    assert again.exit_code == 0 and "the progress counters agree with a recount" in again.output


def test_rebuild_of_right_counters_changes_nothing(db_engine):
    seed(db_engine, communities=2, households=40)
    with Session(db_engine) as session:
        before = session.execute(select(HouseholdCount.__table__)).all(), session.execute(select(ProblemCount.__table__)).all()
        assert rebuild(session) == []
        session.commit()
        after = session.execute(select(HouseholdCount.__table__)).all(), session.execute(select(ProblemCount.__table__)).all()
    assert sorted(before[0]) == sorted(after[0]) and sorted(before[1]) == sorted(after[1])


@pytest.mark.parametrize("column, value", [("dialog_state", "q5"), ("updated_at", START), ("house_no", "9/9"), ("status", "draft")])
def test_a_survey_answer_that_moves_no_count_fires_no_counting(db_engine, column, value):
    """The step's own updates (pointer, time, projected answers, a status it already had) leave the counters alone."""
    seeded = seed(db_engine, communities=1, households=10)
    with Session(db_engine) as session:
        drafts = [Household.municipality_id == seeded.municipality_id, Household.status == HouseholdStatus.DRAFT]
        assert session.scalars(select(Household.id).where(*drafts)).all()
        session.execute(delete(HouseholdCount))  # counting, had it run, would put the drafts' row back
        session.execute(update(Household).where(*drafts).values({column: value}))
        session.commit()
        assert session.scalars(select(HouseholdCount.households)).all() == []
        session.execute(update(Household).where(*drafts).values(status=HouseholdStatus.CANCELLED))
        session.commit()
        assert session.scalars(select(HouseholdCount.status)).all() == [HouseholdStatus.CANCELLED]

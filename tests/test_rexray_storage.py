"""Re-X-ray storage: the volunteer's worklist (walking order, pages, search) and a problem check with its history."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Household, HouseholdProblem
from storage.problems import history_of
from storage.rexray import ProblemCheck, finish_visit, record_check, start_visit, worklist
from storage.round_import import HouseholdRecord, ProblemRecord, store_round
from storage.statuses import HouseholdPresence, ProblemStatus
from tests.support.world import World

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)


def imported(db_engine, count: int = 25):  # type: ignore[no-untyped-def]
    """A sub-district municipality whose volunteer has `count` imported households (two problems each, in two communities)."""
    world = World(db_engine)
    town = world.municipality("เทศบาลตำบลเมืองเพีย", "401005", "subdistrict")
    north, south = world.community(town, "ชุมชนเหนือ"), world.community(town, "ชุมชนใต้")
    volunteer = world.person("volunteer", town, north)
    records = [
        HouseholdRecord(order=n, community_id=south if n % 2 else north, house_no=f"{n}/1", head_name=f"นาย{'สมบัติ' if n == 7 else 'ทดสอบ'} คนที่{n}",
                        problems=[ProblemRecord("H1", "health"), ProblemRecord("I4", "income")])
        for n in range(1, count + 1)
    ]
    with Session(db_engine) as session, session.begin():
        store_round(session, town, "2565", records, {None: [volunteer]}, NOW)
    return volunteer


def test_the_worklist_walks_community_by_community_in_file_order_a_page_at_a_time(db_engine):
    volunteer = imported(db_engine)
    with Session(db_engine) as session:
        first, total = worklist(session, volunteer, limit=10)
        third, _ = worklist(session, volunteer, offset=20, limit=10)
    assert total == 25 and len(first) == 10 and len(third) == 5
    assert [i.house_no for i in first[:3]] == ["2/1", "4/1", "6/1"] and first[0].community == "ชุมชนเหนือ"
    assert [i.house_no for i in third][-1] == "25/1" and third[-1].community == "ชุมชนใต้"
    assert (first[0].problems, first[0].checked) == (2, 0)


def test_the_worklist_is_searched_by_house_number_or_head_name(db_engine):
    volunteer = imported(db_engine)
    with Session(db_engine) as session:
        by_number, count = worklist(session, volunteer, search="12")
        by_name, _ = worklist(session, volunteer, search="สมบัติ")
        nothing, none = worklist(session, volunteer, search="%")
    assert count == 1 and by_number[0].house_no == "12/1"
    assert [i.house_no for i in by_name] == ["7/1"]
    assert (nothing, none) == ([], 0)


def test_a_checked_problem_keeps_its_history_and_a_finished_household_leaves_the_worklist(db_engine):
    volunteer = imported(db_engine, count=2)
    with Session(db_engine) as session, session.begin():
        household = session.scalars(select(Household).where(Household.house_no == "1/1")).one()
        h1, i4 = session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == household.id).order_by(HouseholdProblem.code)).all()
        start_visit(household, NOW)
        record_check(session, h1, ProblemCheck(ProblemStatus.HELPED, ("government",), ("treatment",), "รพ.สต.", date(2023, 5, 1)), volunteer, NOW, "2566")
        record_check(session, i4, ProblemCheck(ProblemStatus.NOT_RESOLVED, note="ยังไม่มีทุน"), volunteer, NOW, "2566")
        h1_id, household_id = h1.id, household.id
    with Session(db_engine) as session:
        [item], _ = worklist(session, volunteer, search="1/1")
        assert (item.rexray_status, item.checked) == ("started", 2)
        changes = history_of(session, h1_id)
        assert [(c.old_status, c.new_status, c.via, c.changed_by, c.round_name) for c in changes] == [
            (None, "found", "import", None, "2565"), ("found", "helped", "rexray", volunteer, "2566")]
    with Session(db_engine) as session, session.begin():
        finish_visit(session.get(Household, household_id), HouseholdPresence.MOVED, NOW)
    with Session(db_engine) as session:
        items, total = worklist(session, volunteer)
        assert total == 1 and items[0].house_no == "2/1"
        assert session.get(Household, household_id).presence == "moved"


def test_a_new_problem_taken_back_at_a_correction_is_closed_and_found_again_when_ticked_again(db_engine):
    from storage.rexray import NewProblem, add_new_problem, withdraw_new_problem

    volunteer = imported(db_engine, count=1)
    with Session(db_engine) as session, session.begin():
        household = session.scalars(select(Household).where(Household.house_no == "1/1")).one()
        problem = add_new_problem(session, household, NewProblem("L2", "living", detail="หลังคารั่ว"), volunteer, NOW, "2566")
        assert problem is not None
        withdraw_new_problem(session, problem, volunteer, NOW, "2566")
        assert add_new_problem(session, household, NewProblem("L2", "living", detail="ฝาผนังผุ"), volunteer, NOW, "2566") is None
        problem_id = problem.id
    with Session(db_engine) as session:
        again = session.get(HouseholdProblem, problem_id)
        assert (again.status, again.detail) == ("found", "ฝาผนังผุ")
        assert [(c.old_status, c.new_status, c.via) for c in history_of(session, problem_id)] == [
            (None, "found", "survey"), ("found", "not_applicable", "rexray"), ("not_applicable", "found", "survey")]

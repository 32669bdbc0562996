"""The draft in hand is re-checked against the policy at every step: moved or deactivated, it is gone."""

from __future__ import annotations

from sqlalchemy import select

from bot.chat import postback
from storage.models import Conversation, Household, LineUser, Person, SurveyAnswer
from tests.support.survey import make_volunteer
from tests.test_survey_chat import begin, rows

HEAD_ID = "1103701234563"


def _two_volunteers_and_a_supervisor(line_user, db_engine):  # type: ignore[no-untyped-def]
    """Volunteer A with a draft at the member count, volunteer B and a supervisor of the same municipality."""
    a, b, boss = line_user(), line_user(), line_user()
    people = make_volunteer(db_engine, a.user_id)
    other = make_volunteer(db_engine, b.user_id, name="อาสา สอง", municipality_id=people["municipality_id"])
    make_volunteer(db_engine, boss.user_id, name="หัวหน้า ทดสอบ", municipality_id=people["municipality_id"], role="supervisor")
    begin(a, head_id=HEAD_ID)
    (household,) = rows(db_engine, Household)
    return a, b, boss, household, people, other


def _conversation(db_engine, chat):  # type: ignore[no-untyped-def]
    """The conversation row of a chat's LINE user."""
    with db_engine.connect() as connection:
        return connection.execute(select(Conversation).join(LineUser, LineUser.id == Conversation.line_user_id).where(LineUser.line_user_id == chat.user_id)).one()


def _answers(db_engine):  # type: ignore[no-untyped-def]
    return sorted((row.code, row.member_no, row.value) for row in rows(db_engine, SurveyAnswer))


def test_reassigned_draft_is_out_of_the_old_volunteers_hand(line_user, db_engine):
    a, b, boss, household, people, other = _two_volunteers_and_a_supervisor(line_user, db_engine)
    done = boss.tap(postback.encode("sup.move.to", h=household.id, p=other["person_id"]))
    assert "อาสา สอง" in done.text
    assert rows(db_engine, Conversation, draft_id=household.id) == []
    before = _answers(db_engine)
    answer = a.say("ย้อนกลับ")
    assert "ระบบไม่เข้าใจข้อความนี้" in answer.text and HEAD_ID not in " ".join(answer.texts)
    for typed in ("ย้อนกลับ", "1", "ยืนยันส่ง"):
        answer = a.say(typed)
        assert HEAD_ID not in " ".join(answer.texts)
    assert _answers(db_engine) == before
    assert rows(db_engine, Household)[0].status == "draft"


def test_a_draft_in_hand_that_the_policy_no_longer_allows_is_dropped(line_user, db_engine):
    """Moved behind the handlers' back (no session cleared): the step itself asks the policy."""
    a, b, boss, household, people, other = _two_volunteers_and_a_supervisor(line_user, db_engine)
    with db_engine.begin() as connection:
        connection.execute(Household.__table__.update().where(Household.__table__.c.id == household.id).values(volunteer_id=other["person_id"]))
    before = _answers(db_engine)
    answer = a.say("ย้อนกลับ")
    assert "ไม่ได้มอบหมายให้ท่านแล้ว" in answer.text and HEAD_ID not in " ".join(answer.texts)
    assert a.send_location().texts and _answers(db_engine) == before
    conversation = _conversation(db_engine, a)
    assert (conversation.dialog, conversation.draft_id) == (None, None)


def test_deactivation_clears_the_draft_in_hand(line_user, db_engine):
    a, b, boss, household, people, other = _two_volunteers_and_a_supervisor(line_user, db_engine)
    boss.tap(postback.encode("sup.off.ok", p=people["person_id"]))
    with db_engine.connect() as connection:
        assert connection.execute(select(Person.active).where(Person.id == people["person_id"])).scalar_one() is False
    assert rows(db_engine, Conversation, draft_id=household.id) == []
    before = _answers(db_engine)
    answer = a.say("ย้อนกลับ")
    assert "บัญชีของท่านถูกระงับสิทธิ์ใช้งานแล้ว" in answer.text and HEAD_ID not in " ".join(answer.texts)
    assert _answers(db_engine) == before


def test_opening_a_draft_another_person_holds_takes_it_over(line_user, db_engine):
    a, b, boss, household, people, other = _two_volunteers_and_a_supervisor(line_user, db_engine)
    opened = boss.tap(postback.encode("sv", h=household.id, a="open"))
    assert "จำนวนสมาชิกที่อาศัยอยู่จริง" in opened.text
    (holder,) = rows(db_engine, Conversation, draft_id=household.id)
    assert holder == _conversation(db_engine, boss) and holder.dialog == "survey"
    a.say("2")  # the volunteer no longer holds it: this moves nothing
    assert not rows(db_engine, SurveyAnswer, code="member_count")
    answer = boss.say("1")
    assert "ตำแหน่งบ้าน" in answer.text
    (count,) = rows(db_engine, SurveyAnswer, code="member_count")
    assert count.value == "1"

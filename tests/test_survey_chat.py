"""The survey in the chat, through signed webhooks and the fake LINE API."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Household, SurveyAnswer
from tests.support.line_chat import dump
from tests.support.survey import make_volunteer


def rows(engine, model, **where):  # type: ignore[no-untyped-def]
    """Rows of a table matching simple equalities."""
    with engine.connect() as connection:
        statement = select(model)
        for column, value in where.items():
            statement = statement.where(getattr(model, column) == value)
        return connection.execute(statement).all()


def test_unregistered_user_is_asked_to_register(line_user):
    answer = line_user().say("สำรวจ")
    assert 'กรุณากด “ลงทะเบียน” และกรอกรหัสเชิญ' in answer.text
    assert "ลงทะเบียน" in answer.buttons


def test_survey_starts_with_consent_and_progress(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    answer = chat.say("สำรวจ")
    assert answer.status == 200, dump(answer)
    assert "ส่วนที่ 1/9 · ความยินยอมและผู้ให้ข้อมูล" in answer.text
    assert "ครัวเรือนยินยอมให้ข้อมูลเพื่อใช้ในการแก้ไขปัญหาและพัฒนาคุณภาพชีวิตหรือไม่" in answer.text
    assert answer.buttons[:2] == ["1. ยินยอม", "2. ไม่ยินยอม"]
    (household,) = rows(db_engine, Household)
    assert (household.form_id, household.form_version, household.status) == ("thaiqm-2566", "1", "draft")


def test_refusal_records_only_the_refusal(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    chat.say("สำรวจ")
    answer = chat.say("ไม่ใช่")
    assert "ครัวเรือนไม่ยินยอมให้ข้อมูล" in answer.text
    (household,) = rows(db_engine, Household)
    assert household.status == "refused" and household.head_name is None and household.volunteer_id is not None
    assert [(a.code, a.value) for a in rows(db_engine, SurveyAnswer)] == [("consent", "no")]


import datetime as dt  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from bot.dialogs.answers import format_date_be  # noqa: E402
from storage.models import AnswerChange, HouseholdProblem  # noqa: E402
from tests.support.survey import flex_actions  # noqa: E402


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Bangkok")).date()


def begin(chat, house_no="12/3", head="นายสมชาย ใจดี", house_code="10030123456", head_id="1103701234563"):  # type: ignore[no-untyped-def]
    """Start a survey and answer the household part up to the member count."""
    chat.say("สำรวจ")
    for value in ("ใช่", "1", format_date_be(today()), house_code, house_no):
        answer = chat.say(value)
    if "หมู่ที่" in answer.texts[-1]:  # not asked when the volunteer's community is known (it has none)
        answer = chat.say("2")
    if "1. ชุมชนวัดใหม่" in answer.text:  # asked only of a volunteer not bound to a community
        chat.say("1")
    for value in ("ใช่", head, head_id, "ข้าม"):
        answer = chat.say(value)
    return answer


def finish_one_member(chat):  # type: ignore[no-untyped-def]
    """Answer from the member count to the review for a one-member household."""
    for value in ("1", "ข้าม", "45", "1", "2", "3", "9,000", "6"):  # "นาย" before the name: no sex asked
        chat.say(value)
    for _dim in "HLEIA":
        chat.say("ไม่มีปัญหาด้านนี้")
    return chat.say("ข้าม")  # the surveyor's note is offered on the review, not asked


def test_typed_thai_date_is_accepted(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    chat.say("สำรวจ")
    chat.say("ใช่")
    chat.say("1")
    day = today()
    answer = chat.say(f"{day.day} {('ม.ค.','ก.พ.','มี.ค.','เม.ย.','พ.ค.','มิ.ย.','ก.ค.','ส.ค.','ก.ย.','ต.ค.','พ.ย.','ธ.ค.')[day.month - 1]} {(day.year + 543) % 100}")
    assert "รหัสประจำบ้าน" in answer.text, dump(answer)
    (row,) = rows(db_engine, SurveyAnswer, code="survey_date")
    assert row.value == day.isoformat()


def test_help_after_three_wrong_answers_offers_skip(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    for value in ("สำรวจ", "ใช่", "1", format_date_be(today()), "1", "2"):
        answer = chat.say(value)
    assert "รหัสประจำบ้านมี 11 หลัก" in answer.text and "คำแนะนำ" not in answer.text
    answer = chat.say("3")
    assert "คำแนะนำ: รหัสประจำบ้านคือตัวเลข 11 หลักในทะเบียนบ้าน" in answer.text
    assert "ข้าม" in answer.buttons
    answer = chat.say("วิธีใช้")
    assert "คำแนะนำ: รหัสประจำบ้านคือ" in answer.text and "รหัสประจำบ้าน (11 หลัก)" in answer.text
    assert chat.say("ช่วยเหลือ").text == answer.text  # the word help had before, still understood


def test_cancel_asks_first_and_keeps_the_draft_as_cancelled(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    chat.say("สำรวจ")
    chat.say("ใช่")
    answer = chat.say("ยกเลิก")
    assert "ต้องการยกเลิกการสำรวจครัวเรือนนี้หรือไม่" in answer.text
    assert answer.buttons[:2] == ["ยืนยันยกเลิก", "ไม่ยกเลิก"]
    answer = chat.tap_button(answer, "ไม่ยกเลิก")
    assert "ดำเนินการสำรวจต่อ" in answer.text and "ผู้ให้ข้อมูล" in answer.text
    answer = chat.say("ยกเลิก")
    answer = chat.tap_button(answer, "ยืนยันยกเลิก")
    assert "ยกเลิกการสำรวจแล้ว" in answer.text
    (household,) = rows(db_engine, Household)
    assert household.status == "cancelled"
    assert [(a.code, a.value) for a in rows(db_engine, SurveyAnswer)] == [("consent", "yes")]
    assert "ไม่มีแบบสำรวจที่ค้างอยู่" in chat.say("ทำต่อ").text


def two_drafts(chat, *second: str) -> None:  # type: ignore[no-untyped-def]
    """A paused draft of house 12/3, and a second draft in hand begun with these answers (consent alone by default)."""
    begin(chat)
    chat.say("พัก")
    chat.tap_button(chat.say("สำรวจ"), "เริ่มครัวเรือนใหม่")
    for value in second or ("ใช่",):
        chat.say(value)


def test_resume_lists_several_drafts_and_opens_the_chosen_one(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    two_drafts(chat)
    chat.say("พัก")
    answer = chat.say("ทำต่อ")
    assert "ท่านมีแบบสำรวจที่ค้างอยู่ 2 รายการ" in answer.text
    assert "บ้านเลขที่ 12/3 · นายสมชาย ใจดี" in answer.text
    assert "บ้านเลขที่ ยังไม่ระบุ · ยังไม่ระบุหัวหน้าครัวเรือน" in answer.text
    label = next(b for b in answer.buttons if "12/3" in b)
    answer = chat.tap_button(answer, label)
    assert "สำรวจต่อ: บ้านเลขที่ 12/3 · นายสมชาย ใจดี" in answer.text
    assert "จำนวนสมาชิกที่อาศัยอยู่จริง" in answer.text


def test_a_typed_number_opens_the_listed_draft(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    two_drafts(chat)
    listed = chat.say("ทำต่อ")  # asked mid-draft: the list takes the second draft out of hand
    assert "พิมพ์หมายเลขรายการ หรือกดปุ่มด้านล่าง" in listed.text
    second = listed.text.split("\n").index("2. บ้านเลขที่ 12/3 · นายสมชาย ใจดี")
    assert listed.text.split("\n")[second - 1].startswith("1. บ้านเลขที่ ยังไม่ระบุ")
    before = rows(db_engine, SurveyAnswer)
    answer = chat.say("3")
    assert "ในรายการไม่มีแบบสำรวจหมายเลข 3" in answer.text and "2. บ้านเลขที่ 12/3" in answer.text
    assert rows(db_engine, SurveyAnswer) == before  # not taken as an answer to either draft
    answer = chat.say("๒")  # Thai digits, as a Thai keyboard types them
    assert "สำรวจต่อ: บ้านเลขที่ 12/3 · นายสมชาย ใจดี" in answer.text
    assert "จำนวนสมาชิกที่อาศัยอยู่จริง" in answer.text
    answer = chat.say("1")  # with a draft in hand, a number answers its question again
    assert "จำนวนสมาชิกที่อาศัยอยู่จริง" not in answer.text and "สำรวจต่อ" not in answer.text


def test_the_list_of_drafts_closes_on_pause_and_is_shown_again_when_it_changed(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    two_drafts(chat)
    chat.say("ทำต่อ")
    closed = chat.say("พัก")  # nothing to pause at the list: it closes
    assert "ยังไม่ได้เปิดแบบสำรวจใด แบบสำรวจที่ค้างอยู่ยังเก็บไว้ครบ" in closed.text and closed.buttons == ["ทำต่อ"]
    assert "สำรวจต่อ" not in chat.say("1").text  # the list is closed: a number opens nothing
    chat.say("ทำต่อ")
    with db_engine.begin() as connection:  # a draft is submitted or moved elsewhere meanwhile
        first = connection.execute(select(Household.id).order_by(Household.id)).scalars().first()
        connection.execute(Household.__table__.update().where(Household.id == first).values(status="cancelled"))
    answer = chat.say("1")
    assert "รายการแบบสำรวจที่ค้างอยู่เปลี่ยนไปแล้ว" in answer.text and "สำรวจต่อ" not in answer.text
    assert "1. บ้านเลขที่ ยังไม่ระบุ" in answer.text and "12/3" not in answer.text  # the list as it is now


def test_a_number_typed_at_the_offer_before_a_new_household_opens_nothing(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    two_drafts(chat, "ใช่", "1", format_date_be(today()), "ข้าม", "45/6")  # the second with a house number: kept
    chat.say("ทำต่อ")  # the numbered list…
    offer = chat.say("สำรวจ")  # …then the offer, whose buttons have no numbers
    assert offer.buttons == ["ทำต่อ", "เริ่มครัวเรือนใหม่"], dump(offer)
    assert "สำรวจต่อ" not in chat.say("1").text  # not a choice from the earlier list


def test_button_of_another_draft_changes_nothing(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    begin(chat)
    asked = chat.say("ย้อนกลับ")
    skip = asked.action("ข้าม")["data"]
    chat.say("พัก")
    chat.tap_button(chat.say("สำรวจ"), "เริ่มครัวเรือนใหม่")
    before = rows(db_engine, SurveyAnswer)
    answer = chat.tap(skip)
    assert "ปุ่มนั้นเป็นของแบบสำรวจอื่น" in answer.text and answer.buttons == ["เปิดแบบสำรวจนั้น"]
    assert rows(db_engine, SurveyAnswer) == before


def test_edit_member_by_typing(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    begin(chat, head="สมชาย ใจดี")  # no title before the name: the sex is asked
    for value in ("2", "ข้าม", "45", "ชาย", "1", "2", "3", "9,000", "6", "สมศรี ใจดี", "40"):
        answer = chat.say(value)
    assert "สมาชิกคนที่ 2: เพศ" in answer.text
    answer = chat.say("แก้ไขสมาชิกคนที่ 1")
    assert "สมาชิกคนที่ 1: ปีเกิด" in answer.text and "คำตอบเดิม:" in answer.text
    answer = chat.say("ใช้คำตอบเดิม")  # "keep" walks on through the member's answers (during the survey)
    assert "สมาชิกคนที่ 1: เพศ" in answer.text
    answer = chat.say("หญิง")  # a changed answer returns to where the survey was, not through 6 more
    assert "สมาชิกคนที่ 2: เพศ" in answer.text, dump(answer)
    (sex,) = rows(db_engine, SurveyAnswer, code="m_sex", member_no=1)
    assert sex.value == "female"


def test_submitted_household_can_be_reopened_and_changes_are_kept(line_user, db_engine):
    chat = line_user()
    people = make_volunteer(db_engine, chat.user_id)
    begin(chat)
    review = finish_one_member(chat)
    assert "ยืนยันส่ง" in review.buttons, dump(review)
    done = chat.tap_button(review, "ยืนยันส่ง")
    (household,) = rows(db_engine, Household)
    assert f"เลขที่แบบสำรวจ: QM-2566-{household.id:06d}" in done.text
    assert done.buttons == ["เริ่มสำรวจ", "แก้ไขข้อมูลที่ส่ง"]
    reopened = chat.tap_button(done, "แก้ไขข้อมูลที่ส่ง")
    edit = next(a for a in flex_actions(reopened) if a.get("displayText") == "แก้ไข: เบอร์โทรศัพท์ติดต่อ")
    answer = chat.tap(edit["data"])
    assert "เบอร์โทรศัพท์ติดต่อ" in answer.text and "คำตอบเดิม: (ข้าม)" in answer.text
    answer = chat.say("0812345678")
    again = chat.tap_button(answer, "ยืนยันส่ง")
    assert f"QM-2566-{household.id:06d}" in again.text
    (change,) = rows(db_engine, AnswerChange)
    assert (change.code, change.old_value, change.new_value, change.changed_by) == ("phone", None, "0812345678", people["person_id"])
    (household,) = rows(db_engine, Household)
    assert household.status == "submitted" and household.phone == "0812345678"


def test_no_problem_choice_stores_no_problem_rows(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    begin(chat)
    finish_one_member(chat)
    assert rows(db_engine, HouseholdProblem) == []
    assert {a.value for a in rows(db_engine, SurveyAnswer) if a.code in "HLEIA"} == {"none"}


def test_supervisor_reopens_by_receipt_and_changes_name_them(line_user, db_engine):
    chat = line_user()
    people = make_volunteer(db_engine, chat.user_id)
    begin(chat)
    finish_one_member(chat)
    chat.say("ยืนยันส่ง")
    (household,) = rows(db_engine, Household)
    boss = line_user()
    supervisor = make_volunteer(db_engine, boss.user_id, name="หัวหน้า ทดสอบ", municipality_id=people["municipality_id"], role="supervisor")
    answer = boss.say(f"แก้ไข {household.receipt_no}")
    assert "สรุปคำตอบแบบสำรวจ" in [m.get("altText") for m in answer.messages], dump(answer)
    edit = next(a for a in flex_actions(answer) if a.get("displayText") == "แก้ไข: บ้านเลขที่")
    boss.tap(edit["data"])
    boss.say("12/5")
    boss.say("ยืนยันส่ง")
    (change,) = rows(db_engine, AnswerChange)
    assert (change.code, change.old_value, change.new_value, change.changed_by) == ("house_no", "12/3", "12/5", supervisor["person_id"])
    assert "ไม่มีครัวเรือนเลขที่แบบสำรวจ QM-2566-999999" in boss.say("แก้ไข QM-2566-999999").text


def test_starting_another_survey_keeps_the_first_as_a_draft(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    begin(chat)
    offer = chat.say("สำรวจ")
    answer = chat.tap_button(offer, "เริ่มครัวเรือนใหม่")
    assert "แบบสำรวจ บ้านเลขที่ 12/3 · นายสมชาย ใจดี ถูกเก็บไว้เป็นฉบับร่าง" in answer.text
    assert [h.status for h in rows(db_engine, Household)] == ["draft", "draft"]


def review_of_a_large_household(chat, db_engine, members: int):  # type: ignore[no-untyped-def]
    """Survey a household of this many members, long names, a problem per dimension; return the review."""
    make_volunteer(db_engine, chat.user_id)
    begin(chat)
    chat.say(str(members))
    chat.say("ข้าม")
    for value in ("45", "1", "2", "3", "9,000", "6"):
        chat.say(value)
    for member in range(2, members + 1):
        for value in (f"สมาชิกลำดับ{'ก' * member} นามสกุลยาวมากเป็นพิเศษเพื่อทดสอบ", "20", "2", "3", "ข้าม", "1", "4", "6", "12,500", "2 4"):
            chat.say(value)
    for _dim in "HLEIA":
        if "เป็นปัญหาของสมาชิกคนใด" in chat.say("1").text:  # unless the answers show whose it is
            chat.say("1")
        chat.say("เพิ่มรายละเอียด")
        chat.say("รายละเอียดของปัญหา " * 10)
    return chat.say("ต้องการความช่วยเหลือ " * 40)


def test_review_of_a_large_household_fits_line_limits(line_user, line_api, db_engine):
    review = review_of_a_large_household(line_user(), db_engine, 13)
    flexes = [m for m in review.messages if m["type"] == "flex"]
    assert len(review.messages) <= 5 and len(flexes) >= 2
    assert sum(len(m["contents"]["contents"]) for m in flexes) == 2 + 13 + 5 + 1
    assert review.buttons[0] == "ยืนยันส่ง"


def test_long_community_list_is_numbered_and_typed_numbers_or_names_work(line_user, db_engine):
    from sqlalchemy import insert

    from storage.models import Community

    chat = line_user()
    people = make_volunteer(db_engine, chat.user_id, bound=False)
    with db_engine.begin() as connection:
        for number in range(3, 21):
            connection.execute(insert(Community).values(municipality_id=people["municipality_id"], name=f"ชุมชนที่ {number}", target_households=10))
    for value in ("สำรวจ", "ใช่", "1", "วันนี้", "ข้าม", "12/3"):
        chat.say(value)
    answer = chat.say("ข้าม")
    assert "20. ชุมชนที่ 20" in answer.text and len(answer.buttons) <= 13
    assert answer.buttons[-3:] == ["ย้อนกลับ", "วิธีใช้", "พัก"]
    answer = chat.say("๑๕")
    assert "ถูกต้องหรือไม่" in answer.text, dump(answer)
    (household,) = rows(db_engine, Household)
    with db_engine.connect() as connection:
        name = connection.execute(select(Community.name).where(Community.id == household.community_id)).scalar_one()
    assert name == "ชุมชนที่ 15"
    chat.say("ย้อนกลับ")
    chat.say("ชุมชนริมน้ำ")
    (household,) = rows(db_engine, Household)
    assert household.community_id == people["community_id"] + 1


def test_an_answer_that_starts_like_a_supervision_command_is_still_an_answer(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    for text in ("สำรวจ", "1", "1", "วันนี้", "ข้าม"):
        chat.say(text)
    answer = chat.say("อาสาสมัคร 12")  # a house number someone wrote this way; "อาสาสมัคร" is also a command
    assert "ถูกต้องหรือไม่" in answer.texts[-1]  # the area next (the community, known, has no village number)
    assert rows(db_engine, Household)[0].house_no == "อาสาสมัคร 12"


def test_a_superscript_digit_at_a_choice_is_asked_again_not_a_crash(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    chat.say("สำรวจ")
    chat.say("1")
    answer = chat.say("²")
    assert "ขออภัย ระบบขัดข้องชั่วคราว" not in answer.text
    assert "ผู้ให้ข้อมูล" in answer.texts[-1]


def test_review_of_the_largest_household_arrives_whole_in_a_reply_and_pushes(line_user, line_api, db_engine):
    review = review_of_a_large_household(line_user(), db_engine, 30)
    flexes = [m for m in review.messages if m["type"] == "flex"]
    assert len(review.messages) > 5  # more than one call may carry: a reply, then pushes
    assert sum(len(m["contents"]["contents"]) for m in flexes) == 2 + 30 + 5 + 1
    assert review.buttons[0] == "ยืนยันส่ง"  # the buttons are under the very last message
    calls = line_api.calls("reply")[-1:] + line_api.calls("push")
    assert [r.status for r in calls] == [200] * len(calls) and len(calls) >= 2

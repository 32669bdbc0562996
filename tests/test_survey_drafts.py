"""Drafts offered again, dropped when empty, deleted on request; what is known is not asked; the duplicate warning."""

from __future__ import annotations

from sqlalchemy import update

from storage.models import AuditEntry, Community, DuplicateNote, Household, SurveyAnswer
from tests.support.line_chat import dump
from tests.support.survey import flex_actions, flex_texts, make_volunteer
from tests.test_survey_chat import begin, finish_one_member, rows, today
from bot.dialogs.answers import format_date_be


def test_starting_a_survey_offers_the_paused_draft_or_a_new_household(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id, bound=False)
    begin(chat)
    chat.say("พัก")
    offer = chat.say("สำรวจ")
    assert f"ท่านมีแบบสำรวจที่ยังไม่เสร็จ: บ้านเลขที่ 12/3 · นายสมชาย ใจดี บันทึกล่าสุดเมื่อ {format_date_be(today())}" in offer.text, dump(offer)
    assert offer.buttons == ["สำรวจต่อ", "เริ่มครัวเรือนใหม่"]
    assert len(rows(db_engine, Household)) == 1  # nothing made before the volunteer chooses
    answer = chat.tap_button(offer, "สำรวจต่อ")
    assert "สำรวจต่อ: บ้านเลขที่ 12/3 · นายสมชาย ใจดี" in answer.text and "จำนวนสมาชิกที่อาศัยอยู่จริง" in answer.text
    answer = chat.tap_button(chat.say("สำรวจ"), "เริ่มครัวเรือนใหม่")
    assert "ถูกเก็บไว้เป็นฉบับร่าง" in answer.text and "ครัวเรือนยินยอมให้ข้อมูล" in answer.text
    assert [h.status for h in rows(db_engine, Household)] == ["draft", "draft"]


def test_a_draft_with_only_consent_and_respondent_is_not_kept(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id, bound=False)
    chat.say("สำรวจ")
    chat.say("ใช่")
    chat.say("1")
    (empty,) = rows(db_engine, Household)
    answer = chat.say("สำรวจ")
    assert "ครัวเรือนยินยอมให้ข้อมูล" in answer.text and "ยังไม่เสร็จ" not in answer.text, dump(answer)
    (fresh,) = rows(db_engine, Household)
    assert empty.respondent == "head" and fresh.respondent is None and rows(db_engine, SurveyAnswer) == []
    # An empty draft left for another (opened from the list) is deleted too.
    for value in ("ใช่", "1", format_date_be(today()), "ข้าม", "45/6", "พัก"):
        chat.say(value)
    chat.tap_button(chat.say("สำรวจ"), "เริ่มครัวเรือนใหม่")
    chat.say("ใช่")
    chat.say("พัก")
    listed = chat.say("ทำต่อ")
    assert "ท่านมีแบบสำรวจที่ค้างอยู่ 2 รายการ" in listed.text
    opened = chat.tap_button(listed, next(b for b in listed.buttons if "45/6" in b))
    assert "สำรวจต่อ: บ้านเลขที่ 45/6" in opened.text
    assert [h.house_no for h in rows(db_engine, Household)] == ["45/6"]


def test_volunteer_deletes_own_draft_after_confirming_and_it_is_audited(line_user, db_engine):
    chat = line_user()
    people = make_volunteer(db_engine, chat.user_id, bound=False)
    begin(chat)
    (household,) = rows(db_engine, Household)
    ask = chat.say("ลบฉบับร่าง")
    assert "ต้องการลบแบบสำรวจที่ยังไม่เสร็จของ บ้านเลขที่ 12/3 · นายสมชาย ใจดี ใช่หรือไม่" in ask.text, dump(ask)
    assert ask.buttons == ["ลบฉบับร่างนี้", "ไม่ลบ เก็บไว้"]
    kept = chat.tap_button(ask, "ไม่ลบ เก็บไว้")
    assert "จำนวนสมาชิกที่อาศัยอยู่จริง" in kept.text and len(rows(db_engine, Household)) == 1
    done = chat.tap_button(chat.say("ลบฉบับร่าง"), "ลบฉบับร่างนี้")
    assert "ลบแบบสำรวจที่ยังไม่เสร็จของ บ้านเลขที่ 12/3 · นายสมชาย ใจดี แล้ว" in done.text
    assert rows(db_engine, Household) == [] and rows(db_engine, SurveyAnswer) == []
    (entry,) = rows(db_engine, AuditEntry, action="household.delete_draft")
    assert entry.actor_person_id == people["person_id"] and entry.details == {"record": household.id}
    assert "ไม่มีแบบสำรวจที่ค้างอยู่" in chat.say("ทำต่อ").text


def test_a_submitted_record_cannot_be_deleted(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id, bound=False)
    begin(chat)
    ask = chat.say("ลบฉบับร่าง")
    finish_one_member(chat)
    chat.say("ยืนยันส่ง")
    answer = chat.tap(ask.action("ลบฉบับร่างนี้")["data"])
    assert "แบบสำรวจที่ส่งแล้วลบไม่ได้" in answer.text and answer.buttons == ["แก้ไขข้อมูลที่ส่ง"]
    (household,) = rows(db_engine, Household)
    assert household.status == "submitted" and rows(db_engine, AuditEntry, action="household.delete_draft") == []


def test_known_community_and_village_are_filled_in_shown_and_editable(line_user, db_engine):
    chat = line_user()
    people = make_volunteer(db_engine, chat.user_id, bound=True)
    with db_engine.begin() as connection:
        connection.execute(update(Community).where(Community.id == people["community_id"]).values(moo=3))
    chat.say("สำรวจ")
    for value in ("ใช่", "1", format_date_be(today()), "10030123456"):
        chat.say(value)
    confirm = chat.say("12/3")
    assert "บ้านตั้งอยู่ในชุมชนวัดใหม่ หมู่ที่ 3 ในพื้นที่เทศบาลนครทดสอบ" in confirm.text, dump(confirm)
    assert "หมู่ที่" not in confirm.text.split("\n")[1][:6]  # the village is not asked as a question
    stored = {a.code: a.value for a in rows(db_engine, SurveyAnswer)}
    assert stored["community"] == str(people["community_id"]) and stored["moo"] == "3"
    (household,) = rows(db_engine, Household)
    assert (household.community_id, household.moo) == (people["community_id"], 3)
    for value in ("ใช่", "นายสมชาย ใจดี", "1103701234563", "ข้าม"):
        chat.say(value)
    review = finish_one_member(chat)
    edit = next(a for a in flex_actions(review) if a.get("displayText") == "แก้ไข: หมู่ที่")
    asked = chat.tap(edit["data"])
    assert "หมู่ที่" in asked.text and "คำตอบเดิม: 3" in asked.text, dump(asked)
    chat.say("5")
    (household,) = rows(db_engine, Household)
    assert household.moo == 5


def test_a_known_community_without_a_village_number_has_none_asked_and_it_can_be_added_on_the_review(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id, bound=True)  # ชุมชนวัดใหม่ has no village number
    chat.say("สำรวจ")
    for value in ("ใช่", "1", format_date_be(today()), "10030123456"):
        chat.say(value)
    confirm = chat.say("12/3")
    assert "บ้านตั้งอยู่ในชุมชนวัดใหม่ ในพื้นที่เทศบาลนครทดสอบ" in confirm.texts[-1], dump(confirm)
    assert [a.value for a in rows(db_engine, SurveyAnswer, code="moo")] == [None]  # stored as skipped
    for value in ("ใช่", "นายสมชาย ใจดี", "1103701234563", "ข้าม"):
        chat.say(value)
    review = finish_one_member(chat)
    edit = next(a for a in flex_actions(review) if a.get("displayText") == "แก้ไข: หมู่ที่")
    asked = chat.tap(edit["data"])
    assert "คำตอบเดิม: (ข้าม)" in asked.text, dump(asked)
    assert "ยืนยันส่ง" in chat.say("หมู่ 4").buttons
    (household,) = rows(db_engine, Household)
    assert household.moo == 4


def test_an_unbound_volunteer_is_asked_the_community(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id, bound=False)
    chat.say("สำรวจ")
    for value in ("ใช่", "1", format_date_be(today()), "10030123456"):
        chat.say(value)
    assert "หมู่ที่" in chat.say("12/3").text
    answer = chat.say("ข้าม")
    assert "ชุมชนวัดใหม่" in answer.text and "บ้านตั้งอยู่ใน" not in answer.text


def survey_and_submit(chat, **answers):  # type: ignore[no-untyped-def]
    """One household surveyed to the end and submitted."""
    begin(chat, **answers)
    finish_one_member(chat)
    return chat.say("ยืนยันส่ง")


def test_duplicate_warning_names_the_match_once_and_remembers_a_different_household(line_user, db_engine):
    chat = line_user()
    people = make_volunteer(db_engine, chat.user_id, name="สมหญิง อาสาดี", bound=False)
    survey_and_submit(chat)
    (first,) = rows(db_engine, Household)
    chat.say("สำรวจ")
    for value in ("ใช่", "1", format_date_be(today())):
        chat.say(value)
    chat.say("ข้าม")  # no house code
    assert flex_texts(chat.say("12/3")) == []  # the house number alone is no match: its community is not known yet
    chat.say("ข้าม")
    warned = chat.say("1")
    texts = flex_texts(warned)
    assert "ครัวเรือนนี้อาจบันทึกไว้แล้ว" in texts, dump(warned)
    assert "บ้านเลขที่ 12/3" in texts
    assert f"สมหญิง อาสาดี เมื่อ {format_date_be(today())}" in texts
    assert "บ้านเลขที่ 12/3 · นายสมชาย ใจดี (สถานะ: ส่งแล้ว)" in texts
    labels = [a["label"] for a in flex_actions(warned)]
    assert labels == ["เป็นครัวเรือนเดียวกัน (เปิดรายการเดิม)", "คนละครัวเรือน"]
    assert "บ้านตั้งอยู่ใน" in warned.texts[-1]  # the next question follows
    different = next(a for a in flex_actions(warned) if a["label"] == "คนละครัวเรือน")
    answer = chat.tap(different["data"])
    assert "รับทราบ เป็นคนละครัวเรือน" in answer.text and "บ้านตั้งอยู่ใน" in answer.text
    (note,) = rows(db_engine, DuplicateNote)
    assert (note.other_id, note.decision) == (first.id, "different")
    # The head's ID matches the same record later: not warned a second time.
    chat.say("ใช่")
    chat.say("นายสมชาย ใจดี")
    again = chat.say("1103701234563")
    assert flex_texts(again) == [] and "เบอร์โทรศัพท์" in again.text, dump(again)
    assert len(rows(db_engine, DuplicateNote)) == 1 and people["person_id"]


def test_duplicate_on_the_head_id_is_shown_masked_and_same_household_opens_the_record(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id, bound=False)
    survey_and_submit(chat)
    (first,) = rows(db_engine, Household)
    chat.say("สำรวจ")
    for value in ("ใช่", "1", format_date_be(today()), "ข้าม", "77/1", "ข้าม", "1", "ใช่", "นายสมชาย ใจดี"):
        chat.say(value)
    warned = chat.say("1103701234563")
    texts = " ".join(flex_texts(warned))
    assert "เลขประจำตัวประชาชนหัวหน้าครัวเรือน x-xxxx-xxxxx-56-3" in texts, dump(warned)
    assert "1103701234563" not in str(warned.messages)
    same = next(a for a in flex_actions(warned) if a["label"] == "เป็นครัวเรือนเดียวกัน (เปิดรายการเดิม)")
    answer = chat.tap(same["data"])
    assert "บ้านเลขที่ 77/1 · นายสมชาย ใจดี ถูกเก็บไว้เป็นฉบับร่าง" in answer.text
    assert f"QM-2566-{first.id:06d}" in answer.text and answer.buttons == ["แก้ไขข้อมูลที่ส่ง"]
    assert sorted(h.status for h in rows(db_engine, Household)) == ["draft", "submitted"]


def test_a_duplicate_the_volunteer_may_not_view_is_mentioned_without_detail(line_user, db_engine):
    owner = line_user()
    people = make_volunteer(db_engine, owner.user_id, name="สมหญิง อาสาดี", bound=False)
    survey_and_submit(owner)
    chat = line_user()
    make_volunteer(db_engine, chat.user_id, name="สมใจ อาสา", municipality_id=people["municipality_id"], bound=False)
    chat.say("สำรวจ")
    for value in ("ใช่", "1", format_date_be(today())):
        chat.say(value)
    warned = chat.say("10030123456")
    note = warned.texts[0]
    assert note.startswith("โปรดทราบ: มีครัวเรือนที่รหัสประจำบ้าน") and "ผู้ควบคุมการสำรวจ" in note, dump(warned)
    assert flex_texts(warned) == [] and not any(detail in warned.text for detail in ("สมหญิง", "สมชาย", "QM-"))
    assert "บ้านเลขที่" in warned.texts[-1]  # the survey goes on

"""Acceptance: a whole household survey through signed webhooks, as a volunteer does it.

The volunteer registers with an invite code in the chat and starts from their menu.

A 3-member household with a problem in every dimension, a wrong answer at every
validated question, one "back", a pause and resume across an app restart, an edit
from the review, then the receipt; every stored row and the replies are checked.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import create_app
from bot.state import close_app
from bot.dialogs import engine as engine_module
from bot.dialogs import form as form_module
from storage.models import AnswerChange, Household, HouseholdMember, HouseholdProblem, SurveyAnswer
from tests.conftest import CHANNEL_SECRET
from tests.support.line_chat import LineChat, Replies, dump, flask_poster
from tests.support.raw_database import plain_text_hits
from tests.support.survey import flex_actions, flex_messages, flex_texts, register_volunteer_in_chat

HEAD_ID = "1103701234563"


def all_rows(engine, model, order=None):  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        statement = select(model)
        if order is not None:
            statement = statement.order_by(order)
        return connection.execute(statement).all()


def asks(replies: Replies, *fragments: str) -> None:
    """The last message asks a question containing every fragment."""
    assert replies.status == 200
    for fragment in fragments:
        assert fragment in replies.texts[-1], f"{fragment!r} not in:\n{dump(replies)}"


def test_complete_household_survey(line_user, line_api, db_engine, config, caplog):
    # Everything the bot and its libraries log, as an operator hunting a bug would turn it on
    # (SQLAlchemy keeps its own loggers at WARNING unless told).
    for name in (None, "sqlalchemy", "urllib3", "linebot", "werkzeug", "huey", "transitions"):
        caplog.set_level(logging.DEBUG, logger=name)
    chat = line_user()
    volunteer, menu = register_volunteer_in_chat(db_engine, chat)
    today = dt.datetime.now(ZoneInfo("Asia/Bangkok")).date()
    be = today.year + 543

    r = chat.tap_button(menu, "สำรวจ")
    asks(r, "ส่วนที่ 1/9 · ความยินยอมและผู้ให้ข้อมูล", "ครัวเรือนยินยอมให้ข้อมูล")
    assert r.buttons == ["1. ยินยอม", "2. ไม่ยินยอม", "วิธีใช้", "พัก"]  # answers in the question's own words
    r = chat.tap_button(r, "1. ยินยอม")
    asks(r, "ส่วนที่ 1/9", "ผู้ให้ข้อมูล", "1. หัวหน้าครัวเรือน", "3. ผู้อื่น (เพื่อนบ้าน ผู้นำชุมชน)")
    assert r.buttons[0] == "1. หัวหน้าครัวเรือน" and "ย้อนกลับ" in r.buttons

    old_button = r.action("2. สมาชิกในครัวเรือน")["data"]
    r = chat.say("ไม่ทราบ")  # wrong: not a choice
    asks(r, "กรุณากดปุ่มตัวเลือก หรือพิมพ์หมายเลขตัวเลือก (1 ถึง 3)", "ผู้ให้ข้อมูล")
    r = chat.tap_button(r, "1. หัวหน้าครัวเรือน")
    asks(r, "ส่วนที่ 2/9 · ข้อมูลครัวเรือน", "วันที่สำรวจ", f"เช่น {today.day}/{today.month}/{be} หรือ “เมื่อวาน”")
    assert r.buttons[:2] == ["เลือกวันที่", "วันนี้"]
    picker = r.action("เลือกวันที่")
    assert picker["type"] == "datetimepicker" and picker["max"] == today.isoformat()

    r = chat.say("31/2/2567")  # wrong: no such date
    asks(r, "ไม่มีวันที่นี้ในปฏิทิน", f"รูปแบบคำตอบ: เลือกวันที่ หรือพิมพ์ เช่น {today.day}/{today.month}/{be}", "วันที่สำรวจ")
    r = chat.pick_date(picker["data"], today)
    asks(r, "รหัสประจำบ้าน (11 หลัก)")
    assert "ข้าม" in r.buttons

    r = chat.say("12345")  # wrong: 5 digits
    asks(r, "รหัสประจำบ้านมี 11 หลัก ท่านพิมพ์มา 5 หลัก", "รหัสประจำบ้าน (11 หลัก)")
    r = chat.say("1003-012345-6")
    asks(r, "บ้านเลขที่")
    r = chat.say("12/3")
    # The volunteer registered for ชุมชนวัดใหม่, which has no village number: neither is asked, the
    # community is named here.
    asks(r, "บ้านตั้งอยู่ในชุมชนวัดใหม่ ในพื้นที่เทศบาลนครทดสอบ ตำบลในเมือง อำเภอเมืองขอนแก่น จังหวัดขอนแก่น ถูกต้องหรือไม่")
    assert r.buttons[:2] == ["1. ถูกต้อง", "2. ไม่ถูกต้อง"]
    r = chat.say("ใช่")
    asks(r, "ชื่อ-สกุล หัวหน้าครัวเรือน")
    r = chat.say("นายสมชาย ใจดี")
    asks(r, "เลขประจำตัวประชาชนหัวหน้าครัวเรือน")
    assert "ไม่มีบัตร" in r.buttons

    r = chat.say("1-1037-01234-56-0")  # wrong: check digit
    asks(r, "เลขประจำตัวประชาชนนี้ไม่ถูกต้อง (หลักสุดท้ายไม่ตรงกับเลขตรวจสอบ)", "รูปแบบคำตอบ: ตัวเลข 13 หลัก")
    r = chat.say("1-1037-01234-56-3")
    asks(r, "เบอร์โทรศัพท์ติดต่อ")
    r = chat.say("12345")  # wrong
    asks(r, "เบอร์โทรศัพท์ต้องเป็นเบอร์มือถือ 10 หลักที่ขึ้นต้นด้วย 06 08 หรือ 09 หรือเบอร์โทรศัพท์บ้าน 9 หลัก")
    r = chat.say("081-234-5678")
    asks(r, "จำนวนสมาชิกที่อาศัยอยู่จริง")
    r = chat.say("0")  # wrong
    asks(r, "กรุณาพิมพ์ตัวเลขตั้งแต่ 1 ถึง 30")
    r = chat.say("3")
    asks(r, "ตำแหน่งบ้าน")
    assert r.action("ส่งตำแหน่ง")["type"] == "location"
    r = chat.say("หน้าวัด")  # wrong: not a location
    asks(r, "กรุณากด “ส่งตำแหน่ง” ด้านล่าง")
    r = chat.send_location(16.4419, 102.8360)

    # member 1 = the head: name, relationship and ID come from the household part, the sex from "นาย"
    asks(r, "ส่วนที่ 3/9 · สมาชิกในครัวเรือน · สมาชิกคนที่ 1/3", "สมาชิกคนที่ 1: ปีเกิด (พ.ศ.) หรืออายุ")
    r = chat.say(str(today.year - 67))  # wrong: a Christian Era year
    asks(r, f"{today.year - 67} น่าจะเป็นปี ค.ศ. กรุณาพิมพ์ปี พ.ศ. ({be - 67})")
    r = chat.say("67")
    asks(r, "สมาชิกคนที่ 1: สภาวะสุขภาพ")
    r = chat.say("1")
    asks(r, "สมาชิกคนที่ 1: การศึกษาสูงสุด", "กดตัวเลือก หรือพิมพ์หมายเลขตัวเลือก")
    r = chat.say("2")
    asks(r, "สมาชิกคนที่ 1: อาชีพหลัก")
    r = chat.say("3")
    asks(r, "สมาชิกคนที่ 1: รายได้ต่อเดือน (บาท)")
    r = chat.say("ห้าพัน")  # wrong
    asks(r, "กรุณาพิมพ์จำนวนเงินเป็นบาท เช่น 5,000")
    r = chat.say("5,000 บาท")
    asks(r, "สมาชิกคนที่ 1: สวัสดิการที่ได้รับ", "1. เบี้ยยังชีพผู้สูงอายุ")
    r = chat.tap_button(r, "1. เบี้ยผู้สูงอายุ")
    # a tick answers with a short line and the updated buttons, "Done" first, no "keep"
    assert r.texts[-1] == "เลือกแล้ว: เบี้ยยังชีพผู้สูงอายุ กดเลือกรายการเพิ่ม หรือกด “เสร็จสิ้น”"
    assert r.buttons[:2] == ["เสร็จสิ้น", "✓1. เบี้ยผู้สูงอายุ"] and "ใช้คำตอบเดิม" not in r.buttons
    r = chat.tap_button(r, "เสร็จสิ้น")
    assert "สมาชิกคนที่ 1: นายสมชาย ใจดี · อายุ 67 ปี · ชาย, หัวหน้าครัวเรือน, ปกติ" in r.text
    assert "แก้ไขสมาชิกคนที่ 1" in r.text
    asks(r, "สมาชิกคนที่ 2: ชื่อ-สกุล")

    r = chat.say("นางสมศรี ใจดี")
    asks(r, "สมาชิกคนที่ 2/3", "สมาชิกคนที่ 2: ปีเกิด")
    r = chat.say(str(be - 57))
    asks(r, "สมาชิกคนที่ 2: ความเกี่ยวข้องกับหัวหน้าครัวเรือน", "2. คู่สมรส")
    r = chat.say("คู่สมรส")
    asks(r, "สมาชิกคนที่ 2: เลขประจำตัวประชาชน")
    r = chat.say("123")  # wrong
    asks(r, "เลขประจำตัวประชาชนมี 13 หลัก ท่านพิมพ์มา 3 หลัก")
    r = chat.say("ข้าม")
    asks(r, "สมาชิกคนที่ 2: สภาวะสุขภาพ")
    r = chat.say("ย้อนกลับ")  # back: the skipped answer is shown and kept
    asks(r, "สมาชิกคนที่ 2: เลขประจำตัวประชาชน", "คำตอบเดิม: (ข้าม)")
    r = chat.tap_button(r, "ใช้คำตอบเดิม")
    asks(r, "สมาชิกคนที่ 2: สภาวะสุขภาพ")
    r = chat.say("3")  # disabled
    r = chat.say("1")
    r = chat.say("1")
    r = chat.say("0")
    asks(r, "สมาชิกคนที่ 2: สวัสดิการที่ได้รับ")
    r = chat.say("6")
    assert "สมาชิกคนที่ 2: นางสมศรี ใจดี · อายุ 57 ปี · หญิง, คู่สมรส, พิการ" in r.text

    r = chat.say("เด็กหญิงสมใจ ใจดี 8 ขวบ")  # the age may follow the name
    assert f"บันทึกแล้ว: เกิดปี พ.ศ. {be - 8} (อายุ 8 ปี ในปี {be})" in r.text
    r = chat.say("3")
    asks(r, "สมาชิกคนที่ 3: เลขประจำตัวประชาชน")
    r = chat.say("ข้าม")
    r = chat.say("1")
    asks(r, "สมาชิกคนที่ 3: การศึกษาสูงสุด")
    r = chat.say("7")
    asks(r, "สมาชิกคนที่ 3: สวัสดิการที่ได้รับ")  # no occupation or income under 15
    r = chat.say("3")
    assert "สมาชิกคนที่ 3: เด็กหญิงสมใจ ใจดี · อายุ 8 ปี · หญิง, บุตร, ปกติ" in r.text

    # problems: health, by toggles
    asks(r, "ปัญหาด้านสุขภาพ", "ด้านสุขภาพ: ครัวเรือนมีปัญหาต่อไปนี้หรือไม่", "6. ไม่มีปัญหาด้านนี้")
    assert r.buttons[:7] == ["เสร็จสิ้น", "1. ผู้ป่วยติดเตียง", "2. รักษาขาดช่วง", "3. พิการต้องการดูแล", "4. ไม่มีผู้ดูแล", "5. จิตเวช/สารเสพติด", "6. ไม่มีปัญหาด้านนี้"]  # numbered: the form's short labels fit
    r = chat.tap_button(r, "เสร็จสิ้น")  # nothing ticked: the "nothing" choice named as on its button
    asks(r, "กรุณาเลือกอย่างน้อยหนึ่งรายการ หรือเลือก “ไม่มีปัญหาด้านนี้” แล้วกด “เสร็จสิ้น”")
    r = chat.tap_button(r, "3. พิการต้องการดูแล")
    assert r.buttons[3] == "✓3. พิการต้องการดูแล"
    r = chat.tap_button(r, "เสร็จสิ้น")
    # the disabled member is the only one: the problem is hers, said back, not asked
    assert "บันทึกแล้ว: “มีคนพิการที่ต้องการการดูแล” เป็นปัญหาของ นางสมศรี ใจดี" in r.text, dump(r)
    # the detail is asked only on request: the next question comes with "add a detail"
    asks(r, "ด้านความเป็นอยู่")
    assert r.buttons[:2] == ["เสร็จสิ้น", "เพิ่มรายละเอียด"]
    r = chat.tap_button(r, "เพิ่มรายละเอียด")
    asks(r, "ปัญหา “มีคนพิการที่ต้องการการดูแล”: รายละเอียดสั้น ๆ (ถ้ามี)")
    r = chat.say("ต้องใช้รถเข็น")

    # living conditions, by typed numbers
    asks(r, "ด้านความเป็นอยู่")
    r = chat.say("2 3")  # a house and its toilet are the whole household's: not asked
    assert "เป็นปัญหาของ ทั้งครัวเรือน" in r.text

    # only problems of the members' ages: no child of 3-5, so no pre-school problem
    asks(r, "ด้านการศึกษา", "4. ขาดทุนการศึกษา", "5. ไม่มีปัญหาด้านนี้")
    assert "เด็กอายุ 3–5 ปี" not in r.text and "ไม่ได้เรียนอนุบาล" not in r.buttons
    r = chat.say("9")  # wrong
    asks(r, "กรุณาพิมพ์หมายเลขตั้งแต่ 1 ถึง 5")
    r = chat.say("1 5")  # wrong: "none" with a problem
    asks(r, "“ไม่มีปัญหาด้านนี้” เลือกร่วมกับรายการอื่นไม่ได้")
    r = chat.say("4")  # the scholarship: the one pupil of school age

    # a problem of two members: both ticked, then "Done"
    asks(r, "ด้านรายได้")
    r = chat.say("4")
    r = chat.say("1 2")  # several members: their numbers typed
    r = chat.tap_button(r, "เพิ่มรายละเอียด")
    asks(r, "ปัญหา “มีหนี้นอกระบบ”: รายละเอียดสั้น ๆ")
    r = chat.say("พัก")
    assert "พักการสำรวจแล้ว" in r.text and r.buttons == ["ทำต่อ"]
    r = chat.say("สวัสดี")  # paused: not taken as an answer
    assert "ไม่เข้าใจ" in r.text

    # the server restarts: nothing is in memory any more
    engine_module._ENGINES.clear()
    form_module.forms.cache_clear()
    restarted = create_app(config)
    try:
        chat = LineChat(flask_poster(restarted.test_client()), CHANNEL_SECRET, line_api, chat.user_id)
        r = chat.say("ทำต่อ")
        assert "สำรวจต่อ: บ้านเลขที่ 12/3 · นายสมชาย ใจดี" in r.text
        asks(r, "ปัญหา “มีหนี้นอกระบบ”: รายละเอียดสั้น ๆ")
        r = chat.send_sticker()  # off-script: a reminder and the same question
        assert "ขออภัย ระบบยังรับสติกเกอร์ไม่ได้ ขณะนี้ท่านกำลังสำรวจครัวเรือนนี้อยู่" in r.text
        asks(r, "ปัญหา “มีหนี้นอกระบบ”")
        r = chat.say("หนี้นอกระบบ 20,000 บาท")

        asks(r, "ด้านการเข้าถึงบริการรัฐ", "7. ไม่มีปัญหาด้านนี้")  # no newborn grant problem: no child of 0-6
        assert not any("ขาดเงินอุดหนุน" in b for b in r.buttons)
        r = chat.tap_button(r, "4. ไม่ได้เบี้ยพิการ")
        r = chat.tap_button(r, "เสร็จสิ้น")  # the disabled member without the allowance: hers
        asks(r, "ครัวเรือนต้องการความช่วยเหลือเรื่องใด")
        r = chat.say("ต้องการซ่อมบ้าน")  # the surveyor's note is offered on the review, not asked

        # review: one card per section, an edit button per answer, soft checks
        assert len(flex_messages(r)) >= 1, dump(r)
        texts = flex_texts(r)
        for expected in ("ความยินยอมและผู้ให้ข้อมูล", "ข้อมูลครัวเรือน", "สมาชิกคนที่ 1: นายสมชาย ใจดี", "สมาชิกคนที่ 2: นางสมศรี ใจดี", "สมาชิกคนที่ 3: เด็กหญิงสมใจ ใจดี", "ปัญหาด้านสุขภาพ", "ปัญหาด้านความเป็นอยู่", "ปัญหาด้านการศึกษา", "ปัญหาด้านรายได้", "ปัญหาด้านการเข้าถึงบริการรัฐ", "ความต้องการและบันทึก", "12/3", "x-xxxx-xxxxx-56-3", "5,000 บาท", "มีคนพิการที่ต้องการการดูแล", "ต้องใช้รถเข็น", "ทั้งครัวเรือน", "นายสมชาย ใจดี, นางสมศรี ใจดี", "ตำแหน่ง 16.441900, 102.836000"):
            assert expected in texts, expected
        bubbles = sum(len(m["contents"]["contents"]) for m in flex_messages(r))
        assert bubbles == 11
        assert "ต่ำกว่าเกณฑ์ จปฐ. 38,000 บาท แต่ยังไม่ได้เลือกปัญหา “รายได้เฉลี่ยต่อคนต่อปีต่ำกว่าเกณฑ์ จปฐ.”" in r.text
        assert "สมาชิกคนที่ 2, 3 ไม่มีเลขประจำตัวประชาชน แต่ยังไม่ได้เลือกปัญหา “ไม่มีบัตรประชาชน หรือมีปัญหาสถานะทางทะเบียน”" in r.text
        assert not any(code in r.text for code in ("I1", "A1", "A3", "A4"))
        assert r.buttons == ["ยืนยันส่ง", "แก้ไขปัญหาด้านรายได้", "แก้ไขปัญหาบริการรัฐ", "ย้อนกลับ", "พัก"]  # whole, from the form's short title
        edit_house_no = next(a for a in flex_actions(r) if a.get("displayText") == "แก้ไข: บ้านเลขที่")
        r = chat.tap(edit_house_no["data"])
        asks(r, "บ้านเลขที่", "คำตอบเดิม: 12/3")
        r = chat.say("12/4")
        assert "12/4" in flex_texts(r) and "12/3" not in flex_texts(r)
        stale = chat.tap(old_button)  # a button of a question answered long ago
        assert "ปุ่มนั้นเป็นของคำถามที่ตอบไปแล้ว ระบบจึงไม่ได้เปลี่ยนแปลงข้อมูลใด" in stale.text
        assert stale.buttons[0] == "แก้ไขคำตอบนั้น"
        r = chat.say("ยืนยันส่ง")
    finally:
        close_app(restarted)

    (household,) = all_rows(db_engine, Household)
    receipt = f"QM-2566-{household.id:06d}"
    assert f"เลขที่แบบสำรวจ: {receipt}" in r.text
    assert household.status == "submitted" and household.receipt_no == receipt
    assert (household.form_id, household.form_version, household.volunteer_id) == ("thaiqm-2566", "1", volunteer["person_id"])
    assert (household.house_code, household.house_no, household.moo, household.community_id) == ("10030123456", "12/4", None, volunteer["community_id"])
    assert (household.head_name, household.head_national_id, household.phone, household.member_count) == ("นายสมชาย ใจดี", HEAD_ID, "0812345678", 3)
    assert (household.respondent, household.survey_date, household.needs, household.note) == ("head", today, "ต้องการซ่อมบ้าน", None)
    assert round(household.latitude, 4) == 16.4419 and round(household.longitude, 4) == 102.836

    members = [(m.member_no, m.full_name, m.sex, m.relation, m.birth_year_be, m.national_id, m.health, m.education, m.occupation, m.monthly_income, m.welfare) for m in all_rows(db_engine, HouseholdMember, HouseholdMember.member_no)]
    assert members == [
        (1, "นายสมชาย ใจดี", "male", "head", be - 67, HEAD_ID, "normal", "primary", "labourer", 5000, "elderly_allowance"),
        (2, "นางสมศรี ใจดี", "female", "spouse", be - 57, None, "disabled", "none", "none", 0, "none"),
        (3, "เด็กหญิงสมใจ ใจดี", "female", "child", be - 8, None, "normal", "studying", None, None, "child_grant"),
    ]
    problems = [(p.code, p.dimension, p.member_no, p.detail, p.status) for p in all_rows(db_engine, HouseholdProblem, HouseholdProblem.code)]
    assert problems == [
        ("A4", "accessibility", 2, None, "found"),
        ("E5", "education", 3, None, "found"),
        ("H3", "health", 2, "ต้องใช้รถเข็น", "found"),
        ("I4", "income", 1, "หนี้นอกระบบ 20,000 บาท", "found"),
        ("L2", "living", None, None, "found"),
        ("L3", "living", None, None, "found"),
    ]
    answers = {(a.code, a.member_no): a.value for a in all_rows(db_engine, SurveyAnswer)}
    assert answers[("consent", 0)] == "yes" and answers[("survey_date", 0)] == today.isoformat()
    assert answers[("m_national_id", 2)] is None and answers[("L2.member", 0)] == "household"
    assert answers[("H", 0)] == "H3" and answers[("L", 0)] == "L2 L3" and answers[("A", 0)] == "A4"
    assert answers[("I4.member", 0)] == "1 2"  # both members; the problem row keeps the first
    assert ("m_occupation", 3) not in answers and ("m_relation", 1) in answers
    assert len(answers) == 13 + 3 * 10 - 2 + 5 + 6 + 2 + 1  # a member for each of 6 problems, 2 details, needs (no note)
    assert all_rows(db_engine, AnswerChange) == []  # edits before submission are not "changes"

    # At rest: the ID and phones typed above are nowhere in the database as plain text
    # (read with plain SQL, as a stolen copy would be), yet the bot read them back above.
    assert plain_text_hits(db_engine, [HEAD_ID, "0812345678"]) == []
    # In the chat: the ID and phones are masked wherever the bot shows an answer: the review cards
    # (x-xxxx-xxxxx-56-3 above) and the registration's confirmation. (The hints' examples happen to
    # be these very numbers, so the other messages are not searched.)
    shown = [m.message for m in line_api.messages_for(chat.user_id) if m.via != "user" and (m.message["type"] == "flex" or "ยืนยัน" in m.message.get("text", ""))]
    said = json.dumps(shown, ensure_ascii=False)
    assert "08x-xxx-5678" in said and [value for value in (HEAD_ID, "1-1037-01234-56-3", "0812345678", "081-234-5678") if value in said] == []
    # In the logs: no name, ID, phone, house number or free text typed above, even at DEBUG.
    typed = ["อาสา ทดสอบ", "สมชาย", "สมศรี", "สมใจ", HEAD_ID, "1-1037-01234-56", "0812345678", "081-234-5678", "10030123456", "1003-012345-6", "12/3", "12/4", "ต้องใช้รถเข็น", "หนี้นอกระบบ", "ต้องการซ่อมบ้าน"]
    leaks = [(record.name, value) for record in caplog.records for value in typed if value in record.getMessage() or value in (record.exc_text or "")]
    assert leaks == []

"""Answers volunteers really typed in the trial, through signed webhooks: the Thai reply and the stored row.

Each test brings one draft to a question, then for every answer: types it, reads what the
bot said back and the row it stored, and goes back ("ย้อนกลับ") to the same question.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.dialogs.answers import MONTHS, format_date_be
from storage.models import SurveyAnswer
from tests.support.line_chat import LineChat, Replies, dump
from tests.support.survey import make_volunteer

HEAD_ID = "1103701234563"


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Bangkok")).date()


def be(day: dt.date) -> int:
    return day.year + 543


# The answers that bring a one-member... two-member household to each question, in the order asked.
PATH = (
    ("consent", "ใช่"), ("respondent", "1"), ("survey_date", "วันนี้"), ("house_code", "ข้าม"), ("house_no", "12/3"),
    ("moo", "2"), ("community", "1"), ("area_confirm", "ใช่"), ("head_name", "สมชาย ใจดี"), ("head_national_id", HEAD_ID),
    ("phone", "ข้าม"), ("member_count", "2"), ("location", "ข้าม"),
    ("m_birth_year", "45"), ("m_sex", "ชาย"), ("m_health", "1"), ("m_education", "2"), ("m_occupation", "3"),
    ("m_income", "9,000"), ("m_welfare", "6"), ("m_name", "สมศรี ใจดี"),
)


def at_question(chat: LineChat, db_engine, code: str, bound: bool = True) -> Replies:  # type: ignore[no-untyped-def]
    """A volunteer's new draft, answered up to (not including) the first question with this code.

    A bound volunteer's community (without a village number) is known: neither is asked.
    """
    make_volunteer(db_engine, chat.user_id, bound=bound)
    reply = chat.say("สำรวจ")
    for asked, answer in PATH:
        if asked == code:
            return reply
        if bound and asked in ("moo", "community"):
            continue
        reply = chat.say(answer)
    raise AssertionError(f"{code} is not on the path")


def stored(db_engine, code: str, member_no: int = 0) -> str | None:  # type: ignore[no-untyped-def]
    """The stored answer to a question."""
    with db_engine.connect() as connection:
        return connection.execute(select(SurveyAnswer.value).where(SurveyAnswer.code == code, SurveyAnswer.member_no == member_no)).scalar_one()


def accepted(chat: LineChat, db_engine, code: str, cases, member_no: int = 0, next_question: str = "") -> None:  # type: ignore[no-untyped-def]
    """Each typed answer is stored as expected and said back where it was interpreted; then back to the question."""
    for typed, value, said in cases:
        reply = chat.say(typed)
        assert next_question in reply.texts[-1], f"{typed!r} was not accepted:\n{dump(reply)}"
        assert stored(db_engine, code, member_no) == value, typed
        if said:
            assert said in reply.text, f"{typed!r}: {said!r} not said:\n{dump(reply)}"
        else:
            assert "บันทึกแล้ว" not in reply.text, f"{typed!r} needs no confirmation:\n{dump(reply)}"
        chat.say("ย้อนกลับ")


def refused(chat: LineChat, db_engine, code: str, cases, question: str, member_no: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Each typed answer is refused with its Thai reason, the same question asked again, nothing stored."""
    before = _stored_or_none(db_engine, code, member_no)
    for typed, reason in cases:
        reply = chat.say(typed)
        assert reason in reply.text and question in reply.texts[-1], f"{typed!r}:\n{dump(reply)}"
        assert _stored_or_none(db_engine, code, member_no) == before, typed


def _stored_or_none(db_engine, code: str, member_no: int) -> str | None:  # type: ignore[no-untyped-def]
    with db_engine.connect() as connection:
        return connection.execute(select(SurveyAnswer.value).where(SurveyAnswer.code == code, SurveyAnswer.member_no == member_no)).scalar_one_or_none()


def test_member_count_with_its_unit(line_user, db_engine):
    chat = line_user()
    at_question(chat, db_engine, "member_count")
    accepted(chat, db_engine, "member_count", [("4 คน", "4", None), ("๔ คน", "4", None), ("3", "3", None)], next_question="ตำแหน่งบ้าน")
    refused(chat, db_engine, "member_count", [("4 ห้อง", "กรุณาพิมพ์ตัวเลขตั้งแต่ 1 ถึง 30"), ("31 คน", "กรุณาพิมพ์ตัวเลขตั้งแต่ 1 ถึง 30")], "จำนวนสมาชิก")


def test_village_number_as_people_write_it(line_user, db_engine):
    chat = line_user()
    at_question(chat, db_engine, "moo", bound=False)
    accepted(chat, db_engine, "moo", [("หมู่ 10", "10", None), ("ม.10", "10", None), ("หมู่ที่ 10", "10", None), ("ม. ๑๑", "11", None)], next_question="ชุมชน")
    refused(chat, db_engine, "moo", [("หมู่ 100", "กรุณาพิมพ์ตัวเลขตั้งแต่ 0 ถึง 99"), ("ซอย 10", "กรุณาพิมพ์ตัวเลขตั้งแต่ 0 ถึง 99")], "หมู่ที่")


def test_age_or_year_of_birth_is_recorded_as_a_birth_year_and_said_back(line_user, db_engine):
    chat = line_user()
    at_question(chat, db_engine, "m_birth_year")
    year = be(today())
    accepted(
        chat, db_engine, "m_birth_year",
        [
            ("อายุ 73", str(year - 73), f"บันทึกแล้ว: เกิดปี พ.ศ. {year - 73} (อายุ 73 ปี ในปี {year})"),
            ("73 ปี", str(year - 73), f"บันทึกแล้ว: เกิดปี พ.ศ. {year - 73} (อายุ 73 ปี ในปี {year})"),
            ("6 เดือน", str(year), f"บันทึกแล้ว: เกิดปี พ.ศ. {year} (อายุ 0 ปี ในปี {year})"),
            ("1 ขวบ", str(year - 1), f"บันทึกแล้ว: เกิดปี พ.ศ. {year - 1} (อายุ 1 ปี ในปี {year})"),
            ("พ.ศ. 2499", "2499", None),
            ("2510", "2510", None),
        ],
        member_no=1, next_question="สมาชิกคนที่ 1: เพศ",
    )
    refused(chat, db_engine, "m_birth_year", [("อายุ 130", "หรืออายุ 0 ถึง 120 ปี"), ("1960", "1960 น่าจะเป็นปี ค.ศ.")], "ปีเกิด", member_no=1)


def test_income_in_words_and_per_year_is_converted_and_said_back(line_user, db_engine):
    chat = line_user()
    reply = at_question(chat, db_engine, "m_income")
    assert "รายได้ต่อเดือน" in reply.texts[-1]  # the form asks per month
    accepted(
        chat, db_engine, "m_income",
        [
            ("3,000.-", "3000", None),
            ("5,000 บาท/เดือน", "5000", "บันทึกแล้ว: 5,000 บาท/เดือน"),
            ("60,000 บาท/ปี", "5000", "บันทึกแล้ว: 5,000 บาท/เดือน (แปลงจาก 60,000 บาท/ปี)"),
            ("ประมาณ 3,000 บาท", "3000", "บันทึกแล้ว: 3,000 บาท/เดือน"),
            ("5 พัน", "5000", "บันทึกแล้ว: 5,000 บาท/เดือน"),
            ("3 หมื่น", "30000", "บันทึกแล้ว: 30,000 บาท/เดือน"),
            ("1.5 หมื่น", "15000", "บันทึกแล้ว: 15,000 บาท/เดือน"),
            ("ไม่มีรายได้", "0", "บันทึกแล้ว: 0 บาท/เดือน"),
        ],
        member_no=1, next_question="สวัสดิการที่ได้รับ",
    )
    refused(
        chat, db_engine, "m_income",
        [("วันละ 300", "กรุณาพิมพ์จำนวนเงินต่อเดือน หากได้ค่าจ้างรายวัน"), ("2 หมื่น 5", "กรุณาพิมพ์จำนวนเงินเป็นบาท"), ("ห้าพัน", "กรุณาพิมพ์จำนวนเงินเป็นบาท")],
        "รายได้ต่อเดือน", member_no=1,
    )


def _short_month(day: dt.date) -> str:
    """ม.ค (the abbreviation without its last dot, as often typed)."""
    return MONTHS[day.month - 1][0].rstrip(".")


def test_dates_as_typed_are_accepted_and_said_back(line_user, db_engine):
    chat = line_user()
    reply = at_question(chat, db_engine, "survey_date")
    now, earlier = today(), today() - dt.timedelta(days=10)
    example = re.search(r"เช่น (\S+) หรือ “เมื่อวาน”", reply.texts[-1])
    assert example, dump(reply)
    accepted(
        chat, db_engine, "survey_date",
        [
            ("เมื่อวาน", (now - dt.timedelta(days=1)).isoformat(), f"บันทึกแล้ว: {format_date_be(now - dt.timedelta(days=1))}"),
            ("วันนี้", now.isoformat(), f"บันทึกแล้ว: {format_date_be(now)}"),
            (f"{earlier.day} {_short_month(earlier)} {be(earlier) % 100}", earlier.isoformat(), f"บันทึกแล้ว: {format_date_be(earlier)}"),
            (f"{earlier.day} {MONTHS[earlier.month - 1][0]} {be(earlier)}", earlier.isoformat(), f"บันทึกแล้ว: {format_date_be(earlier)}"),
            (example[1], now.isoformat(), f"บันทึกแล้ว: {format_date_be(now)}"),  # the hint's own example
        ],
        next_question="รหัสประจำบ้าน",
    )
    long_ago = now - dt.timedelta(days=400)
    # The survey date's window is the round's (a year back for round 2566): the reply names its first day.
    refused(chat, db_engine, "survey_date", [(f"{long_ago.day}/{long_ago.month}/{be(long_ago)}", "ซึ่งเป็นวันแรกที่สำรวจได้ในรอบนี้"), ("พรุ่งนี้", "กรุณาพิมพ์วันที่เป็น วัน/เดือน/ปี พ.ศ.")], "วันที่สำรวจ")


def test_the_id_card_hint_example_is_a_valid_number(line_user, db_engine):
    chat = line_user()
    reply = at_question(chat, db_engine, "head_national_id")
    example = re.search(r"เช่น ([\d-]+)", reply.texts[-1])
    assert example, dump(reply)
    accepted(chat, db_engine, "head_national_id", [(example[1], example[1].replace("-", ""), None)], next_question="เบอร์โทรศัพท์ติดต่อ")


def test_phone_numbers_mobile_landline_international_and_extension(line_user, db_engine):
    chat = line_user()
    at_question(chat, db_engine, "phone")
    accepted(
        chat, db_engine, "phone",
        [
            ("081-234-5678", "0812345678", None),
            ("+66 81 234 5678", "0812345678", "บันทึกแล้ว: 08x-xxx-5678"),
            ("66812345678", "0812345678", "บันทึกแล้ว: 08x-xxx-5678"),
            ("02-123-4567", "021234567", None),
            ("02 123 4567 ต่อ 123", "021234567;ext=123", "บันทึกแล้ว: 02-xxx-4567 ต่อ 123"),
            ("053-123-456", "053123456", None),
        ],
        next_question="จำนวนสมาชิกที่อาศัยอยู่จริง",
    )
    refused(
        chat, db_engine, "phone",
        [
            ("081-234-567", "เบอร์มือถือมี 10 หลัก (ขึ้นต้นด้วย 06 08 หรือ 09) ท่านพิมพ์มา 9 หลัก"),
            ("02-123-45678", "เบอร์โทรศัพท์บ้านมี 9 หลัก (ขึ้นต้นด้วย 02 ถึง 07) ท่านพิมพ์มา 10 หลัก"),
            ("12345", "เบอร์โทรศัพท์ต้องเป็นเบอร์มือถือ 10 หลัก"),
        ],
        "เบอร์โทรศัพท์",
    )


def test_a_name_needs_a_first_name_and_a_surname(line_user, db_engine):
    chat = line_user()
    at_question(chat, db_engine, "head_name")
    refused(
        chat, db_engine, "head_name",
        [("สมชาย", "กรุณาพิมพ์ทั้งชื่อและนามสกุล โดยเว้นวรรคระหว่างชื่อกับนามสกุล"), ("นาย สมชาย", "กรุณาพิมพ์ทั้งชื่อและนามสกุล"), ("สมชาย 2", "ชื่อต้องไม่มีตัวเลข")],
        "ชื่อ-สกุล หัวหน้าครัวเรือน",
    )
    accepted(chat, db_engine, "head_name", [("นายสมชาย ใจดี", "นายสมชาย ใจดี", None), ("สมชาย  ใจดี", "สมชาย ใจดี", None)], next_question="เลขประจำตัวประชาชนหัวหน้าครัวเรือน")


def test_a_member_name_needs_a_surname_too(line_user, db_engine):
    chat = line_user()
    reply = at_question(chat, db_engine, "m_name")
    assert "สมาชิกคนที่ 2" in reply.texts[-1]
    refused(chat, db_engine, "m_name", [("สมศรี", "กรุณาพิมพ์ทั้งชื่อและนามสกุล")], "สมาชิกคนที่ 2", member_no=2)
    accepted(chat, db_engine, "m_name", [("นางสมศรี ใจดี", "นางสมศรี ใจดี", None)], member_no=2, next_question="สมาชิกคนที่ 2: ปีเกิด")
    # The age may follow the name, as in the house register: said back, and not asked after it.
    year = be(today())
    reply = chat.say("นางสมศรี  ใจดี อายุ ๔๓")
    assert "บันทึกแล้ว: เกิดปี พ.ศ. {} (อายุ 43 ปี ในปี {})".format(year - 43, year) in reply.text, dump(reply)
    assert "สมาชิกคนที่ 2: ความเกี่ยวข้อง" in reply.texts[-1], dump(reply)
    assert (stored(db_engine, "m_name", 2), stored(db_engine, "m_birth_year", 2)) == ("นางสมศรี ใจดี", str(year - 43))
    assert stored(db_engine, "m_sex", 2) == "female"  # "นาง" before the name: the sex is not asked

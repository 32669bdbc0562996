"""The review's suggestions a volunteer reads in the chat, each declared in the form (issue 9):
a bedridden, a chronically ill and a disabled member (H1, H2, H3), a child of compulsory-school
age out of school (E1), the elderly without income (I3), a young child without the grant (A5)."""

from __future__ import annotations

from tests.support.line_chat import dump
from tests.support.survey import make_volunteer
from tests.test_survey_ux import Volunteer, household_part


def steps(v: Volunteer, *given: str | int) -> None:
    """Numbers tap that choice, "ข้าม" and "เสร็จสิ้น" tap their buttons, other texts are typed."""
    for step in given:
        if isinstance(step, int):
            v.tap_number(step)
        elif step in ("ข้าม", "เสร็จสิ้น"):
            v.tap(step)
        else:
            v.say(step)


def no_problems(v: Volunteer) -> None:
    """Every problem checklist answered "No problem in this dimension", no needs."""
    for _dimension in range(5):
        v.tap(next(b for b in v.last.buttons if b.endswith("ไม่มีปัญหาด้านนี้")))
    v.tap("ข้าม")


def test_the_review_suggests_the_problems_the_members_answers_point_to(line_user, db_engine):
    v = Volunteer(line_user())
    make_volunteer(db_engine, v.chat.user_id)
    household_part(v, 4)
    # the head: 70, bedridden, no occupation, no income, no welfare
    steps(v, "70", 4, 1, 1, "ไม่มีรายได้", 6)
    # his wife: 65, chronically ill, no income, the old-age allowance
    steps(v, "นางสมศรี ใจดี อายุ 65", 2, "ข้าม", 2, 1, 1, "0", 1, "เสร็จสิ้น")
    # a grandson of 10, disabled, never schooled, no welfare
    steps(v, "เด็กชายสมปอง ใจดี 10 ขวบ", 4, "ข้าม", 3, 1, 6)
    # a granddaughter of 3 without the child grant
    steps(v, "เด็กหญิงสมใจ ใจดี อายุ 3", 4, "ข้าม", 1, 1, 6)
    no_problems(v)
    assert "ยืนยันส่ง" in v.last.buttons, dump(v.last)
    text = v.last.texts[-1]
    for expected in (
        "สมาชิกคนที่ 1 ป่วยติดเตียง แต่ยังไม่ได้เลือกปัญหา “มีผู้ป่วยติดเตียง”",
        "สมาชิกคนที่ 2 ป่วยเรื้อรัง",
        "“มีผู้ป่วยเรื้อรังที่ขาดการรักษาต่อเนื่อง”",
        "สมาชิกคนที่ 3 เป็นคนพิการ แต่ยังไม่ได้เลือกปัญหาด้านสุขภาพ",
        "“มีคนพิการที่ต้องการการดูแล”",
        "สมาชิกคนที่ 3 อยู่ในวัยเรียนภาคบังคับแต่ไม่ได้กำลังเรียน",
        "สมาชิกคนที่ 1, 2 อายุ 60 ปีขึ้นไปและไม่มีรายได้",
        "สมาชิกคนที่ 4 เป็นเด็กเล็กที่ไม่ได้รับเงินอุดหนุนเพื่อการเลี้ยงดูเด็ก",
    ):
        assert expected in text, f"{expected!r} not in:\n{text}"
    # Each suggestion leads to its dimension by a button that names it whole.
    assert {"แก้ไขปัญหาด้านสุขภาพ", "แก้ไขปัญหาการศึกษา", "แก้ไขปัญหาด้านรายได้", "แก้ไขปัญหาบริการรัฐ"} <= set(v.last.buttons), v.last.buttons
    # Ticking a suggested problem from it: its member is the one the answers show, then the review.
    v.tap("แก้ไขปัญหาการศึกษา")
    v.tap_number(1)  # a child out of school
    v.tap("เสร็จสิ้น")
    assert "“เด็กอายุ 6–15 ปี ไม่ได้เรียนภาคบังคับ หรือออกกลางคัน” เป็นปัญหาของ เด็กชายสมปอง ใจดี" in v.last.text, dump(v.last)
    assert "ยืนยันส่ง" in v.last.buttons and "วัยเรียนภาคบังคับ" not in v.last.texts[-1]

"""A volunteer's way through the survey, counted and read as they see it (issue 9).

No internal code in any text or button, a progress line that only moves forward, checklists
answered tap by tap, a long household, edits from the review, and the number of messages a
4-member household with 4 problems takes.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from bot.dialogs.form import current_form
from tests.support.line_chat import LineChat, Replies, dump
from tests.support.survey import flex_texts, make_volunteer

# What the volunteer of the counted survey may need at most (72 before issue 9, 58 in its first pass).
MESSAGES_FOR_FOUR_MEMBERS_FOUR_PROBLEMS = 50
NAMES = ("สมศรี", "สมใจ", "สมพร", "สมหญิง", "สมจิต", "สมปอง", "สมบูรณ์", "สมคิด", "สมทรง")
PROGRESS = re.compile(r"ส่วนที่ (\d+)/(\d+) · [^·\n]*?(?: · (?:สมาชิกคนที่|ปัญหาที่) (\d+)/(\d+))?$", re.MULTILINE)


def visible_texts(replies: Replies) -> Iterator[str]:
    """Every text a person reads in a reply: messages, button labels, what a tap shows as sent, alt texts."""

    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("text", "label", "displayText", "altText") and isinstance(value, str):
                    yield value
                else:
                    yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    return walk(replies.messages)


def code_pattern() -> re.Pattern[str]:
    """The form's codes a person must never read: question and choice codes with a digit or an
    underscore, and the one-letter dimension codes where a problem or dimension is named."""
    form = current_form()
    codes = {q.code for q in form.questions()} | {c.code for q in form.questions() for c in q.choices}
    marked = sorted((c for c in codes if re.search(r"[\d_]", c)), key=len, reverse=True)
    dimensions = "".join(q.code for q in form.questions() if q.problems)
    ascii_edge = r"(?<![A-Za-z0-9_])({})(?![A-Za-z0-9_])".format("|".join(map(re.escape, marked)))
    in_problem = r"(?:ปัญหา|ด้าน)\s*[{}](?![A-Za-z0-9_])".format(dimensions)
    return re.compile(f"{ascii_edge}|{in_problem}")


class Volunteer:
    """A LINE chat that counts the volunteer's messages and reads every reply for codes and progress."""

    def __init__(self, chat: LineChat):
        self.chat, self.sent, self.last = chat, 0, Replies([], 200)
        self.codes = code_pattern()
        self.progress: list[tuple[int, ...]] = []

    def _read(self, replies: Replies) -> Replies:
        assert replies.status == 200
        for text in visible_texts(replies):
            found = self.codes.search(text)
            assert found is None, f"code {found[0]!r} shown in {text!r}"
        for match in PROGRESS.finditer(replies.text):
            self.progress.append(tuple(int(g) for g in match.groups() if g is not None))
        self.sent += 1
        self.last = replies
        return replies

    def say(self, text: str) -> Replies:
        return self._read(self.chat.say(text))

    def tap(self, label: str) -> Replies:
        return self._read(self.chat.tap_button(self.last, label))

    def tap_number(self, number: int) -> Replies:
        """Tap the button of choice `number` (its label starts with the number)."""
        label = next((b for b in self.last.buttons if b.lstrip("✓").startswith(f"{number}. ")), None)
        assert label is not None, f"no button {number} in {self.last.buttons}"
        return self.tap(label)

    def send_location(self) -> Replies:
        return self._read(self.chat.send_location(16.4419, 102.8360))

    def asks(self, *fragments: str) -> None:
        for fragment in fragments:
            assert fragment in self.last.texts[-1], f"{fragment!r} not in:\n{dump(self.last)}"


def household_part(v: Volunteer, members: int) -> None:
    """Start a survey and answer the household part, by buttons where there are buttons.

    The volunteer's invite binds a community without a village number: neither is asked.
    """
    v.say("สำรวจ")
    v.tap("1. ยินยอม")
    v.tap_number(1)  # the head answers
    v.tap("วันนี้")
    v.say("10030123456")
    v.say("12/3")
    v.tap("1. ถูกต้อง")  # the area, with the community, is right
    v.say("นายสมชาย ใจดี")
    v.say("1103701234563")
    v.say("0812345678")
    v.say(str(members))
    v.send_location()


def member(v: Volunteer, name: str, relation: int, age: int, adult: bool) -> None:
    """A member after the head: the title before the name says the sex, the age follows the name."""
    v.say(f"{name} อายุ {age}")
    v.tap_number(relation)
    v.tap("ข้าม")  # ID card not at hand
    v.tap_number(1)  # healthy
    v.tap_number(2 if adult else 7)  # primary, or still studying
    if adult:
        v.tap_number(1)  # no occupation
        v.say("0")
    v.tap_number(6)  # no welfare


def problem(v: Volunteer, number: int, whose: int | None = None) -> None:
    """Tick one problem, tap Done, tap whose it is (unless the answers show it)."""
    v.tap_number(number)
    v.tap("เสร็จสิ้น")
    if whose is not None:
        v.tap_number(whose)


def four_members_four_problems(v: Volunteer) -> None:
    """The counted household: a couple and two children; health, living, education and income problems."""
    household_part(v, 4)
    v.say("45")
    v.tap_number(2)  # chronically ill
    v.tap_number(2)
    v.tap_number(3)  # labourer
    v.say("9,000")
    v.tap_number(6)
    member(v, "นางสมศรี ใจดี", 2, 43, adult=True)
    member(v, "เด็กชายสมปอง ใจดี", 3, 12, adult=False)
    member(v, "เด็กหญิงสมใจ ใจดี", 3, 5, adult=False)
    problem(v, 2)  # health: lacks continuing treatment: the head, the one chronically ill member
    v.asks("ด้านความเป็นอยู่")
    assert "บันทึกแล้ว: “มีผู้ป่วยเรื้อรังที่ขาดการรักษาต่อเนื่อง” เป็นปัญหาของ นายสมชาย ใจดี" in v.last.text, dump(v.last)
    problem(v, 2)  # living: dilapidated house: the whole household's
    assert "เป็นปัญหาของ ทั้งครัวเรือน" in v.last.text, dump(v.last)
    problem(v, 5)  # education: lacks a scholarship: the son, the one pupil of school age
    assert "“ขาดทุนการศึกษา” เป็นปัญหาของ เด็กชายสมปอง ใจดี" in v.last.text, dump(v.last)
    problem(v, 3, 1)  # income: informal debt, the head (third: the elderly one is not offered)
    v.tap_number(7)  # access: no problem (no old-age allowance problem offered: nobody is 60)
    v.say("ซ่อมบ้าน")  # the surveyor's note is offered on the review, not asked


def test_four_members_four_problems_take_few_messages_none_shows_a_code_and_progress_moves_forward(line_user, db_engine):
    v = Volunteer(line_user())
    make_volunteer(db_engine, v.chat.user_id)
    four_members_four_problems(v)
    assert "ยืนยันส่ง" in v.last.buttons, dump(v.last)
    # The review and its suggestions name problems in Thai (the codes were checked on every reply).
    assert "ไม่ได้เลือกปัญหา “รายได้เฉลี่ยต่อคนต่อปีต่ำกว่าเกณฑ์ จปฐ.”" in v.last.text
    assert "มีหนี้นอกระบบ: สมาชิกที่เกี่ยวข้อง" in flex_texts(v.last)
    receipt = v.tap("ยืนยันส่ง")
    assert "เลขที่แบบสำรวจ" in receipt.text
    print(f"messages for a 4-member household with 4 problems: {v.sent}")
    assert v.sent <= MESSAGES_FOR_FOUR_MEMBERS_FOUR_PROBLEMS
    # Section, then member or problem: never backwards along the survey.
    assert v.progress == sorted(v.progress) and len(v.progress) >= 40
    assert (3, 9, 4, 4) in v.progress and (7, 9, 1, 1) in v.progress


def test_code_pattern_catches_what_a_volunteer_must_not_read():
    codes = code_pattern()
    for shown in ("ปัญหา H3 “มีคนพิการ”", "แก้ไขปัญหาด้าน I", "H2: สมาชิกที่เกี่ยวข้อง", "m_name", "ยังไม่ได้เลือกปัญหา A1"):
        assert codes.search(shown), shown
    for fine in ("ปัญหาที่ 1/2", "บ้านเลขที่ 12/3", "ด้านสุขภาพ", "QM-2566-000001", "HOME"):
        assert codes.search(fine) is None, fine


def test_a_tick_answers_briefly_and_keep_shows_only_when_coming_back(line_user, db_engine):
    v = Volunteer(line_user())
    make_volunteer(db_engine, v.chat.user_id)
    household_part(v, 1)
    for step in ("45", 1, 2, 3, "9,000"):
        v.say(step) if isinstance(step, str) else v.tap_number(step)
    v.asks("สวัสดิการที่ได้รับ")
    assert v.last.buttons[0] == "เสร็จสิ้น" and "ใช้คำตอบเดิม" not in v.last.buttons
    v.tap_number(4)
    # the updated buttons under a short line, not the whole question again
    assert v.last.texts == ["เลือกแล้ว: บัตรสวัสดิการแห่งรัฐ กดเลือกรายการเพิ่ม หรือกด “เสร็จสิ้น”"]
    assert v.last.buttons[:5] == ["เสร็จสิ้น", "1. เบี้ยผู้สูงอายุ", "2. เบี้ยความพิการ", "3. เงินอุดหนุนเด็ก", "✓4. บัตรสวัสดิการ"]
    assert "ใช้คำตอบเดิม" not in v.last.buttons
    v.tap_number(4)
    assert v.last.texts == ["ยังไม่ได้เลือกรายการใด กรุณากดเลือกรายการ หรือกด “เสร็จสิ้น”"]
    v.tap("เสร็จสิ้น")
    v.asks("กรุณาเลือกอย่างน้อยหนึ่งรายการ หรือเลือก “ไม่ได้รับ” แล้วกด “เสร็จสิ้น”")
    assert "6. ไม่ได้รับ" in v.last.buttons and "คำตอบเดิม" not in v.last.text
    v.tap_number(6)
    v.asks("ด้านสุขภาพ")
    # Coming back to an answered question: now "keep" is offered (not on a checklist: Done keeps it).
    v.tap("ย้อนกลับ")
    v.asks("สวัสดิการที่ได้รับ", "✓ 6. ไม่ได้รับ")
    assert v.last.buttons[0] == "เสร็จสิ้น" and "ใช้คำตอบเดิม" not in v.last.buttons
    v.tap("ย้อนกลับ")
    v.asks("รายได้ต่อเดือน", "คำตอบเดิม: 9,000 บาท")
    assert "ใช้คำตอบเดิม" in v.last.buttons


def test_every_member_of_a_large_household_and_the_whole_household_can_be_picked(line_user, db_engine):
    v = Volunteer(line_user())
    make_volunteer(db_engine, v.chat.user_id)
    household_part(v, 10)
    for step in ("45", 1, 2, 3, "9,000", 6):
        v.say(step) if isinstance(step, str) else v.tap_number(step)
    for name in NAMES:
        member(v, f"นาง{name} ใจดี", 6, 30, adult=True)
    v.tap_number(1)  # bedridden: nobody's health answer says so, so the volunteer is asked
    v.tap_number(4)  # no caregiver
    v.tap("เสร็จสิ้น")
    v.asks("เป็นปัญหาของสมาชิกคนใด", "1. นายสมชาย ใจดี", "10. นางสมทรง ใจดี", "11. ทั้งครัวเรือน", "พิมพ์หมายเลข")
    assert "11. ทั้งครัวเรือน" in v.last.buttons and len(v.last.buttons) <= 13
    v.say("10")  # a member beyond the buttons, typed
    v.tap("11. ทั้งครัวเรือน")
    v.asks("ด้านความเป็นอยู่")
    for _dimension in range(4):
        v.tap(next(b for b in v.last.buttons if b.endswith("ไม่มีปัญหาด้านนี้")))
    v.tap("ข้าม")
    rows = flex_texts(v.last)
    assert "นางสมทรง ใจดี" in rows and "ทั้งครัวเรือน" in rows


def test_an_edit_from_the_review_returns_to_it_asking_only_what_the_change_needs(line_user, db_engine):
    v = Volunteer(line_user())
    make_volunteer(db_engine, v.chat.user_id)
    four_members_four_problems(v)

    def edit(label: str) -> Replies:
        action = next(a for a in (b["action"] for b in _flex_buttons(v.last)) if a.get("displayText") == label)
        return v._read(v.chat.tap(action["data"]))

    edit("แก้ไข: สมาชิกคนที่ 3: ปีเกิด (พ.ศ.) หรืออายุ")
    v.asks("คำตอบเดิม")
    v.say("13")
    assert "ยืนยันส่ง" in v.last.buttons  # straight back to the review: one message
    # "keep" on a member's question changes nothing and returns to the review, not through the member
    edit("แก้ไข: สมาชิกคนที่ 2: สภาวะสุขภาพ")
    v.asks("สมาชิกคนที่ 2: สภาวะสุขภาพ", "คำตอบเดิม: ปกติ")
    v.tap("ใช้คำตอบเดิม")
    assert "ยืนยันส่ง" in v.last.buttons, dump(v.last)
    # more members: only the new member's questions, then the review
    edit("แก้ไข: จำนวนสมาชิกที่อาศัยอยู่จริง (คน รวมหัวหน้าครัวเรือน)")
    v.say("5")
    v.asks("สมาชิกคนที่ 5: ชื่อ-สกุล")
    member(v, "นายสมหมาย ใจดี", 6, 30, adult=True)
    assert "ยืนยันส่ง" in v.last.buttons and "สมาชิกคนที่ 5: นายสมหมาย ใจดี" in flex_texts(v.last)
    # a problem ticked from a suggestion: only its follow-up, then the review
    v.tap("แก้ไขปัญหาด้านรายได้")
    v.tap("1. รายได้ตกเกณฑ์")
    v.tap("เสร็จสิ้น")  # the income line is the whole household's: no follow-up asked
    assert "“รายได้เฉลี่ยต่อคนต่อปีต่ำกว่าเกณฑ์ จปฐ.” เป็นปัญหาของ ทั้งครัวเรือน" in v.last.text
    assert "ยืนยันส่ง" in v.last.buttons, dump(v.last)
    assert "ไม่ได้เลือกปัญหา “รายได้เฉลี่ยต่อคนต่อปีต่ำกว่าเกณฑ์ จปฐ.”" not in v.last.texts[-1]  # the suggestion is gone
    # a detail added from the review
    edit("แก้ไข: มีหนี้นอกระบบ: รายละเอียด")
    v.say("หนี้นอกระบบ 20,000 บาท")
    assert "ยืนยันส่ง" in v.last.buttons and "หนี้นอกระบบ 20,000 บาท" in flex_texts(v.last)


def test_the_surveyors_note_is_added_from_the_review(line_user, db_engine):
    v = Volunteer(line_user())
    make_volunteer(db_engine, v.chat.user_id)
    four_members_four_problems(v)
    assert "บันทึกเพิ่มเติมของผู้สำรวจ\n-" in flex_texts(v.last) or "บันทึกเพิ่มเติมของผู้สำรวจ" in flex_texts(v.last)
    action = next(a for a in (b["action"] for b in _flex_buttons(v.last)) if a.get("displayText") == "แก้ไข: บันทึกเพิ่มเติมของผู้สำรวจ")
    v._read(v.chat.tap(action["data"]))
    v.asks("บันทึกเพิ่มเติมของผู้สำรวจ")
    v.say("เจ้าบ้านไม่อยู่ช่วงกลางวัน")
    assert "ยืนยันส่ง" in v.last.buttons and "เจ้าบ้านไม่อยู่ช่วงกลางวัน" in flex_texts(v.last)


def _flex_buttons(replies: Replies) -> list[dict[str, Any]]:
    """The buttons of the review cards."""
    from tests.support.survey import flex_components

    return flex_components(replies, "button")

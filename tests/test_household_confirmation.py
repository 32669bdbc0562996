"""Households confirm from their own LINE that their problems were really solved (thaiqm-form.md §4).

Everything goes through signed webhooks into the real app: the volunteer asks for a code (text,
link and a QR picture fetched from the app), a brand-new LINE user sends it, confirms one
problem and rejects another (the volunteer and supervisor get a push), wrong, used and expired
codes, a forged button for another household's problem, and a confirmation witnessed in person.
"""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, time, timedelta, timezone
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image as PILImage
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from bot.line.images import qr_png
from storage.confirmation_models import ConfirmationCode, ConfirmationGuard, ConfirmationWitness, HouseholdLink, ProblemConfirmation
from storage.models import AuditEntry, Household, HouseholdProblem
from storage.problem_history import ProblemHistory
from storage.rexray import ProblemCheck, record_check
from storage.round_import import HouseholdRecord, ProblemRecord, store_round
from storage.statuses import ProblemStatus
from tests.support.world import World

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)
VOLUNTEER = "U" + "a" * 32
SUPERVISOR = "U" + "b" * 32
OTHER_VOLUNTEER = "U" + "c" * 32
BASE_URL = "https://bot.example.org"
BASIC_ID = "@123abcde"
NOTE = "ส่งต่อ รพ.สต. แล้ว รอผลตรวจ"  # a volunteer's note: never shown to a household
OTHER_HEAD, OTHER_HOUSE, OTHER_NOTE = "นางลับเฉพาะ บ้านอื่น", "99/9", "บันทึกลับของบ้านอื่น"
NATIONAL_ID = "3100600123455"


@pytest.fixture
def config(config):  # type: ignore[no-untyped-def]
    """The tests' configuration with a public address, a basic id and no quiet hours."""
    return config.with_overrides(public_base_url=BASE_URL, line_basic_id=BASIC_ID, quiet_hours=(time(0, 0), time(0, 0)))


@pytest.fixture
def world(db_engine) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A sub-district volunteer with household 12/3 (two problems claimed solved, one in progress) and another volunteer's 99/9."""
    w = World(db_engine)
    town = w.municipality("เทศบาลตำบลเมืองเพีย", "401005", "subdistrict")
    north = w.community(town, "ชุมชนเหนือ")
    volunteer = w.person("volunteer", town, north, name="สมศรี เดินดี", line_user_id=VOLUNTEER)
    other = w.person("volunteer", town, north, name="สมใจ อีกคน", line_user_id=OTHER_VOLUNTEER)
    supervisor = w.person("supervisor", town, None, name="วันดี มีสุข", line_user_id=SUPERVISOR)
    mine = HouseholdRecord(order=1, community_id=north, house_no="12/3", head_name="นายบุญมี รักบ้าน", head_national_id=NATIONAL_ID,
                           problems=[ProblemRecord("H1", "health"), ProblemRecord("I4", "income"), ProblemRecord("A3", "accessibility")])
    theirs = HouseholdRecord(order=2, community_id=north, house_no=OTHER_HOUSE, head_name=OTHER_HEAD, problems=[ProblemRecord("H1", "health")])
    with Session(db_engine) as session, session.begin():
        store_round(session, town, "2565", [mine], {None: [volunteer]}, NOW)
        store_round(session, town, "2565", [theirs], {None: [other]}, NOW)
        ids = {}
        for household in session.scalars(select(Household)):
            key = "mine" if household.house_no == "12/3" else "theirs"
            ids[key] = household.id
            by_code = {p.code: p for p in session.scalars(select(HouseholdProblem).where(HouseholdProblem.household_id == household.id))}
            who = volunteer if key == "mine" else other
            record_check(session, by_code["H1"], ProblemCheck(ProblemStatus.HELPED, note=NOTE if key == "mine" else OTHER_NOTE), who, NOW, "2566")
            ids[f"{key}_H1"] = by_code["H1"].id
            if key == "mine":
                record_check(session, by_code["I4"], ProblemCheck(ProblemStatus.SELF_RESOLVED), who, NOW, "2566")
                record_check(session, by_code["A3"], ProblemCheck(ProblemStatus.IN_PROGRESS, note=NOTE), who, NOW, "2566")
                ids["mine_I4"], ids["mine_A3"] = by_code["I4"].id, by_code["A3"].id
    return ids | {"volunteer": volunteer, "supervisor": supervisor}


def everything_said(replies) -> str:  # type: ignore[no-untyped-def]
    """Every text the bot sent (texts, cards, buttons, alt texts), as one string."""
    return json.dumps(replies.messages, ensure_ascii=False)


def card_action(replies, label: str, nth: int = 0) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The action of the nth card button with this label."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "button" and node["action"].get("label") == label:
                found.append(node["action"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(replies.messages)
    assert len(found) > nth, f"no card button {label!r} in {everything_said(replies)}"
    return found[nth]


def ask_code(line_user, house: str = "12/3") -> str:  # type: ignore[no-untyped-def]
    """The volunteer asks for a household's code; returns it."""
    answer = line_user(VOLUNTEER).say(f"ขอรหัสยืนยัน {house}")
    return re.search(r"\b(\d{6})\b", answer.text)[1]  # type: ignore[index]


def test_a_volunteer_gets_a_code_link_and_qr_picture_fetched_from_the_app(line_user, client, db_engine, world):
    answer = line_user(VOLUNTEER).say("ขอรหัสยืนยัน 12/3")
    assert "รหัสยืนยันของครัวเรือนบ้านเลขที่ 12/3 (นายบุญมี รักบ้าน)" in answer.text and "14 วัน" in answer.text
    code = re.search(r": (\d{6})\n", answer.text)[1]  # type: ignore[index]
    link = re.search(r"https://line\.me/R/oaMessage/\S+", answer.text)[0]  # type: ignore[index]
    assert link.startswith(f"https://line.me/R/oaMessage/{BASIC_ID}/?") and unquote(link.split("?", 1)[1]) == f"รหัสยืนยัน {code}"
    [image] = [m for m in answer.messages if m["type"] == "image"]
    for key, limit in (("originalContentUrl", 1024 * 1024), ("previewImageUrl", 200 * 1024)):
        url = urlsplit(image[key])
        assert image[key].startswith(BASE_URL + "/qr/") and code not in image[key]
        served = client.get(url.path)
        assert served.status_code == 200 and served.mimetype == "image/png" and len(served.data) <= limit
        assert PILImage.open(io.BytesIO(served.data)).format == "PNG"
    assert client.get(urlsplit(image["originalContentUrl"]).path).data == qr_png(link, 12)
    assert client.get("/qr/test1.AAAA.png").status_code == 404  # a forged token
    with Session(db_engine) as session:
        [row] = session.scalars(select(ConfirmationCode)).all()
        assert row.household_id == world["mine"] and code not in row.code_hash and row.used_at is None
        [entry] = session.scalars(select(AuditEntry)).all()
        assert (entry.action, entry.actor_person_id, entry.household_id) == ("household.code", world["volunteer"], world["mine"])


def test_the_household_confirms_one_problem_and_rejects_another_with_a_comment(line_user, line_api, db_engine, world):
    code = ask_code(line_user)
    household = line_user()
    household.follow()
    shown = household.say(f"รหัสยืนยัน {code}")  # the text the link puts in the chat
    said = everything_said(shown)
    assert "เชื่อมกับข้อมูลครัวเรือนของท่านแล้ว" in shown.text
    assert "มีผู้ป่วยติดเตียง" in said and "มีหนี้นอกระบบ" in said and "ผู้สูงอายุไม่ได้รับเบี้ยยังชีพ" not in said  # in progress: not claimed
    assert NOTE not in said and NATIONAL_ID not in said and "H1" not in said
    confirmed = household.tap(card_action(shown, "ยืนยันว่าแก้ไขแล้ว", 0)["data"])
    assert "ท่านยืนยันแล้วว่า “มีผู้ป่วยติดเตียง” ได้รับการแก้ไขแล้ว" in confirmed.text
    asked = household.tap(card_action(confirmed, "ยังไม่ได้แก้ไข", 0)["data"])
    assert "“มีหนี้นอกระบบ” ยังไม่ได้รับการแก้ไข" in asked.text and asked.buttons == ["ส่งโดยไม่มีความเห็น"]
    done = household.say("ยังต้องจ่ายดอกเบี้ยทุกเดือน")
    assert "แจ้งผู้สำรวจแล้ว" in done.text and "ไม่มีปัญหาที่รอการยืนยัน" in done.text
    for chat in (VOLUNTEER, SUPERVISOR):
        [push] = [m.message["text"] for m in line_api.messages_for(chat) if "ยังต้องจ่ายดอกเบี้ย" in m.message.get("text", "")]
        assert "บ้านเลขที่ 12/3" in push and "มีหนี้นอกระบบ" in push
    assert line_api.calls("push") and all(call.headers.get("X-Line-Retry-Key") for call in line_api.calls("push"))
    assert not [m for m in line_api.messages_for(OTHER_VOLUNTEER)]
    with Session(db_engine) as session:
        problems = {p.id: p for p in session.scalars(select(HouseholdProblem))}
        assert problems[world["mine_H1"]].status == "helped" and problems[world["mine_I4"]].status == "not_resolved"
        answers = {c.problem_id: c for c in session.scalars(select(ProblemConfirmation))}
        assert answers[world["mine_H1"]].answer == "confirmed" and answers[world["mine_I4"]].comment == "ยังต้องจ่ายดอกเบี้ยทุกเดือน"
        assert all(a.line_user_id is not None and a.confirmed_at is not None for a in answers.values())
        history = session.scalars(select(ProblemHistory).where(ProblemHistory.via == "household").order_by(ProblemHistory.id)).all()
        assert [(h.problem_id, h.old_status, h.new_status) for h in history] == [
            (world["mine_H1"], "helped", "helped"), (world["mine_I4"], "self_resolved", "not_resolved")]
        assert {answers[p].history_id for p in answers} == {h.id for h in history}
        raw = session.execute(text("SELECT comment FROM problem_confirmations WHERE comment IS NOT NULL")).scalar_one()
        assert raw.startswith("enc1:")  # the household's words are sealed at rest
    # It comes back later: its menu shows every problem and where it stands.
    later = household.say("ปัญหาของฉัน")
    assert "มีผู้ป่วยติดเตียง: ช่วยเหลือแล้ว" in later.text and "มีหนี้นอกระบบ: ยังไม่ได้รับการแก้ไข" in later.text
    assert "ผู้สูงอายุไม่ได้รับเบี้ยยังชีพ: อยู่ระหว่างดำเนินการ" in later.text and later.buttons == ["ปัญหาของฉัน", "ติดต่อผู้สำรวจ", "วิธีใช้"]
    assert household.say("เมนู").buttons == ["ปัญหาของฉัน", "ติดต่อผู้สำรวจ", "วิธีใช้"]
    assert household.say("สวัสดี").buttons == ["ปัญหาของฉัน", "ติดต่อผู้สำรวจ", "วิธีใช้"]
    assert "“ติดต่อผู้สำรวจ”" in household.say("วิธีใช้").text
    assert "ระบบแจ้งให้ผู้สำรวจติดต่อท่านแล้ว" in household.say("ติดต่อผู้สำรวจ").text
    assert any("ขอให้ท่านติดต่อกลับ" in m.message.get("text", "") for m in line_api.messages_for(VOLUNTEER))
    assert "แจ้งให้ผู้สำรวจติดต่อท่านแล้ว" in household.say("ติดต่อผู้สำรวจ").text  # once an hour: not pushed again
    assert sum("ขอให้ท่านติดต่อกลับ" in m.message.get("text", "") for m in line_api.messages_for(VOLUNTEER)) == 1


def test_a_voice_message_is_kept_as_received_and_a_bare_code_works(line_user, line_api, db_engine, world):
    code = ask_code(line_user)
    household = line_user()
    shown = household.say(code)
    household.tap(card_action(shown, "ยังไม่ได้แก้ไข", 1)["data"])
    done = household.send_media("audio")
    assert "ระบบเปิดปัญหานี้อีกครั้ง" in done.text
    assert any("ได้รับข้อความเสียง" in m.message.get("text", "") for m in line_api.messages_for(VOLUNTEER))
    with Session(db_engine) as session:
        [answer] = session.scalars(select(ProblemConfirmation)).all()
        assert (answer.problem_id, answer.answer, answer.voice, answer.comment) == (world["mine_I4"], "not_resolved", True, None)


def test_the_greeting_tells_a_household_to_send_its_code_here_and_the_code_alone_links_it(line_user, world):
    code = ask_code(line_user)
    household = line_user()
    greeting = household.follow()
    assert "หากครัวเรือนของท่านได้รับรหัสยืนยัน 6 หลักจากผู้สำรวจ กรุณาส่งรหัสนั้นมาในแชตนี้" in greeting.text
    assert "รหัสเชิญ" in greeting.text  # volunteers and staff still register with theirs
    assert "เชื่อมกับข้อมูลครัวเรือนของท่านแล้ว" in household.say(code).text


def test_five_wrong_codes_lock_the_line_user_out_for_15_minutes(line_user, db_engine, world):
    code = ask_code(line_user)
    wrong = "000000" if code != "000000" else "111111"
    stranger = line_user()
    for _ in range(4):
        assert "รหัสยืนยันไม่ถูกต้อง" in stranger.say(wrong).text
    assert "หลายครั้งเกินไป" in stranger.say(wrong).text
    assert "หลายครั้งเกินไป" in stranger.say(code).text  # even the right code waits
    with Session(db_engine) as session:
        [guard] = session.scalars(select(ConfirmationGuard)).all()
        assert guard.locked_until is not None
        assert session.scalars(select(HouseholdLink)).all() == []
        session.execute(update(ConfirmationGuard).values(locked_until=datetime.now(timezone.utc) - timedelta(seconds=1)))
        session.commit()
    assert "เชื่อมกับข้อมูลครัวเรือนของท่านแล้ว" in stranger.say(code).text


def test_guessing_from_many_new_line_accounts_closes_code_entry_for_everyone_a_while(line_user, db_engine, world):
    code = ask_code(line_user)
    guesses = iter(f"{n:06d}" for n in range(1, 100) if f"{n:06d}" != code)
    for _account in range(4):  # each new account stops one short of its own lockout
        guesser = line_user()
        for _ in range(4):
            assert "รหัสยืนยันไม่ถูกต้อง" in guesser.say(next(guesses)).text
    for _ in range(4):
        line_user().say(next(guesses))
    # 16 + 4 wrong codes within 15 minutes: nobody's code is checked until the window passes.
    household = line_user()
    assert "ขณะนี้ระบบยังตรวจรหัสยืนยันไม่ได้ชั่วคราว" in household.say(code).text
    with Session(db_engine) as session:
        assert session.scalars(select(HouseholdLink)).all() == []
        session.execute(update(ConfirmationGuard).values(last_failed_at=datetime.now(timezone.utc) - timedelta(minutes=16)))
        session.commit()
    assert "เชื่อมกับข้อมูลครัวเรือนของท่านแล้ว" in household.say(code).text


def test_a_used_and_an_expired_code_say_so(line_user, db_engine, world):
    code = ask_code(line_user)
    line_user().say(code)
    assert "ถูกใช้ไปแล้ว" in line_user().say(code).text
    fresh = ask_code(line_user)
    with Session(db_engine) as session, session.begin():
        session.execute(update(ConfirmationCode).where(ConfirmationCode.used_at.is_(None)).values(expires_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
    assert "หมดอายุแล้ว" in line_user().say(fresh).text


def test_a_new_code_moves_the_line_user_after_asking(line_user, db_engine, world):
    household = line_user()
    household.say(ask_code(line_user))
    with Session(db_engine) as session, session.begin():
        other_volunteer = session.get(Household, world["theirs"]).volunteer_id
        session.get(Household, world["theirs"]).volunteer_id = world["volunteer"]
    code = ask_code(line_user, OTHER_HOUSE)
    asked = household.say(code)
    assert "เชื่อมกับครัวเรือนอื่นอยู่แล้ว" in asked.text and asked.buttons == ["ใช่ เปลี่ยนครัวเรือน", "ไม่เปลี่ยน"]
    assert "ยังเชื่อมกับครัวเรือนเดิม" in household.tap_button(asked, "ไม่เปลี่ยน").text
    moved = household.tap_button(household.say(code), "ใช่ เปลี่ยนครัวเรือน")
    assert "เชื่อมกับข้อมูลครัวเรือนของท่านแล้ว" in moved.text
    with Session(db_engine) as session:
        [link] = session.scalars(select(HouseholdLink)).all()
        assert link.household_id == world["theirs"] and other_volunteer != world["volunteer"]


def test_forged_buttons_for_another_households_problems_are_denied_and_leak_nothing(line_user, db_engine, world):
    household = line_user()
    household.say(ask_code(line_user))
    theirs = world["theirs_H1"]
    forged = [
        webhooks_data("yes", p=theirs), webhooks_data("no", p=theirs), webhooks_data("code", h=world["theirs"]),
        webhooks_data("witness", h=world["theirs"]), webhooks_data("wy", w=1, p=theirs), webhooks_data("wday", w=1, d="2026-11-28"),
        webhooks_data("yes", p="abc"), webhooks_data("yes", p=10**9),
    ]
    said = ""
    for data in forged:
        answer = household.tap(data)
        assert answer.messages, data
        said += everything_said(answer)
    said += everything_said(household.say("ปัญหาของฉัน"))
    for secret in (OTHER_HEAD, OTHER_HOUSE, OTHER_NOTE, NOTE, NATIONAL_ID, "นายบุญมี", "12/3"):
        assert secret not in said, secret
    with Session(db_engine) as session:
        assert session.get(HouseholdProblem, theirs).status == "helped"
        assert session.scalars(select(ProblemConfirmation)).all() == []
        assert session.scalars(select(ConfirmationCode).where(ConfirmationCode.household_id == world["theirs"])).all() == []
    # Another volunteer's household is not this volunteer's to hand a code for either.
    assert "ไม่พบครัวเรือนบ้านเลขที่" in line_user(VOLUNTEER).say(f"ขอรหัสยืนยัน {OTHER_HOUSE}").text
    refused = line_user(VOLUNTEER).tap(webhooks_data("code", h=world["theirs"]))
    assert OTHER_HEAD not in everything_said(refused) and not re.search(r"\b\d{6}\b", refused.text)


def webhooks_data(action: str, **params: object) -> str:
    """Postback data of a confirmation button, as a forger would write it."""
    from bot.chat import postback

    return postback.encode("hc", a=action, **params)


def test_a_witnessed_confirmation_keeps_who_their_relation_and_when(line_user, line_api, db_engine, world):
    volunteer = line_user(VOLUNTEER)
    listed = volunteer.say("รอครัวเรือนยืนยัน")
    assert "ครัวเรือนที่รอยืนยันว่าปัญหาได้รับการแก้ไขแล้ว: 1 ครัวเรือน" in listed.text and OTHER_HOUSE not in everything_said(listed)
    asked = volunteer.tap(card_action(listed, "ยืนยันโดยไม่ใช้ LINE")["data"])
    assert "กรุณาพิมพ์ชื่อและนามสกุล" in asked.text
    relation = volunteer.say("นางสมร รักบ้าน")
    assert "คู่สมรส" in relation.buttons
    day = volunteer.tap_button(relation, "คู่สมรส")
    assert day.buttons[:2] == ["วันนี้", "เลือกวันอื่น"]
    problems = volunteer.pick_date(day.action("เลือกวันอื่น")["data"], (datetime.now(timezone.utc) - timedelta(days=1)).date())
    assert "บันทึกแล้ว: นางสมร รักบ้าน (คู่สมรส)" in problems.text
    after_first = volunteer.tap(card_action(problems, "ยืนยันว่าแก้ไขแล้ว", 0)["data"])
    assert "ครัวเรือนยืนยันว่า “มีผู้ป่วยติดเตียง” ได้รับการแก้ไขแล้ว" in after_first.text
    done = volunteer.tap(card_action(after_first, "ยังไม่ได้แก้ไข", 0)["data"])
    assert "ตอบครบทุกปัญหาแล้ว" in done.text
    assert any("แจ้งต่อหน้าผู้สำรวจ" in m.message.get("text", "") for m in line_api.messages_for(SUPERVISOR))
    with Session(db_engine) as session:
        [witness] = session.scalars(select(ConfirmationWitness)).all()
        assert (witness.name, witness.relation, witness.volunteer_id) == ("นางสมร รักบ้าน", "คู่สมรส", world["volunteer"])
        assert witness.witnessed_on == (datetime.now(timezone.utc) - timedelta(days=1)).date()
        answers = session.scalars(select(ProblemConfirmation).order_by(ProblemConfirmation.id)).all()
        assert [(a.problem_id, a.answer, a.witness_id, a.recorded_by, a.line_user_id) for a in answers] == [
            (world["mine_H1"], "confirmed", witness.id, world["volunteer"], None),
            (world["mine_I4"], "not_resolved", witness.id, world["volunteer"], None),
        ]
        history = session.scalars(select(ProblemHistory).where(ProblemHistory.via == "household")).all()
        assert {h.changed_by for h in history} == {world["volunteer"]}
    assert "ไม่มีครัวเรือนในรายการของท่านที่มีปัญหารอการยืนยัน" in volunteer.say("รอครัวเรือนยืนยัน").text


def test_in_the_quiet_hours_nothing_is_pushed(app, line_user, line_api, world):
    app.extensions["thaiqm"].processor.config = app.extensions["thaiqm"].processor.config.with_overrides(quiet_hours=(time(0, 0), time(23, 59, 59)))
    household = line_user()
    shown = household.say(ask_code(line_user))
    household.tap(card_action(shown, "ยังไม่ได้แก้ไข", 0)["data"])
    done = household.tap(webhooks_data("skip"))
    assert "จะแจ้งผู้สำรวจในตอนเช้า" in done.text
    assert line_api.calls("push") == []


def test_contact_volunteer_at_night_is_queued_for_the_morning_and_the_household_told_when(app, line_user, line_api, world):
    from zoneinfo import ZoneInfo

    from bot.delivery.send import retry_pending
    from bot.state import app_state

    local = datetime.now(ZoneInfo("Asia/Bangkok"))
    start, end = (local - timedelta(hours=1)).time().replace(second=0, microsecond=0), (local + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    state = app_state(app)
    household = line_user()
    household.say(ask_code(line_user))
    state.processor.config = state.config.with_overrides(quiet_hours=(start, end))  # night for the household's events
    asked = household.say("ติดต่อผู้สำรวจ")
    assert f"ขณะนี้เป็นเวลากลางคืน ระบบจะแจ้งให้ผู้สำรวจติดต่อท่านในตอนเช้า เวลา {end:%H:%M} น." in asked.text
    assert asked.buttons == ["ปัญหาของฉัน", "ติดต่อผู้สำรวจ", "วิธีใช้"]
    assert "แจ้งให้ผู้สำรวจติดต่อท่านแล้ว" in household.say("ติดต่อผู้สำรวจ").text  # asked already: not queued twice

    def requests() -> list[str]:
        return [m.message.get("text", "") for m in line_api.messages_for(VOLUNTEER) if "ขอให้ท่านติดต่อกลับ" in m.message.get("text", "")]

    def sweep(at: datetime) -> int:
        return retry_pending(state.gateway, state.session_factory, lambda: at, 0)

    assert sweep(datetime.now(timezone.utc) + timedelta(minutes=5)) == 0 and requests() == []
    assert sweep(datetime.now(timezone.utc) + timedelta(hours=1, minutes=2)) == 1
    [request] = requests()
    assert "บ้านเลขที่ 12/3" in request


def test_my_surveys_offer_the_code_for_a_record_a_supervisor_marked_solved(line_user, db_engine, world):
    from storage.problems import set_status
    from storage.statuses import ProblemChange

    w = World(db_engine)
    with Session(db_engine) as session:
        household = session.get(Household, world["mine"])
        municipality, community = household.municipality_id, household.community_id
    surveyed = w.household(municipality, community, world["volunteer"], "40100500077", status="submitted", submitted_at=NOW, house_no="5/5", head_name="นางสาวสำรวจ แล้ว")
    with Session(db_engine) as session, session.begin():
        problem = HouseholdProblem(household_id=surveyed, code="H1", dimension="health")
        session.add(problem)
        set_status(session, problem, ProblemStatus.FOUND, ProblemChange.SURVEY, NOW)
        set_status(session, problem, ProblemStatus.HELPED, ProblemChange.SUPERVISOR, NOW, by=world["supervisor"])
    volunteer = line_user(VOLUNTEER)
    listed = volunteer.say("รายการของฉัน")
    code = volunteer.tap(card_action(listed, "ขอรหัสยืนยัน")["data"])
    assert "บ้านเลขที่ 5/5" in code.text and re.search(r": \d{6}\n", code.text)
    help_text = volunteer.say("วิธีใช้").text
    assert "“รอครัวเรือนยืนยัน”" in help_text and "“ขอรหัสยืนยัน 12/3”" in help_text


# -- notices at night: held to the end of the quiet hours, then each person's own message, once --------

NIGHT_DAY = NOW.date()  # 28 Nov 2569, the day the world's records were checked


def at_night(app, hour: int):  # type: ignore[no-untyped-def]
    """The chat's events happen at this Bangkok hour of NIGHT_DAY, under the usual quiet hours 20:00-07:00."""
    from bot.state import app_state
    from tests.support.pushes import at

    state = app_state(app)
    state.processor.config = state.config.with_overrides(quiet_hours=(time(20, 0), time(7, 0)))
    state.processor.clock = lambda: at(NIGHT_DAY, hour)
    return state


def sweep(state, moment: datetime) -> int:  # type: ignore[no-untyped-def]
    """The outbox's retry (the sweeper, the worker's minute job) at a given moment."""
    from bot.delivery.send import retry_pending
    from bot.quiet_hours import quiet_for

    return retry_pending(state.gateway, state.session_factory, lambda: moment, 0, quiet=quiet_for(state.processor.config))


def texts_to(line_api, chat: str, words: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The texts pushed to a chat that contain these words."""
    return [m.message["text"] for m in line_api.messages_for(chat) if words in m.message.get("text", "")]


def test_not_solved_at_night_reaches_the_volunteer_and_supervisor_each_once_at_the_end_of_quiet_hours(app, line_user, line_api, world):
    from bot.pushes.schedule import Kind
    from bot.pushes.run import run_due
    from tests.support.pushes import at, got
    from tests.support.survey import flex_texts

    state = at_night(app, 22)
    household = line_user()
    shown = household.say(ask_code(line_user))
    household.tap(card_action(shown, "ยังไม่ได้แก้ไข", 0)["data"])
    done = household.say("ยังต้องจ่ายดอกเบี้ยทุกเดือน")
    assert "จะแจ้งผู้สำรวจในตอนเช้า" in done.text
    assert texts_to(line_api, VOLUNTEER, "ยังต้องจ่ายดอกเบี้ย") == [] and texts_to(line_api, SUPERVISOR, "ยังต้องจ่ายดอกเบี้ย") == []
    morning = at(NIGHT_DAY + timedelta(days=1), 7)
    assert sweep(state, at(NIGHT_DAY, 23, 59)) == 0 and sweep(state, morning - timedelta(minutes=1)) == 0
    assert sweep(state, morning + timedelta(seconds=30)) == 2  # the volunteer's and the supervisor's, each their own
    assert sweep(state, morning + timedelta(minutes=5)) == 0  # and only once
    for chat in (VOLUNTEER, SUPERVISOR):
        [notice] = texts_to(line_api, chat, "ยังต้องจ่ายดอกเบี้ย")
        assert "บ้านเลขที่ 12/3" in notice and "“มีผู้ป่วยติดเตียง” ยังไม่ได้รับการแก้ไข" in notice
    assert len({call.headers.get("X-Line-Retry-Key") for call in line_api.calls("push")}) == 2
    # At 07:30 the digest counts the household as work still open, in words that do not announce it again.
    run_due(state.session_factory, state.gateway, state.config, lambda: morning + timedelta(minutes=30), kinds=[Kind.DIGEST], pauses=(0.0, 0.0, 0.0))
    digest = got(line_api, VOLUNTEER)
    digest.messages = [m for m in digest.messages if m["type"] == "flex"]
    assert len(digest.messages) == 1 and "ติดตามครัวเรือน 1 ครัวเรือน" in digest.messages[0]["altText"]
    shown_digest = flex_texts(digest)
    assert "ครัวเรือนที่ต้องติดตาม (แจ้งว่าปัญหายังไม่ได้รับการแก้ไข)" in shown_digest and "ยังต้องจ่ายดอกเบี้ย" not in shown_digest


@pytest.mark.parametrize("hour", [22, 10])
def test_a_witnessed_not_solved_reaches_the_supervisors_at_once_by_day_and_in_the_morning_at_night(app, line_user, line_api, world, hour):
    from tests.support.pushes import at

    state = at_night(app, hour)
    volunteer = line_user(VOLUNTEER)
    listed = volunteer.say("รอครัวเรือนยืนยัน")
    volunteer.tap(card_action(listed, "ยืนยันโดยไม่ใช้ LINE")["data"])
    relation = volunteer.say("นางสมร รักบ้าน")
    problems = volunteer.tap_button(volunteer.tap_button(relation, "คู่สมรส"), "วันนี้")
    recorded = volunteer.tap(card_action(problems, "ยังไม่ได้แก้ไข", 0)["data"])
    assert "ยังไม่ได้รับการแก้ไข" in recorded.text
    said = texts_to(line_api, SUPERVISOR, "แจ้งต่อหน้าผู้สำรวจ")
    morning = at(NIGHT_DAY + timedelta(days=1), 7)
    if hour == 22:
        assert said == [] and "ผู้ควบคุมการสำรวจจะได้รับแจ้งเวลา 07:00 น." in recorded.text
        assert sweep(state, morning - timedelta(minutes=1)) == 0
        assert sweep(state, morning + timedelta(seconds=30)) == 1
    else:
        assert len(said) == 1 and "จะได้รับแจ้งเวลา" not in recorded.text
    assert sweep(state, morning + timedelta(minutes=5)) == 0
    [notice] = texts_to(line_api, SUPERVISOR, "แจ้งต่อหน้าผู้สำรวจ")
    assert "บ้านเลขที่ 12/3" in notice and "“มีผู้ป่วยติดเตียง” ยังไม่ได้รับการแก้ไข" in notice
    assert texts_to(line_api, VOLUNTEER, "แจ้งต่อหน้าผู้สำรวจ") == []  # the volunteer recorded it: not told of it

"""One conversation layer: a record per LINE user, one registry of dialogs, fallbacks in every dialog."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text

from bot.chat.text_input import fold
from bot.handlers.conversation import DIALOGS
from bot.handlers.dialog import FALLBACKS, fallback_of
from bot.i18n import _
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import Conversation, Household, LineUser
from tests.support.survey import make_volunteer
from tests.support.world import World


def _conversation(db_engine, chat):  # type: ignore[no-untyped-def]
    """(dialog, step, draft) of a chat's LINE user."""
    with db_engine.connect() as connection:
        row = connection.execute(
            select(Conversation).join(LineUser, LineUser.id == Conversation.line_user_id).where(LineUser.line_user_id == chat.user_id)
        ).one()
    return row.dialog, row.step, row.draft_id


@pytest.fixture
def world(db_engine) -> World:  # type: ignore[no-untyped-def]
    """A municipality with one community."""
    w = World(db_engine)
    w.ids["m"] = w.municipality()
    w.ids["c1"] = w.community(w.ids["m"], "ชุมชนหนองแวง")
    return w


def test_help_and_back_work_in_the_registration_as_in_the_survey(line_user, world, db_engine):
    world.invite(world.ids["m"], "ABCD2345")
    chat = line_user()
    chat.say("ลงทะเบียน")
    assert _conversation(db_engine, chat) == ("registration", "code", None)
    chat.say("ABCD2345")
    helped = chat.say("วิธีใช้")
    assert "ท่านกำลังลงทะเบียน" in helped.texts[0] and "กรุณาพิมพ์ชื่อและนามสกุลของท่าน" in helped.texts[-1]
    assert "เบอร์โทรศัพท์" in chat.say("สมศรี มีสุข").text
    back = chat.say("ย้อนกลับ")
    assert "กรุณาพิมพ์ชื่อและนามสกุลของท่าน" in back.text and back.buttons == ["ยกเลิก"]
    assert _conversation(db_engine, chat) == ("registration", "name", None)
    chat.say("สมศรี ใหม่")
    chat.say("0812345678")
    assert "เบอร์โทรศัพท์" in chat.say("ย้อนกลับ").text  # from the volunteer type back to the phone
    chat.say("0812345678")
    chat.say("อสม.")
    confirm = chat.say("1")
    assert "ชื่อ-สกุล: สมศรี ใหม่" in confirm.text
    assert "ลงทะเบียนเรียบร้อยแล้ว" in chat.say("ยืนยัน").text
    assert _conversation(db_engine, chat) == (None, None, None)


def test_the_draft_in_hand_is_the_users_conversation(line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id)
    chat.say("สำรวจ")
    with db_engine.connect() as connection:
        household_id = connection.execute(select(Household.id)).scalar_one()
    assert _conversation(db_engine, chat) == ("survey", None, household_id)
    assert "เมนูหลัก" in chat.say("เมนู").text  # menu works in every dialog and leaves it as it was
    assert _conversation(db_engine, chat) == ("survey", None, household_id)
    chat.say("พัก")
    assert _conversation(db_engine, chat) == (None, None, None)
    assert "สำรวจต่อ:" in chat.say("ทำต่อ").text
    assert _conversation(db_engine, chat) == ("survey", None, household_id)


@pytest.mark.once
def test_every_dialog_that_holds_a_conversation_answers_cancel_help_and_back():
    for dialog in DIALOGS:
        if dialog.answer is not None:
            assert {"cancel", "help", "back"} <= set(dialog.fallbacks), dialog.name
        assert "menu" not in dialog.fallbacks  # the menu is the same everywhere


@pytest.mark.once
def test_no_word_starts_two_dialogs_or_shadows_a_fallback():
    owners: dict[str, str] = {}
    fallbacks = {fold(_(message_id)) for message_id in FALLBACKS.values()}
    for dialog in DIALOGS:
        for entry in dialog.entries:
            for message_id in entry.words:
                word = fold(_(message_id))
                assert owners.setdefault(word, dialog.name) == dialog.name, f"{word!r} starts {owners[word]} and {dialog.name}"
                assert word not in fallbacks, word


@pytest.mark.once
def test_migration_carries_drafts_in_hand_and_registrations_under_way_over(tmp_path):
    url = f"sqlite:///{tmp_path / 'carry.db'}"
    upgrade(url, "0004")
    engine = make_engine(url)
    now = datetime(2026, 11, 27, tzinfo=timezone.utc)
    try:
        with engine.begin() as connection:
            run = lambda sql, **params: connection.execute(text(sql), params)  # noqa: E731
            run("INSERT INTO line_users (id, line_user_id, active, events_handled, created_at) VALUES (1, 'U1', 1, 0, :now), (2, 'U2', 1, 0, :now)", now=now)
            run("INSERT INTO municipalities (id, name, kind, tambon_code, amphoe_code, province_code, created_at) VALUES (1, 'm', 'town', '401002', '4010', '40', :now)", now=now)
            run("INSERT INTO people (id, line_user_id, role, full_name, municipality_id, active, created_at) VALUES (1, 1, 'volunteer', 'a b', 1, 1, :now)", now=now)
            run(
                "INSERT INTO households (id, municipality_id, volunteer_id, round_name, form_id, form_version, status, created_at, updated_at, "
                "dialog_member, dialog_problem, dialog_tries, dialog_editing, dialog_confirm_cancel) "
                "VALUES (7, 1, 1, '2566', 'thaiqm', '1', 'draft', :now, :now, 0, '', 0, 0, 0)",
                now=now,
            )
            run("INSERT INTO survey_sessions (person_id, household_id, updated_at) VALUES (1, 7, :now)", now=now)
            run("INSERT INTO registration_drafts (line_user_id, step, full_name, updated_at) VALUES (2, 'phone', 'c d', :now)", now=now)
        upgrade(url)
        with engine.connect() as connection:
            carried = connection.execute(text("SELECT line_user_id, dialog, step, draft_id FROM conversations ORDER BY line_user_id")).all()
        assert [tuple(row) for row in carried] == [(1, "survey", None, 7), (2, "registration", "phone", None)]
    finally:
        engine.dispose()


@pytest.mark.once
def test_every_menu_text_is_an_entry_or_a_fallback_of_the_registry():
    from bot.people.menus import MENUS

    for role, items in MENUS.items():
        for item in items:
            typed = fold(_(item.command))
            known = fallback_of(typed) is not None or any(entry.match(typed) is not None for dialog in DIALOGS for entry in dialog.entries)
            assert known, f"the {role} menu sends {typed!r}, which no dialog answers"

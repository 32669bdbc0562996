"""A draft finishes on the form version it started with, even after a new version is added."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select

from bot.resources import SHIPPED_FORMS_DIR
from bot.dialogs import engine as engine_module
from bot.dialogs import form as form_module
from bot.dialogs.answers import format_date_be
from storage.models import Household
from tests.support.survey import make_volunteer

REAL_FORM = SHIPPED_FORMS_DIR / "thaiqm-2566.yaml"


@pytest.fixture
def forms_dir(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A forms folder holding version 1 only; the caches see it and are reset afterwards."""
    (tmp_path / "thaiqm-2566.yaml").write_text(REAL_FORM.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("THAIQM_FORMS_DIR", str(tmp_path))
    form_module.forms.cache_clear()
    engine_module._ENGINES.clear()
    yield tmp_path
    form_module.forms.cache_clear()
    engine_module._ENGINES.clear()


def add_version_2_without_moo(folder) -> None:  # type: ignore[no-untyped-def]
    """Version 2 of the form drops the village-number question."""
    raw = yaml.safe_load(REAL_FORM.read_text(encoding="utf-8"))
    raw["version"] = "2"
    for section in raw["sections"]:
        section["questions"] = [q for q in section["questions"] if q["code"] != "moo"]
    (folder / "thaiqm-2566-v2.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    form_module.forms.cache_clear()


def test_draft_keeps_its_version_and_new_surveys_use_the_newest(forms_dir, line_user, db_engine):
    chat = line_user()
    make_volunteer(db_engine, chat.user_id, bound=False)  # the village number is asked (no known community)
    today = dt.datetime.now(ZoneInfo("Asia/Bangkok")).date()
    for value in ("สำรวจ", "ใช่", "1", format_date_be(today), "ข้าม"):
        chat.say(value)
    chat.say("พัก")
    add_version_2_without_moo(forms_dir)

    chat.say("ทำต่อ")
    answer = chat.say("12/3")
    assert "หมู่ที่" in answer.text  # version 1 still asks it
    chat.say("พัก")
    chat.tap_button(chat.say("สำรวจ"), "เริ่มครัวเรือนใหม่")  # the paused draft is offered first
    for value in ("ใช่", "1", format_date_be(today), "ข้าม"):
        chat.say(value)
    answer = chat.say("99/1")
    assert "หมู่ที่" not in answer.text and "ชุมชน" in answer.text
    with db_engine.connect() as connection:
        versions = connection.execute(select(Household.form_id, Household.form_version).order_by(Household.id)).all()
    assert versions == [("thaiqm-2566", "1"), ("thaiqm-2566", "2")]

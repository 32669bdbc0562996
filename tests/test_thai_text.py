"""The Thai a volunteer reads: one quote style, no form codes, one name per concept, labels that fit."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.dialogs.form import forms
from bot.handlers.survey_view import QUICK_REPLY_LABEL
from bot.i18n import _, catalog_path
from bot.people.menus import MENUS

PLACEHOLDER = re.compile(r"\{[\w.]+\}")

# Each concept has one Thai name; the synonyms it once had (or that readers confuse) are refused.
# (what, the English in the message id, the Thai name it must use, Thai words it must not use)
GLOSSARY = (
    ("supervisor", re.compile(r"\bsupervisor\b", re.I), "ผู้ควบคุมการสำรวจ", ("ผู้ดูแล", "หัวหน้างาน", "ผู้กำกับดูแล")),
    ("receipt number", re.compile(r"\breceipt\b", re.I), "เลขที่แบบสำรวจ", ("เลขที่รับเรื่อง", "เลขที่ใบรับ", "ใบรับ")),
    ("reassigning a household", re.compile(r"\breassign\b|\bmove (a |the )?household", re.I), "เปลี่ยนผู้สำรวจ", ("โอน",)),
    ("deactivating a person", re.compile(r"\bdeactivat", re.I), "ระงับสิทธิ์ใช้งาน", ("ปิดการใช้งาน",)),
)
# Words no text may use at all: the help command is วิธีใช้ (ช่วยเหลือ is household help and the
# status ช่วยเหลือแล้ว), the tap verb is กด, the receipt has one name.
NEVER = ("“ช่วยเหลือ”", "แตะ", "เลขที่รับเรื่อง", "เลขที่ใบรับ", "ผู้กำกับดูแล", "หัวหน้างาน")


def thai_entries() -> list[tuple[str, str]]:
    """(message id, Thai text) of every translated entry of the shipped catalog."""
    with catalog_path().open("rb") as handle:
        catalog = read_po(handle, locale="th")
    return [(m.id, m.string) for m in catalog if m.id and m.string]


def form_codes() -> set[str]:
    """Codes a volunteer must never read: question codes and choice codes with a digit or underscore."""
    codes: set[str] = set()
    for form in forms().values():
        for section in form.sections:
            for question in section.questions:
                codes.add(question.code)
                choices = question.choices + ((question.no_value,) if question.no_value else ())
                codes.update(c.code for c in choices if re.search(r"[\d_]", c.code))
    return codes


def test_thai_texts_quote_only_with_curly_quotes():
    wrong = [(mid, text) for mid, text in thai_entries() if re.search("[\"「」『』‘’]", text) or text.count("“") != text.count("”")]
    assert not wrong, "quote with “…” only (balanced):\n" + "\n".join(f"{mid!r}: {text}" for mid, text in wrong)


def test_no_form_code_reaches_a_thai_text():
    codes = form_codes()
    assert {"H1", "consent", "m_national_id", "no_card"} <= codes  # the scan sees the form
    found = []
    for mid, text in thai_entries():
        words = set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", PLACEHOLDER.sub("", text)))
        if leaked := words & codes:
            found.append(f"{mid!r}: {sorted(leaked)} in {text}")
        if re.search(r"ด้าน\s*[A-Z]\b", text):
            found.append(f"{mid!r}: a dimension letter in {text}")
    assert not found, "form codes in Thai texts:\n" + "\n".join(found)


@pytest.mark.parametrize("concept, english, name, synonyms", GLOSSARY, ids=[g[0] for g in GLOSSARY])
def test_each_concept_has_one_thai_name(concept, english, name, synonyms):
    wrong = []
    for mid, text in thai_entries():
        if not english.search(mid):
            continue  # ผู้ดูแล elsewhere is a caregiver (ไม่มีผู้ดูแล) or the administrator (ผู้ดูแลระบบ)
        if name not in text:
            wrong.append(f"{mid!r} should say {name}: {text}")
        if used := [s for s in synonyms if s in text]:
            wrong.append(f"{mid!r} uses {used} for {concept}: {text}")
    assert not wrong, "\n".join(wrong)


def test_words_that_mean_something_else_are_never_used():
    found = [f"{mid!r}: {word} in {text}" for mid, text in thai_entries() for word in NEVER if word in text]
    assert not found, "\n".join(found)


def test_help_is_วิธีใช้_everywhere_it_is_named():
    assert _("help") == _("Help") == "วิธีใช้"
    for mid, text in thai_entries():
        if re.search(r"\"help\"", mid):
            assert "“วิธีใช้”" in text, mid


def test_button_labels_fit_line_with_their_meaning():
    """Every choice's button, numbered as shown (a checklist's ticked, with ✓), the review's "Edit the
    ..." buttons of the sections its suggestions lead to, and every menu label fit LINE's 20 characters
    uncut: the form's short labels keep the meaning, nothing is clipped or loses its number."""
    too_long = []
    for form in forms().values():
        for section in form.sections:
            for question in section.questions:
                for number, choice in enumerate(question.choices, start=1):
                    ticked = question.type == "checklist" and choice.code != question.none  # "nothing" is never ticked
                    label = f"{'✓' if ticked else ''}{number}. {_(choice.short or choice.label)}"
                    if len(label) > QUICK_REPLY_LABEL:
                        too_long.append(f"{question.code}: {label} ({len(label)})")
        for check in form.checks:
            section = next(s for s in form.sections for q in s.questions if q.problems and q.choice(check.suggest))
            label = _("Edit the {section}", section=_(section.short or section.title))
            if len(label) > QUICK_REPLY_LABEL:
                too_long.append(f"review: {label} ({len(label)})")
    for items in MENUS.values():
        too_long += [_(item.label) for item in items if len(_(item.label)) > QUICK_REPLY_LABEL]
    assert not too_long, "button labels longer than LINE shows:\n" + "\n".join(too_long)


def test_command_words_people_learned_before_the_rename_still_work(line_user, db_engine):
    from tests.support.world import World

    world = World(db_engine)
    municipality = world.municipality()
    world.community(municipality, "ชุมชนหนองแวง")
    chat = line_user()
    world.person("supervisor", municipality, line_user_id=chat.user_id)
    assert chat.say("ช่วยเหลือ").text == chat.say("วิธีใช้").text
    assert "สิ่งที่ท่านสามารถทำได้" in chat.say("ช่วยเหลือ").text
    assert chat.say("โอนครัวเรือน").text == chat.say("เปลี่ยนผู้สำรวจ").text
    assert chat.say("ปิดการใช้งาน").text == chat.say("ระงับสิทธิ์ใช้งาน").text
    for word in ("รหัสเชิญ", "สร้างรหัสเชิญ"):
        assert chat.say(word).text.startswith("รหัสเชิญสำหรับอาสาสมัครในพื้นที่ของท่าน:"), word

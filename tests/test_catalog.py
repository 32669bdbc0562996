"""Every text a person reads has a Thai translation that is neither missing nor fuzzy."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from bot.i18n import _, catalog_path, translations

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import catalog as catalog_tool  # noqa: E402

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def thai_catalog():  # type: ignore[no-untyped-def]
    """The Thai catalog as on disk."""
    with catalog_path().open("rb") as handle:
        return read_po(handle, locale="th")


def test_every_message_id_in_code_is_in_the_catalog():
    catalog = thai_catalog()
    missing = sorted(m for m in catalog_tool.extract_ids() if m not in catalog)
    assert not missing, "message ids missing from the catalog (run python tools/catalog.py):\n" + "\n".join(missing)


def test_every_entry_is_translated_and_not_fuzzy():
    catalog = thai_catalog()
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, "entries without Thai text:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy entries (check and clear the flag):\n" + "\n".join(fuzzy)


def test_translations_keep_the_same_placeholders():
    for message in thai_catalog():
        if message.id and message.string:
            assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), message.id


def test_translations_are_thai():
    for message in thai_catalog():
        if message.id and message.string:
            assert re.search("[\u0e00-\u0e7f]", message.string), f"not Thai: {message.id!r} -> {message.string!r}"


def test_runtime_lookup_uses_the_catalog():
    assert _("help") == "วิธีใช้"
    assert _("Thank you for the {kind}. This bot works with text and the buttons it shows; please type your answer or tap a button.", kind="X").startswith("ขออภัย ระบบยังรับX")


def test_a_municipalitys_own_catalog_replaces_the_shipped_one(tmp_path, monkeypatch, line_user):
    catalog = thai_catalog()
    catalog["Register"].string = "ขอลงทะเบียน"
    (tmp_path / "th" / "LC_MESSAGES").mkdir(parents=True)
    with (tmp_path / "th" / "LC_MESSAGES" / "messages.po").open("wb") as handle:
        write_po(handle, catalog)
    monkeypatch.setenv("THAIQM_LOCALES_DIR", str(tmp_path))
    translations.cache_clear()
    try:
        assert line_user().follow().buttons == ["ขอลงทะเบียน", "วิธีใช้"]
    finally:
        translations.cache_clear()  # the next test reads the shipped catalog again


def test_catalog_has_no_stale_entries():
    wanted = catalog_tool.extract_ids()
    stale = [m.id for m in thai_catalog() if m.id and m.id not in wanted]
    assert not stale, "entries no code uses any more (run python tools/catalog.py):\n" + "\n".join(stale)

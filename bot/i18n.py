"""Thai texts: every string a person reads comes from the gettext catalog.

Code holds English message ids (`_("Hello {name}")`); Thai lives in
`bot/locales/th/LC_MESSAGES/messages.po`, shipped in the package (THAIQM_LOCALES_DIR
names a municipality's own copy instead). The catalog is compiled in memory from the .po
the first time it is needed, so no binary .mo is committed or forgotten.
"""

from __future__ import annotations

import functools
import io
from gettext import GNUTranslations
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.resources import locales_dir

LOCALE = "th"
DOMAIN = "messages"


def catalog_path(locale: str = LOCALE) -> Path:
    """The .po file of a locale."""
    return locales_dir() / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(locale: str = LOCALE) -> GNUTranslations:
    """Compile the locale's .po once per process (fuzzy entries are left out, as msgfmt does)."""
    with catalog_path(locale).open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return GNUTranslations(buffer)


def _(message_id: str, /, **params: object) -> str:
    """The Thai text for a message id, with named placeholders filled in."""
    text = translations().gettext(message_id)
    return text.format(**params) if params else text


def N_(message_id: str, /) -> str:
    """Mark a message id for extraction where it is translated later (e.g. in a table)."""
    return message_id

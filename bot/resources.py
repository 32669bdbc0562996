"""Where the bot's run-time files are: shipped inside the package, or a municipality's own copies.

Kept apart from bot.config (which needs SQLAlchemy to check database URLs) so that the dialog
engine and the catalog can find their files without importing the database layer.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

# The survey forms and the Thai catalog ship inside the package; a municipality may give
# its own edited copies instead (THAIQM_FORMS_DIR, THAIQM_LOCALES_DIR).
SHIPPED_FORMS_DIR = Path(__file__).resolve().parent / "forms"
SHIPPED_LOCALES_DIR = Path(__file__).resolve().parent / "locales"


def forms_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of survey form files: THAIQM_FORMS_DIR, else the forms shipped in the package."""
    return _folder(environ, "THAIQM_FORMS_DIR") or SHIPPED_FORMS_DIR


def locales_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of the gettext catalogs: THAIQM_LOCALES_DIR, else the catalog shipped in the package."""
    return _folder(environ, "THAIQM_LOCALES_DIR") or SHIPPED_LOCALES_DIR


def _folder(environ: Mapping[str, str] | None, setting: str) -> Path | None:
    """A folder named by a setting, or None when it is unset."""
    value = (os.environ if environ is None else environ).get(setting, "").strip()
    return Path(value).expanduser() if value else None

"""Keep the Thai catalog in step with the code: extract message ids, merge, report gaps.

    python tools/catalog.py            # extract ids from code (and data hooks), merge into th .po
    python tools/catalog.py --fill F   # also set Thai texts from a JSON map {msgid: thai}

New ids arrive untranslated; the test suite fails until each has its Thai text.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "bot" / "locales" / "th" / "LC_MESSAGES" / "messages.po"
SOURCE_DIRS = ("bot", "storage")
METHOD_MAP = [("**.py", "python")]


def extract_ids() -> set[str]:
    """Every message id marked in the code with _() or N_(), plus those of data files."""
    ids: set[str] = set()
    for folder in SOURCE_DIRS:
        for _file, _line, message, _comments, _context in extract_from_dir(ROOT / folder, METHOD_MAP):
            if isinstance(message, str) and message:
                ids.add(message)
    return ids | data_ids()


def data_ids() -> set[str]:
    """Message ids that live in data files (forms, menus): `bot.catalog_sources` lists them."""
    sys.path.insert(0, str(ROOT))
    try:
        from bot.catalog_sources import data_message_ids
    except ImportError:
        return set()
    return set(data_message_ids())


def load() -> Catalog:
    """The Thai catalog as it is on disk."""
    with PO.open("rb") as handle:
        return read_po(handle, locale="th")


def save(catalog: Catalog) -> None:
    """Write the catalog sorted, without source locations (stable diffs)."""
    catalog.project, catalog.version = "thaiqm-bot", "1"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = catalog.language_team = "ThaiQM bot team"
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=0, no_location=True, sort_output=True, ignore_obsolete=True)


def main() -> None:
    """Merge extracted ids into the catalog, optionally filling Thai texts, and report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fill", help="JSON file mapping message ids to Thai texts")
    args = parser.parse_args()
    catalog = load()
    wanted = extract_ids()
    for message_id in sorted(wanted):
        if message_id not in catalog:
            catalog.add(message_id, "")
    for message in list(catalog):
        if message.id and message.id not in wanted:
            catalog.delete(message.id)
    if args.fill:
        for message_id, thai in json.loads(Path(args.fill).read_text(encoding="utf-8")).items():
            if message_id in catalog:
                catalog[message_id].string = thai
                catalog[message_id].flags.discard("fuzzy")
    catalog.fuzzy = False
    save(catalog)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{len(wanted)} message ids; {len(missing)} without Thai text")
    for message_id in missing:
        print("  untranslated:", message_id.replace("\n", "\\n")[:100])


if __name__ == "__main__":
    main()

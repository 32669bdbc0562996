"""Fill Thai translations into the catalog from a JSON map (msgid -> Thai), keeping the rest."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "locales" / "th" / "LC_MESSAGES" / "messages.po"


def main(map_path: str) -> None:
    """Apply the map, clear fuzzy flags on entries it covers, and rewrite the catalog."""
    translations = json.loads(Path(map_path).read_text(encoding="utf-8"))
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="th")
    for message in catalog:
        if message.id and message.id in translations:
            message.string = translations[message.id]
            message.flags.discard("fuzzy")
    catalog.fuzzy = False
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=0, no_location=True, sort_output=True)


if __name__ == "__main__":
    main(sys.argv[1])

"""Build the compact area list shipped with the bot from the full tambon table.

    python tools/build_areas.py [../shared/thai-admin-areas/tambons.csv]

Writes bot/data/areas.csv (tambon, amphoe and province codes with Thai names), sorted
by tambon code so a rebuild from the same source gives the same file. Commit the result:
the bot must work without ../shared.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "thai-admin-areas" / "tambons.csv"
TARGET = ROOT / "bot" / "data" / "areas.csv"
COLUMNS = ("tambon_code", "tambon_th", "amphoe_code", "amphoe_th", "province_code", "province_th")


def build(source: Path, target: Path) -> int:
    """Write the compact file; returns the number of tambons."""
    with source.open(encoding="utf-8", newline="") as handle:
        rows = {row["tambon_code"]: row for row in csv.DictReader(handle)}
    for code, row in rows.items():
        # Catch a malformed source before it becomes the bot's reference.
        if not (len(code) == 6 and code.isdigit() and code.startswith(row["amphoe_code"]) and row["amphoe_code"].startswith(row["province_code"])):
            raise SystemExit(f"inconsistent codes for tambon {code!r} in {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for code in sorted(rows):
            writer.writerow([rows[code][column] for column in COLUMNS])
    return len(rows)


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    print(f"{build(source, TARGET)} tambons written to {TARGET.relative_to(ROOT)}")

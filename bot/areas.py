"""The official tambon list shipped with the bot (bot/data/areas.csv, built by tools/build_areas.py)."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

AREAS_FILE = Path(__file__).with_name("data") / "areas.csv"


@dataclass(frozen=True)
class Tambon:
    """A sub-district with its district and province."""

    code: str
    name: str
    amphoe_code: str
    amphoe_name: str
    province_code: str
    province_name: str


@functools.cache
def tambons() -> dict[str, Tambon]:
    """Every tambon by its six-digit code, read once per process."""
    with AREAS_FILE.open(encoding="utf-8", newline="") as handle:
        return {
            row["tambon_code"]: Tambon(
                row["tambon_code"], row["tambon_th"], row["amphoe_code"], row["amphoe_th"], row["province_code"], row["province_th"]
            )
            for row in csv.DictReader(handle)
        }


def find_tambon(code: str) -> Tambon | None:
    """The tambon with this code, or None when the code is not in the official list."""
    return tambons().get(code.strip())

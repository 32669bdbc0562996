"""Reading what people type: Thai digits, spacing, names."""

from __future__ import annotations

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def fold(text: str) -> str:
    """Fold typed text for comparison: trimmed, single spaces, case-folded."""
    return " ".join(text.split()).casefold()


def digits(text: str) -> str | None:
    """The digits of a number typed with spaces or dashes (Thai digits allowed), else None."""
    cleaned = "".join(text.translate(THAI_DIGITS).split()).replace("-", "")
    return cleaned if cleaned.isdigit() and cleaned.isascii() else None


def person_name(text: str) -> str | None:
    """A full name (first name and surname, no digits, 3–200 characters), else None."""
    name = " ".join(text.split())
    if not (3 <= len(name) <= 200) or " " not in name:
        return None
    if any(ch.isdigit() for ch in name) or not any(ch.isalpha() for ch in name):
        return None
    return name

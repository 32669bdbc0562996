"""Screening webhook events before anything reads them: hostile shapes become harmless or ignored."""

from __future__ import annotations

import re
from typing import Any

# LINE's ids are short printable ASCII (a ULID, U + 32 hex digits); the columns hold 64.
_ID = re.compile(r"[\x21-\x7e]{1,64}\Z")
# Reply tokens are printable ASCII too; the outbox column holds 255.
_TOKEN = re.compile(r"[\x21-\x7e]{1,255}\Z")
_TYPE = re.compile(r"[\w.-]{1,32}\Z", re.ASCII)
# Real events nest about six levels: far deeper is an attack on recursive readers.
MAX_DEPTH = 24
SOURCE_IDS = ("userId", "groupId", "roomId")


def safe_type(data: object) -> str:
    """The event's type when it is a plain word, else "invalid": safe to log as it is."""
    value = data.get("type") if isinstance(data, dict) else None
    return value if isinstance(value, str) and _TYPE.match(value) else "invalid"


def screen(data: object) -> dict[str, Any] | None:
    """The event made safe to read (strings without NUL or lone surrogates, a bad reply
    token dropped), or None when its id, source or depth make it unusable."""
    if not isinstance(data, dict):
        return None
    cleaned = _clean(data, 0)
    if cleaned is None:
        return None
    if not _is_id(cleaned.get("webhookEventId")):
        return None
    source = cleaned.get("source")
    if source is not None:
        if not isinstance(source, dict) or any(key in source and not _is_id(source[key]) for key in SOURCE_IDS):
            return None
    token = cleaned.get("replyToken")
    if token is not None and not (isinstance(token, str) and _TOKEN.match(token)):
        del cleaned["replyToken"]  # answered by push instead: the event itself is fine
    cleaned["type"] = safe_type(cleaned)
    return cleaned


def _is_id(value: object) -> bool:
    """True for an id LINE could have sent."""
    return isinstance(value, str) and _ID.match(value) is not None


def _clean(value: Any, depth: int) -> Any:
    """A copy with every string made storable; None anywhere past MAX_DEPTH voids the event."""
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, str):
        return _storable(value)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            cleaned = _clean(item, depth + 1)
            if cleaned is None and item is not None:
                return None
            out[_storable(key)] = cleaned
        return out
    if isinstance(value, list):
        items = [_clean(item, depth + 1) for item in value]
        if any(cleaned is None and item is not None for cleaned, item in zip(items, value)):
            return None
        return items
    return value


def _storable(text: str) -> str:
    """The text without NUL (PostgreSQL refuses it) and with lone surrogates replaced (not UTF-8)."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text

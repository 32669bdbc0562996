"""Retry keys derived from what a push is: a re-run, or a second worker, sends the same key and LINE delivers once."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Iterable

# A fixed namespace: the same (kind, person, day) gives the same key on every machine, forever.
NAMESPACE = uuid.UUID("6f0e1a52-4b7d-5c1e-9a38-2f1d7c0b9e41")


def retry_key(kind: str, person_id: int, day: date) -> str:
    """The key of one person's push of a kind on a local day."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}/{person_id}/{day.isoformat()}"))


def group_key(kind: str, person_ids: Iterable[int], day: date) -> str:
    """The key of one multicast: its kind, day and the people it goes to (each of whom it reaches once)."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}/{','.join(str(p) for p in sorted(person_ids))}/{day.isoformat()}"))

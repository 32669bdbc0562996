"""Rarely changing rows every survey step reads (a municipality's area, a round's rules), kept per process for seconds.

They change only through the command line (areas, rounds), never in a chat. A process that
made the change itself forgets at once (`forget`); another worker sees it within
`KEEP_SECONDS`. What is kept is plain frozen values, never ORM objects (a session's objects
expire at its commit and belong to one thread).
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Hashable, TypeVar

KEEP_SECONDS = 5.0
T = TypeVar("T")

_kept: dict[Hashable, tuple[float, object]] = {}
_lock = threading.Lock()


def recent(key: Hashable, load: Callable[[], T]) -> T:
    """The value kept under `key` if loaded less than KEEP_SECONDS ago, else `load()` (kept anew unless None)."""
    now = time.monotonic()
    with _lock:
        hit = _kept.get(key)
    if hit is not None and now - hit[0] < KEEP_SECONDS:
        return hit[1]  # type: ignore[return-value]
    value = load()
    if value is not None:  # what is missing may be added any moment: asked again
        with _lock:
            _kept[key] = (now, value)
    return value


def forget() -> None:
    """Drop everything kept (after this process changed an area or a round, and between tests)."""
    with _lock:
        _kept.clear()

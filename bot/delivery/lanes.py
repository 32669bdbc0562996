"""Background lanes: one thread working through a queue in order, started on first use."""

from __future__ import annotations

import os
import queue
import threading
import time
from typing import Callable, Generic, TypeVar

Item = TypeVar("Item")

_STOP = object()


class Lane(Generic[Item]):
    """A worker thread that hands batches of queued items to `work`, in the order queued.

    The thread starts on first use and again in a forked child (gunicorn may fork after
    the app is built; threads do not survive a fork).
    """

    def __init__(self, name: str, work: Callable[[list[Item]], None], linger: float = 0.0):
        self._name = name
        self._work = work
        self._linger = linger
        self._pid = -1
        self._guard = threading.Lock()
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def put(self, item: Item) -> None:
        """Queue an item for the worker."""
        self._ensure_started()
        self._queue.put(item)

    def flush(self, timeout: float = 10) -> None:
        """Block until everything queued before this call is done; TimeoutError if not done in time."""
        if self._thread is None or self._pid != os.getpid():
            return  # nothing was queued in this process
        done = threading.Event()
        self._queue.put(done)
        # Returning early would let a caller read the chat before the reply went out (a test
        # asserting "exactly one reply" would pass on silence): say so instead.
        if not done.wait(timeout):
            raise TimeoutError(f"lane {self._name} still busy after {timeout:g}s")

    def close(self, timeout: float = 10) -> None:
        """Finish what is queued and stop the thread."""
        if self._thread is not None and self._pid == os.getpid():
            self._queue.put(_STOP)
            self._thread.join(timeout)
        self._thread = None

    def _ensure_started(self) -> None:
        """Start the thread in this process if it is not running here yet."""
        if self._pid == os.getpid():
            return
        with self._guard:
            if self._pid != os.getpid():
                self._queue = queue.SimpleQueue()
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
                self._pid = os.getpid()

    def _run(self) -> None:
        """Work through batches until told to stop."""
        while True:
            batch = self._collect()
            items = [item for item in batch if item is not _STOP and not isinstance(item, threading.Event)]
            if items:
                self._work(items)  # type: ignore[arg-type]
            for marker in batch:
                if isinstance(marker, threading.Event):
                    marker.set()
            if batch[-1] is _STOP:
                return

    def _collect(self) -> list[object]:
        """Wait for one item, then gather more for `linger` seconds; a flush or stop ends the batch."""
        batch = [self._queue.get()]
        deadline = time.monotonic() + self._linger
        while not _is_marker(batch[-1]) and (remaining := deadline - time.monotonic()) > 0:
            try:
                batch.append(self._queue.get(timeout=remaining))
            except queue.Empty:
                break
        return batch


def _is_marker(item: object) -> bool:
    """True for a flush or stop marker."""
    return item is _STOP or isinstance(item, threading.Event)

"""Sending from a child process: the web worker hands each committed reply over a pipe and goes on.

Under load, the reply lanes' Python work (building and posting each LINE call, recording its
outcome) ran beside the webhook's own in the worker and competed with it for the interpreter
lock: every database answer could wait for a lane to let go. In a child process the lanes run
on the machine's other core. The child is forked on first use in each process (gunicorn forks
its workers after building the app), runs the usual Sender (lanes, recorder, sweeper), and
leaves when the worker does: at the end of its pipe it sends what it holds, records it and exits.
A child that dies is replaced on the next hand-over; what it held stays pending in the outbox,
and the sweep sends it (bot/delivery/send.py: the reply token tells a delivered reply from a lost one).
"""

from __future__ import annotations

import fcntl
import io
import itertools
import logging
import os
import pickle
import select
import signal
import struct
import threading
import time
from typing import Callable, Sequence

from bot.delivery.send import Outgoing
from bot.delivery.sender import Sender
from bot.safe_log import log_failure

log = logging.getLogger(__name__)

# Seconds a hand-over may wait for room in the pipe: a child that takes in nothing for this
# long is stuck, and the webhook must still answer LINE in time.
HAND_OVER_TIMEOUT = 0.5
# Bytes the pipe may hold (a reply is a few kilobytes): Linux lets any process ask for 1 MiB.
PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
_HEAD_BYTES = 4  # each frame starts with its length, big-endian
_ACK = struct.Struct("!Q?")
# Write ends of every child's pipe in this process: a newer child must not hold them open,
# or an older child would not see its pipe end when this process exits.
_OPEN_WRITE_ENDS: set[int] = set()


class SenderInChild:
    """A Sender running in a child process; submit, flush and close as Sender's."""

    def __init__(self, build: Callable[[], Sender]):
        # Called in the child, after the fork: it must make its own database and LINE connections.
        self._build = build
        self._guard = threading.Lock()
        self._owner = -1  # the process whose child this is (a forked copy of this object has none)
        self._child = 0
        self._to_child = -1
        self._from_child = -1
        self._marks = itertools.count(1)
        self._flushing = threading.Lock()

    @property
    def pid(self) -> int:
        """The sending process of this process (0 when none is running yet)."""
        return self._child if self._owner == os.getpid() else 0

    def submit(self, batch: Sequence[Outgoing]) -> None:
        """Hand a webhook's committed messages to the child; if it cannot take them, the sweep sends them."""
        if batch:
            self._hand_over(("send", list(batch)))

    def flush(self, timeout: float = 10) -> None:
        """Block until everything submitted so far is sent and its outcome written; TimeoutError if not in time."""
        if self._owner != os.getpid():
            return  # nothing was handed over in this process
        deadline = time.monotonic() + timeout
        # One flush at a time: each reads its own answer from the child (an earlier one's, given
        # up on, is passed over).
        if not self._flushing.acquire(timeout=timeout):
            raise TimeoutError(f"another flush still waiting after {timeout:g}s")
        try:
            mark = next(self._marks)
            if not self._hand_over(("flush", mark, timeout)):
                raise TimeoutError("the sending process did not take the flush")
            while (remaining := deadline - time.monotonic()) > 0 and select.select([self._from_child], [], [], remaining)[0]:
                answer = os.read(self._from_child, _ACK.size)
                if len(answer) < _ACK.size:
                    raise TimeoutError("the sending process ended during a flush")
                number, done = _ACK.unpack(answer)
                if number == mark:
                    if not done:
                        raise TimeoutError("the sending process could not send everything in time")
                    return
            raise TimeoutError(f"the sending process still busy after {timeout:g}s")
        finally:
            self._flushing.release()

    def close(self, timeout: float = 10) -> None:
        """Let the child send what it holds, record it and exit (waiting at most `timeout` seconds)."""
        with self._guard:
            if self._owner != os.getpid():
                return
            self._write(("stop",))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not _ended(self._child):
                time.sleep(0.01)
            self._forget()

    def _hand_over(self, message: tuple) -> bool:
        """Write one message to this process's child, starting (or replacing) it as needed."""
        frame = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        with self._guard:
            for _attempt in range(2):
                if self._owner != os.getpid() or _ended(self._child):
                    self._start()
                if self._write(message, frame):
                    return True
                # Dead, or stuck: a new child takes this and later messages; the old one's are in the outbox.
                log.error("the sending process did not take a message: starting another")
                _stop_quietly(self._child)
                self._forget()
        return False

    def _write(self, message: tuple, frame: bytes | None = None) -> bool:
        """Write a whole frame within HAND_OVER_TIMEOUT; False if the child is gone or takes nothing."""
        if self._to_child < 0:
            return False
        frame = frame if frame is not None else pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        data = memoryview(len(frame).to_bytes(_HEAD_BYTES, "big") + frame)
        deadline = time.monotonic() + HAND_OVER_TIMEOUT
        try:
            while data:
                try:
                    data = data[os.write(self._to_child, data) :]
                except BlockingIOError:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or not select.select([], [self._to_child], [], remaining)[1]:
                        return False
        except OSError:  # BrokenPipeError: the child has gone
            return False
        return True

    def _start(self) -> None:
        """Fork a child for this process (the guard is held)."""
        if self._owner == os.getpid():
            _stop_quietly(self._child)
        self._forget()
        to_child_read, to_child_write = os.pipe()
        from_child_read, from_child_write = os.pipe()
        try:
            fcntl.fcntl(to_child_write, _F_SETPIPE_SZ, PIPE_BYTES)
        except OSError:  # a smaller pipe only means the child is handed fewer replies ahead
            pass
        os.set_blocking(to_child_write, False)
        child = os.fork()
        if child == 0:  # the child: never returns
            for fd in (to_child_write, from_child_read, *_OPEN_WRITE_ENDS):
                _close_quietly(fd)
            _serve(to_child_read, from_child_write, self._build)
        os.close(to_child_read)
        os.close(from_child_write)
        _OPEN_WRITE_ENDS.add(to_child_write)
        self._owner, self._child, self._to_child, self._from_child = os.getpid(), child, to_child_write, from_child_read

    def _forget(self) -> None:
        """Drop this process's link to its child (a forked copy only closes its inherited ends)."""
        for fd in (self._to_child, self._from_child):
            if fd >= 0:
                _OPEN_WRITE_ENDS.discard(fd)
                _close_quietly(fd)
        if self._owner == os.getpid():
            _ended(self._child)  # reaped if it has exited
        self._owner, self._child, self._to_child, self._from_child = -1, 0, -1, -1


def _serve(from_parent: int, to_parent: int, build: Callable[[], Sender]) -> None:
    """The child's life: send what arrives until the pipe ends or says stop, then exit."""
    status = 0
    try:
        # Stopping is the parent's to decide: a Ctrl-C or a TERM to the process group ends the
        # parent, whose end of the pipe then closes; signals must not cut a send short here.
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH):
            signal.signal(number, signal.SIG_IGN)
        sender = build()
        messages = io.open(from_parent, "rb")
        while (message := _read(messages)) is not None and message[0] != "stop":
            if message[0] == "send":
                sender.submit(message[1])
            elif message[0] == "flush":
                _, mark, timeout = message
                try:
                    sender.flush(timeout)
                    done = True
                except TimeoutError:
                    done = False
                os.write(to_parent, _ACK.pack(mark, done))
        sender.close()
    except BaseException as error:  # nothing may return into the parent's code (gunicorn's loop)
        log_failure(log, "sending process", error)
        status = 1
    finally:
        os._exit(status)


def _read(stream: io.BufferedReader) -> tuple | None:
    """The next message from the parent; None at the end of the pipe."""
    head = stream.read(_HEAD_BYTES)
    if len(head) < _HEAD_BYTES:
        return None
    size = int.from_bytes(head, "big")
    frame = stream.read(size)
    return pickle.loads(frame) if len(frame) == size else None


def _ended(pid: int) -> bool:
    """True when the child has exited (and reap it) or there is none."""
    if pid <= 0:
        return True
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return True


def _stop_quietly(pid: int) -> None:
    """Kill a stuck child (its messages stay pending in the outbox for the sweep)."""
    if pid > 0 and not _ended(pid):
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def _close_quietly(fd: int) -> None:
    """Close a descriptor that may already be closed."""
    try:
        os.close(fd)
    except OSError:
        pass

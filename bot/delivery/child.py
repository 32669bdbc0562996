"""Sending from a child process: the web worker hands each committed reply over a pipe and goes on.

Under load, the reply lanes' Python work (building and posting each LINE call, recording its
outcome) ran beside the webhook's own in the worker and competed with it for the interpreter
lock: every database answer could wait for a lane to let go. In a child process the lanes run
on the machine's other core. The child runs the usual Sender (lanes, recorder, sweeper) on
database and LINE connections of its own, and leaves when the worker does: at the end of its
pipe it sends what it holds, records it and exits.

It is forked when the app is built in a process's main thread (a gunicorn worker has no other
thread yet). Any later start (a replacement, or a worker that inherited the app from a
preloading master) runs a new interpreter instead: a fork from a busy, threaded worker could
copy a lock another thread held. A watchdog thread replaces a child that died or has read
nothing for STUCK_AFTER seconds; what it held stays pending in the outbox, and the sweep sends
it (the reply token tells a delivered reply from a lost one, bot/delivery/send.py).
"""

from __future__ import annotations

import fcntl
import gc
import io
import itertools
import logging
import os
import pickle
import select
import signal
import struct
import sys
import termios
import threading
import time
from typing import TYPE_CHECKING, Sequence

from bot.delivery.send import Outgoing
from bot.safe_log import log_failure

if TYPE_CHECKING:
    from bot.config import Config
    from bot.delivery.sender import Sender

log = logging.getLogger(__name__)

# Seconds a hand-over may wait for room in the pipe: the webhook must still answer LINE in time.
HAND_OVER_TIMEOUT = 0.3
# Seconds a child may leave what it was handed unread before it counts as stuck and is replaced
# (it only moves each message to a lane: a healthy one reads within milliseconds; a new
# interpreter starts in about a second).
STUCK_AFTER = 5.0
# Seconds between the watchdog's looks at the child.
WATCH_EVERY = 1.0
# Seconds a new interpreter is given to start (its imports take 3 s on a busy 2-core machine)
# before what it has not read counts against it.
SPAWN_GRACE = 30.0
# Bytes the pipe may hold (a reply is a few kilobytes): Linux lets any process ask for 1 MiB.
PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
_HEAD_BYTES = 4  # each frame starts with its length, big-endian
_ACK = struct.Struct("!Q?")


class SenderInChild:
    """A Sender running in a child process; submit, flush and close as Sender's."""

    def __init__(self, config: Config):
        self._config = config  # the child builds its own Sender from it (bot.runtime.sending_threads)
        self._guard = threading.Lock()
        self._owner = -1  # the process whose child this is (a forked copy of this object has none)
        self._child = 0
        self._to_child = -1
        self._from_child = -1
        self._written = 0  # bytes written to the current child
        self._consumed = 0  # of those, how many it had read when last looked at
        self._progress_at = 0.0  # when it was last seen reading (or with nothing to read)
        self._marks = itertools.count(1)
        self._flushing = threading.Lock()
        self._watched_in = -1  # the process whose watchdog runs

    @property
    def pid(self) -> int:
        """The sending process of this process (0 when none is running)."""
        return self._child if self._owner == os.getpid() else 0

    def start(self) -> None:
        """Start this process's child now, if it has none (the app calls it while it is built), and its watchdog."""
        with self._guard:
            if self._owner != os.getpid() or _ended(self._child):
                self._start()
        self._watch()

    def _watch(self) -> None:
        """Start the watchdog in this process, once."""
        if self._watched_in != os.getpid():
            self._watched_in = os.getpid()
            threading.Thread(target=self._watchdog, name="sending-watchdog", daemon=True).start()

    def _watchdog(self) -> None:
        """Replace a child that died or stopped reading, without waiting for the next reply (it also sweeps)."""
        while self._watched_in == os.getpid():
            time.sleep(WATCH_EVERY)
            try:
                with self._guard:
                    if self._owner == os.getpid() and (_ended(self._child) or self._stuck()):
                        log.error("the sending process ended or stopped reading: starting another")
                        self._start()
            except Exception as error:  # e.g. no process may be started now: try again in a second
                log_failure(log, "watching the sending process", error)

    def submit(self, batch: Sequence[Outgoing]) -> None:
        """Hand a webhook's committed messages to the child; what it cannot take is left to the sweep."""
        if not batch:
            return
        try:
            self._hand_over(("send", list(batch)))
        except Exception as error:  # committed already: the rows stay pending and the sweep sends them
            log_failure(log, "handing replies to the sending process", error)

    def flush(self, timeout: float = 10) -> None:
        """Block until everything submitted so far is sent and its outcome written; TimeoutError if not in time."""
        if self._owner != os.getpid():
            return  # nothing was handed over in this process
        deadline = time.monotonic() + timeout
        # One flush at a time: each reads its own answer (an earlier one's, given up on, is passed over).
        if not self._flushing.acquire(timeout=timeout):
            raise TimeoutError(f"another flush still waiting after {timeout:g}s")
        try:
            mark = next(self._marks)
            if not self._hand_over(("flush", mark, timeout)):
                raise TimeoutError("the sending process did not take the flush")
            answers = self._from_child  # the child that took this flush answers on it
            while (remaining := deadline - time.monotonic()) > 0 and _ready(answers, select.POLLIN, remaining):
                try:
                    answer = os.read(answers, _ACK.size)
                except OSError:  # the watchdog replaced the child meanwhile (and closed its pipe)
                    answer = b""
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
            self._watched_in = -1  # the watchdog leaves at its next look
            self._write(pickle.dumps(("stop",)))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not _ended(self._child):
                time.sleep(0.01)
            self._forget()

    def _hand_over(self, message: tuple) -> bool:
        """Write one message to this process's child, starting (or replacing) it as needed."""
        frame = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self._watch()
        with self._guard:
            for _attempt in range(2):
                if self._owner != os.getpid() or _ended(self._child):  # a stuck one is the watchdog's to find
                    self._start()
                if self._write(frame):
                    return True
                # Dead, or taking nothing: a new child takes this and later messages; the old one's are in the outbox.
                log.error("the sending process did not take a message: starting another")
                self._forget()
        return False

    def _stuck(self) -> bool:
        """True when the child has read nothing of what waits for it for STUCK_AFTER seconds."""
        unread = bytearray(4)
        try:
            fcntl.ioctl(self._to_child, termios.FIONREAD, unread)
        except OSError:
            return True
        now, consumed = time.monotonic(), self._written - int.from_bytes(unread, sys.byteorder)
        if consumed != self._consumed or consumed == self._written:
            self._consumed, self._progress_at = consumed, now
            return False
        return now - self._progress_at > STUCK_AFTER

    def _write(self, frame: bytes) -> bool:
        """Write a whole frame within HAND_OVER_TIMEOUT; False if the child is gone or takes nothing."""
        if self._to_child < 0:
            return False
        data = memoryview(len(frame).to_bytes(_HEAD_BYTES, "big") + frame)
        deadline = time.monotonic() + HAND_OVER_TIMEOUT
        try:
            while data:
                try:
                    written = os.write(self._to_child, data)
                    self._written += written
                    data = data[written:]
                except BlockingIOError:
                    if not _ready(self._to_child, select.POLLOUT, deadline - time.monotonic()):
                        return False
        except OSError:  # BrokenPipeError: the child has gone
            return False
        return True

    def _start(self) -> None:
        """Start a child for this process, replacing one it had (the guard is held)."""
        self._forget()
        to_child_read, to_child_write = os.pipe()
        from_child_read, from_child_write = os.pipe()
        try:
            try:
                fcntl.fcntl(to_child_write, _F_SETPIPE_SZ, PIPE_BYTES)
            except OSError:  # a smaller pipe only means the child is handed fewer replies ahead
                pass
            os.set_blocking(to_child_write, False)
            grace = 0.0
            if threading.current_thread() is threading.main_thread():
                child = os.fork()
                if child == 0:  # the child: never returns
                    _settle_in_child(keep={to_child_read, from_child_write})
                    _serve(to_child_read, from_child_write)
            else:
                child, grace = _spawn(to_child_read, from_child_write), SPAWN_GRACE
        except BaseException:
            for fd in (to_child_read, to_child_write, from_child_read, from_child_write):
                _close_quietly(fd)
            raise
        os.close(to_child_read)
        os.close(from_child_write)
        self._owner, self._child, self._to_child, self._from_child = os.getpid(), child, to_child_write, from_child_read
        self._written = self._consumed = 0
        self._progress_at = time.monotonic() + grace
        if not self._write(pickle.dumps(("config", self._config), protocol=pickle.HIGHEST_PROTOCOL)):
            raise OSError("the sending process did not take its configuration")

    def _forget(self) -> None:
        """Drop this process's child: killed if it still runs (what it held is in the outbox), reaped.

        A forked copy of this object (gunicorn's worker, when the app was built before the
        fork) only closes the descriptors it inherited: the child is its parent's.
        """
        for fd in (self._to_child, self._from_child):
            if fd >= 0:
                _close_quietly(fd)
        if self._owner == os.getpid() and not _ended(self._child):
            try:
                os.kill(self._child, signal.SIGKILL)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + 1.0  # a process in uninterruptible sleep must not hold up the webhooks
            while not _ended(self._child) and time.monotonic() < deadline:
                time.sleep(0.005)
        self._owner, self._child, self._to_child, self._from_child = -1, 0, -1, -1


def _serve(from_parent: int, to_parent: int) -> None:
    """The child's life: send what arrives until the pipe ends or says stop, then exit."""
    status = 0
    try:
        messages = io.open(from_parent, "rb")
        first = _read(messages)
        if first is None or first[0] != "config":
            raise RuntimeError("the sending process got no configuration")
        from bot.runtime import sending_threads  # here, not at import: bot.runtime imports this module

        sender = sending_threads(first[1])
        try:
            while (message := _read(messages)) is not None and message[0] != "stop":
                if message[0] == "send":
                    sender.submit(message[1])
                elif message[0] == "flush":  # answered from a thread: reading goes on meanwhile
                    threading.Thread(target=_flush_and_answer, args=(sender, to_parent, *message[1:]), daemon=True).start()
        finally:
            sender.close()
    except BaseException as error:  # nothing may return into the parent's code (gunicorn's loop)
        log_failure(log, "sending process", error)
        status = 1
    finally:
        os._exit(status)


def main() -> None:
    """A sending process started as a new interpreter: `python -c 'from bot.delivery.child import main; main()' FROM TO`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s")
    _ignore_stop_signals()
    _serve(int(sys.argv[1]), int(sys.argv[2]))


def _spawn(from_parent: int, to_parent: int) -> int:
    """Run a new interpreter as the child, given only the two pipe ends (safe from any thread)."""
    code = "from bot.delivery.child import main; main()"
    argv = [sys.executable, "-c", code, str(from_parent), str(to_parent)]
    actions = [(os.POSIX_SPAWN_DUP2, fd, fd) for fd in (from_parent, to_parent)]  # dup2 onto itself: kept across exec
    return os.posix_spawn(sys.executable, argv, os.environ, file_actions=actions)


def _ignore_stop_signals() -> None:
    """Stopping is the parent's to decide: a Ctrl-C or a TERM to the process group ends the parent,
    whose end of the pipe then closes; every other handler the parent had installed is dropped."""
    for number in signal.valid_signals():
        try:
            if callable(signal.getsignal(number)):
                signal.signal(number, signal.SIG_DFL)
        except (OSError, ValueError):  # SIGKILL, SIGSTOP and the like
            pass
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH, signal.SIGTTIN, signal.SIGTTOU):
        signal.signal(number, signal.SIG_IGN)


def _settle_in_child(keep: set[int]) -> None:
    """Leave the parent's signals, descriptors and heap alone.

    Every descriptor but the pipe, the standard streams and the log files is pointed at
    /dev/null: the child must not keep the parent's listening socket, its clients' or its
    database sessions open after the parent died, and a copied connection closed here then
    tells nobody anything.
    """
    signal.set_wakeup_fd(-1)
    _ignore_stop_signals()
    gc.freeze()  # the inherited heap is the parent's: not walked, not copied page by page, not finalized here
    keep = keep | {0, 1, 2} | _log_descriptors()
    blank = os.open(os.devnull, os.O_RDWR)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep and fd != blank:
            try:
                os.dup2(blank, fd, inheritable=False)
            except OSError:
                pass
    os.close(blank)


def _log_descriptors() -> set[int]:
    """Descriptors the process's log handlers write to (gunicorn's error log file, a syslog socket)."""
    found = set()
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        for handler in getattr(logger, "handlers", []):
            for name in ("stream", "socket", "sock"):
                try:
                    found.add(getattr(handler, name).fileno())
                except Exception:  # no such attribute, or one without a descriptor
                    pass
    return found


def _flush_and_answer(sender: Sender, to_parent: int, mark: int, timeout: float) -> None:
    """Wait until the sender is done, then tell the parent whether it was in time."""
    try:
        sender.flush(timeout)
        done = True
    except TimeoutError:
        done = False
    try:
        os.write(to_parent, _ACK.pack(mark, done))
    except OSError:  # the parent gave up or left
        pass


def _read(stream: io.BufferedReader) -> tuple | None:
    """The next message from the parent; None at the end of the pipe."""
    head = stream.read(_HEAD_BYTES)
    if len(head) < _HEAD_BYTES:
        return None
    size = int.from_bytes(head, "big")
    frame = stream.read(size)
    return pickle.loads(frame) if len(frame) == size else None


def _ready(fd: int, event: int, seconds: float) -> bool:
    """True when the descriptor is ready for `event` within `seconds` (poll: any descriptor number)."""
    if seconds <= 0:
        return False
    poller = select.poll()
    poller.register(fd, event)
    return bool(poller.poll(seconds * 1000))


def _ended(pid: int) -> bool:
    """True when the child has exited (and reap it) or there is none."""
    if pid <= 0:
        return True
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return True


def _close_quietly(fd: int) -> None:
    """Close a descriptor that may already be closed."""
    try:
        os.close(fd)
    except OSError:
        pass

"""The final snapshot on SIGTERM/SIGINT: handlers that write it in the signalled thread,
bounded in time, then hand the signal to the handler that was there before."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType
from typing import Any

from statesnap.engine.format.timestamps import now_iso
from statesnap.engine.service.saving import SnapshotWriter

__all__ = ["FinalSnapshotHandlers"]

log = logging.getLogger(__name__)


class _TimeLimitExceededError(Exception):
    """The final snapshot ran out of time."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise _TimeLimitExceededError in the main thread after `seconds` (a SIGALRM timer), if
    the host does not use SIGALRM itself; otherwise no limit."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGALRM) != signal.SIG_DFL
    ):
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise _TimeLimitExceededError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class FinalSnapshotHandlers:
    """Signal handlers that write one final snapshot through `writer` (bounded by
    `timeout_s`), then run the handler installed before them."""

    def __init__(self, writer: SnapshotWriter, timeout_s: float) -> None:
        self.writer = writer
        self.timeout_s = timeout_s
        self._previous_handlers: dict[int, Any] = {}
        self._signal_loop: asyncio.AbstractEventLoop | None = None
        self._signal_seen = False

    def install(self, signals: tuple[int, ...]) -> None:
        """Install the handlers: through the running loop if there is one, else directly."""
        try:
            self._signal_loop = asyncio.get_running_loop()
        except RuntimeError:
            self._signal_loop = None
        for signum in signals:
            self._previous_handlers[signum] = signal.getsignal(signum)
            if self._signal_loop is not None:
                self._signal_loop.add_signal_handler(signum, self._on_loop_signal, signum)
            else:
                signal.signal(signum, self._on_signal)

    def uninstall(self) -> None:
        """Put back the handlers that were there before install()."""
        for signum, handler in self._previous_handlers.items():
            if self._signal_loop is not None and not self._signal_loop.is_closed():
                self._signal_loop.remove_signal_handler(signum)
            signal.signal(signum, handler)
        self._previous_handlers.clear()
        self._signal_loop = None

    def _hand_over(self, signum: int, frame: FrameType | None) -> None:
        """Run the handler that was there before ours (the default one: die by the signal)."""
        previous = self._previous_handlers.get(signum, signal.SIG_DFL)
        self.uninstall()
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if not self._signal_seen and self.writer.memory is not None:
            self._signal_seen = True
            self._final_snapshot(signum)
        self._hand_over(signum, frame)

    def _on_loop_signal(self, signum: int) -> None:
        """The loop's handler: at a clean point between callbacks, take the same path as a
        plain handler, with plain handlers installed first so that a second signal acts at
        once instead of waiting for the loop."""
        loop, self._signal_loop = self._signal_loop, None
        for other in self._previous_handlers:
            if loop is not None and not loop.is_closed():
                loop.remove_signal_handler(other)
            signal.signal(other, self._on_signal)
        self._on_signal(signum, None)

    def _final_snapshot(self, signum: int) -> None:
        """The final snapshot from inside a signal handler: all in this thread, no other
        thread waited for, bounded by a SIGALRM timer when the host leaves SIGALRM alone.
        Nothing is written after it: a save under way elsewhere drops its file instead of
        taking a name once this one has begun (its name would be older anyway)."""
        reason = f"on {signal.Signals(signum).name}"
        started = time.perf_counter()
        writer = self.writer
        writer.final_started = True  # from now on, a save under way elsewhere drops its file
        try:
            with _time_limit(self.timeout_s):
                writer.store(
                    writer.take_exact(parallel=False),
                    reason,
                    skip_unchanged=False,
                    started=started,
                    at=now_iso(),
                    final=True,
                )
        except _TimeLimitExceededError:
            log.error("final snapshot %s did not finish in %.1f s", reason, self.timeout_s)
        except Exception as exc:
            writer.record_failure(reason, exc)

"""Process-wide tuning for hosts that parse large snapshots: off unless the host opts in.

statesnap is a guest in its host's interpreter: by default it leaves the garbage collector
and the recursion limit exactly as it found them (deep documents are handled without
recursion). A program whose job is large snapshots (the dashboard, the demo server, a dev
server holding 100 MB of state) calls, once, at start-up:

    from statesnap.engine import tune_process_for_large_snapshots
    tune_process_for_large_snapshots()

From then on, `js_loads` (and so every snapshot read and restore):
- pauses the cyclic garbage collector while orjson parses (a large document allocates
  millions of containers, each of which would trigger a collection pass over the growing
  heap; pausing roughly halves the parse time). The collector is re-enabled when the last
  parse running in any thread ends, if it was enabled before;
- after parsing a document of `FREEZE_AFTER_BYTES` or more, calls `gc.freeze()`: every
  object alive then (the parsed document and all the host's) moves to the collector's
  permanent generation, for good unless the host calls `gc.unfreeze()`. The document holds no
  reference cycles (reference counting still frees it); otherwise every later collection of
  each generation would walk all of it again, stalling the host about a quarter of a second
  per 100 MB, again and again while the state lives.

`tune_process_for_large_snapshots(False)` turns both off again (what was frozen stays so).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

__all__ = [
    "FREEZE_AFTER_BYTES",
    "collector_paused",
    "is_process_tuned",
    "parsed_document",
    "tune_process_for_large_snapshots",
]

FREEZE_AFTER_BYTES: Final = 1 << 20
"""With the tuning on, a parse of at least this many bytes ends with `gc.freeze()`."""

_lock = threading.Lock()
_tuned = False
_parses_running = 0
_reenable_collector = False


def tune_process_for_large_snapshots(enabled: bool = True) -> None:
    """Let statesnap tune the garbage collector around large parses (see the module doc).

    Process-wide: call it from the program's start-up, not from a library.
    """
    global _tuned  # noqa: PLW0603 - one switch per process, as the settings it governs
    with _lock:
        _tuned = enabled


def is_process_tuned() -> bool:
    """Whether the host opted in with `tune_process_for_large_snapshots()`."""
    return _tuned


@contextmanager
def collector_paused() -> Iterator[None]:
    """With the tuning on, the cyclic collector off for the duration (shared by concurrent
    parses: it comes back when the last one ends, and only if it was on before the first)."""
    global _parses_running, _reenable_collector  # noqa: PLW0603 - process-wide, as gc is
    with _lock:
        pausing = _tuned
        if pausing:
            if _parses_running == 0:
                _reenable_collector = gc.isenabled()
                gc.disable()
            _parses_running += 1
    try:
        yield
    finally:
        if pausing:
            with _lock:
                _parses_running -= 1
                if _parses_running == 0 and _reenable_collector:
                    gc.enable()


def parsed_document(size: int) -> None:
    """Called after a parse of `size` bytes: with the tuning on and a large document, freeze."""
    if _tuned and size >= FREEZE_AFTER_BYTES:
        gc.freeze()

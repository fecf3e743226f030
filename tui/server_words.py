"""What the dashboard says about a running server: its mode and its last save, in words.

The header reads `pid 4242 · memory · last save 12s ago ✓`; the live entry of the snapshots
list and the live browser's crumbs say the same things. Everything here comes from the
server's `status()` and may hold text from outside (an error message, a path): callers escape
it (`tui.safe_text`) before it reaches a widget.
"""

from __future__ import annotations

from datetime import datetime

from engine import ServiceStatus
from tui.formatting import format_age, parse_moment

__all__ = ["last_save_words", "server_words"]

_ELSEWHERE = frozenset({"redis", "fallback"})
"""Modes whose state lives outside the process: the server writes no snapshots."""


def last_save_words(status: ServiceStatus, now: datetime) -> str:
    """`last save 12s ago ✓`, `last save failed 3m ago: <reason>`, `no save yet`, or
    `no snapshots (redis)` when the server writes none."""
    if not status.enabled:
        where = "redis" if status.mode in _ELSEWHERE else status.mode
        return f"no snapshots ({where})"
    save = status.last_save
    if save is None:
        return "no save yet"
    age = format_age(parse_moment(save.at), now)
    if not save.ok:
        return f"last save failed {age}: {save.error or 'no reason given'}"
    if save.skipped_unchanged:
        return f"last save {age} ✓ (unchanged: no new file)"
    return f"last save {age} ✓"


def server_words(status: ServiceStatus, now: datetime) -> str:
    """`pid 4242 · memory · last save 12s ago ✓` (the mode is `fallback` while Redis is
    down and the in-memory fallback serves)."""
    return f"pid {status.pid} · {status.mode} · {last_save_words(status, now)}"

"""What the dashboard says about a running server: its mode and its last save, in words.

The header reads `pid 4242 · memory · last save 12s ago ✓`; the live entry of the snapshots
list and the live browser's crumbs say the same things. Everything here comes from the
server's `status()` and may hold text from outside (an error message, a path): callers escape
it (`tui.safe_text`) before it reaches a widget.
"""

from __future__ import annotations

from datetime import datetime

from engine import ServerGone, ServiceStatus, parse_timestamp
from tui.formatting import format_age

__all__ = ["gone_words", "last_save_words", "server_words"]

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
    age = format_age(parse_timestamp(save.at), now)
    if not save.ok:
        return f"last save failed {age}: {save.error or 'no reason given'}"
    if save.skipped_unchanged:
        return f"last save {age} ✓ (unchanged: no new file)"
    return f"last save {age} ✓"


def server_words(status: ServiceStatus, now: datetime) -> str:
    """`pid 4242 · memory · last save 12s ago ✓` (the mode is `fallback` while Redis is
    down and the in-memory fallback serves)."""
    return f"pid {status.pid} · {status.mode} · {last_save_words(status, now)}"


_GONE = {
    ServerGone.EXITED: "stopped (it exited, or closed its control channel)",
    ServerGone.DIED: "was killed or crashed (it left its discovery record behind)",
    ServerGone.UNREACHABLE: "still runs but does not answer on its control channel",
    None: "is gone",
}


def gone_words(
    label: str, gone: ServerGone | None, status: ServiceStatus | None, now: datetime
) -> str:
    """Why the attached server went away and what it saved last: `The server (pid 4242 ·
    memory) exited; last save 12s ago ✓ (snapshot-….json.gz). …`"""
    last = "its last save is not known"
    if status is not None:
        last = last_save_words(status, now)
        save = status.last_save
        if save is not None and save.path is not None:
            last += f" ({save.path.name})"
    return (
        f"The server ({label}) {_GONE[gone]}; {last}. The dashboard attaches again when a "
        "server starts on this directory."
    )

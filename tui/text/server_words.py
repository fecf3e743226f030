"""What the dashboard says about a running server: its mode and its last save, in words.

The header reads `pid 4242 · memory · last save 12s ago ✓`; the live entry of the snapshots
list and the live browser's crumbs say the same things. Everything here comes from the
server's `status()` and may hold text from outside (an error message, a path): callers escape
it (`statesnap.tui.text.safe_text`) before it reaches a widget.
"""

from __future__ import annotations

from datetime import datetime

from statesnap.engine import ServerGone, ServiceStatus, parse_timestamp
from statesnap.tui.text.formatting import format_age

__all__ = [
    "FALLBACK",
    "gone_words",
    "last_save_words",
    "mode_change_words",
    "mode_words",
    "server_words",
    "takes_no_snapshots",
]

FALLBACK = "fallback"
"""The mode of a Redis-mode server while Redis is unreachable: its in-memory fallback serves."""

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


def mode_words(mode: str) -> str:
    """A storage mode as every place that names it says it: `memory`, `redis`, or, while
    Redis is down, `fallback (Redis unreachable: in-memory state)`."""
    if mode == FALLBACK:
        return f"{FALLBACK} (Redis unreachable: in-memory state)"
    return mode


def mode_change_words(pid: int, before: str, after: str) -> str | None:
    """What to announce when a server's mode changes (to or from the fallback), else None."""
    if after == FALLBACK and before != FALLBACK:
        return (
            f"Redis is unreachable: the server (pid {pid}) now serves from its in-memory "
            "fallback; the live state shown is the fallback's, not Redis's."
        )
    if before == FALLBACK and after != FALLBACK:
        return f"Redis is back: the server (pid {pid}) serves from {after} again."
    return None


def takes_no_snapshots(mode: str) -> bool:
    """Whether a server in this mode keeps its state outside the process (no snapshots)."""
    return mode in _ELSEWHERE


def server_words(status: ServiceStatus, now: datetime) -> str:
    """`pid 4242 · memory · last save 12s ago ✓` (see mode_words for the fallback)."""
    return f"pid {status.pid} · {mode_words(status.mode)} · {last_save_words(status, now)}"


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

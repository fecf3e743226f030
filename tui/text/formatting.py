"""Human-readable sizes, ages and moments, shared by the dashboard and the command's output."""

from __future__ import annotations

from datetime import datetime

from statesnap.engine import SnapshotTime, TimeSource, format_size, format_timestamp

__all__ = [
    "TIME_MARK",
    "format_age",
    "format_duration",
    "format_moment",
    "format_size",
    "middle_cut",
    "time_mark",
    "time_note",
]


def format_age(moment: datetime | None, now: datetime) -> str:
    """How long before `now`: `12s ago`, `5m ago`, `3h ago`, `2d ago` (`in 5m` if later)."""
    if moment is None:
        return "?"
    seconds = int((now - moment).total_seconds())
    suffix = " ago" if seconds >= 0 else ""
    prefix = "" if seconds >= 0 else "in "
    seconds = abs(seconds)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{prefix}{seconds // size}{unit}{suffix}"
    return f"{prefix}{seconds}s{suffix}"


def middle_cut(text: str, width: int) -> str:
    """`text` in `width` characters, cut in the middle (ids and paths differ at their ends)."""
    if width <= 0 or len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head) :]


def format_duration(seconds: float) -> str:
    """A span in words, rounded down to its largest unit: `45 s`, `15 min`, `2 h`."""
    whole = int(seconds)
    for size, unit in ((3600, "h"), (60, "min")):
        if whole >= size:
            return f"{whole // size} {unit}"
    return f"{whole} s"


def format_moment(moment: datetime) -> str:
    """`2026-02-10 12:48:10.123` (UTC): the one way a snapshot's time is shown."""
    return format_timestamp(moment)[:-1].replace("T", " ")


TIME_MARK = "*"
"""Follows a snapshot's time when its name says another (`time_note` says which)."""


def time_mark(time: SnapshotTime) -> str:
    return TIME_MARK if time.name_disagrees else ""


def time_note(time: SnapshotTime) -> str | None:
    """What a snapshot's time needs said beside it: `named 10:10:00.000, stored 07:10:50.000`
    when the file and its name disagree (the date too if it differs), else where it comes
    from; None when it is the time the name says."""
    if time.name_disagrees and time.named is not None:
        named, stored = format_moment(time.named), format_moment(time.moment)
        if named[:10] == stored[:10]:
            named, stored = named[11:], stored[11:]
        return f"named {named}, stored {stored}"
    if time.source is TimeSource.STORED:
        return "time stored in the file"
    if time.source is TimeSource.MODIFIED:
        return "file modification time"
    return None

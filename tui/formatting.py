"""Human-readable sizes, ages and moments, shared by the dashboard and the command's output."""

from __future__ import annotations

from datetime import UTC, datetime

from engine import format_size

__all__ = ["format_age", "format_duration", "format_moment", "format_size", "parse_moment"]


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


def format_duration(seconds: float) -> str:
    """A span in words, rounded down to its largest unit: `45 s`, `15 min`, `2 h`."""
    whole = int(seconds)
    for size, unit in ((3600, "h"), (60, "min")):
        if whole >= size:
            return f"{whole // size} {unit}"
    return f"{whole} s"


def parse_moment(text: str | None) -> datetime | None:
    """A snapshot's ISO timestamp (`2026-02-10T12:48:10.123Z`) as an aware datetime, or None."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        moment.astimezone(UTC)  # a moment at the edge of the calendar can overflow here
    except (ValueError, OverflowError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_moment(moment: datetime | None) -> str:
    """`2026-02-10 12:48:10` in UTC, or `?`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else "?"

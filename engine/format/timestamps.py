"""Times as JavaScript writes them: `Date.prototype.toISOString` (UTC, milliseconds, `Z`).

The one place the format's timestamps are printed and read: snapshot names and `timestamp`
fields, the records' times in the dev state, the service's and the discovery record's times.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["format_timestamp", "now_iso", "parse_iso"]


def format_timestamp(moment: datetime) -> str:
    """`2026-11-26T07:13:15.719Z` for that moment (a naive moment is taken as local time)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_iso() -> str:
    """The current time as JavaScript's `toISOString` prints it."""
    return format_timestamp(datetime.now(UTC))


def parse_iso(text: str) -> datetime:
    """An ISO-8601 time as an aware datetime (no offset means UTC); ValueError if not one."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

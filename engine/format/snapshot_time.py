"""When a snapshot was taken, by one rule for every view (the dashboard and `statesnap list`).

The rule: the time the file's name encodes, when the timestamp stored in the file agrees with
it or cannot be read; the stored timestamp when the name encodes none or another (a file
renamed, copied under another name, or written by something else than a snapshot service);
else the file's modification time. In the original backend's files the name and the timestamp
differ by a few milliseconds (two readings of the clock): within `NAME_TOLERANCE` they agree,
and the name, which is how the file is known, wins.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from statesnap.engine.format.snapshot_names import timestamp_from_name

__all__ = [
    "NAME_TOLERANCE",
    "SnapshotTime",
    "TimeSource",
    "newest_first",
    "parse_timestamp",
    "snapshot_time",
]

NAME_TOLERANCE = timedelta(seconds=1)
"""How far apart a file's name and its stored timestamp may be and still agree."""


class TimeSource(StrEnum):
    """Where a snapshot's time comes from."""

    NAME = "name"
    """The file's name (`snapshot-2026-02-10T12-48-10-123Z.json.gz`)."""
    STORED = "stored"
    """The `timestamp` field inside the file (its name encodes none, or another time)."""
    MODIFIED = "modified"
    """The file's modification time: neither of the others can be read."""


@dataclass(frozen=True)
class SnapshotTime:
    """When a snapshot was taken, from where that is known, and what its name and its
    `timestamp` field say (None: nothing, or nothing readable)."""

    moment: datetime
    source: TimeSource
    named: datetime | None
    stored: datetime | None

    @property
    def name_disagrees(self) -> bool:
        """The file holds a time, and its name says another."""
        return (
            self.named is not None
            and self.stored is not None
            and abs(self.stored - self.named) >= NAME_TOLERANCE
        )


def parse_timestamp(text: str | None) -> datetime | None:
    """An ISO timestamp (`2026-02-10T12:48:10.123Z`) as an aware datetime, or None."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        moment.astimezone(UTC)  # a moment at the edge of the calendar can overflow here
    except (ValueError, OverflowError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def snapshot_time(name: str, stored: str | None, modified: datetime) -> SnapshotTime:
    """When the file `name`, whose `timestamp` field is `stored` and whose modification time
    is `modified`, was taken (the rule is in the module's docstring)."""
    named, held = timestamp_from_name(name), parse_timestamp(stored)
    time = SnapshotTime(modified, TimeSource.MODIFIED, named, held)
    if named is not None and not time.name_disagrees:
        return replace(time, moment=named, source=TimeSource.NAME)
    if held is not None:
        return replace(time, moment=held, source=TimeSource.STORED)
    return time


def newest_first(name: str, time: SnapshotTime) -> tuple[datetime, str]:
    """The sort key (with `reverse=True`) of a listing newest first: by time, then by name."""
    return (time.moment, name)

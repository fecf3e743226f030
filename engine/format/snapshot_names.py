"""Snapshot file names: `snapshot-<UTC time, ':' and '.' as '-'>.json.gz`, name order time order."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from statesnap.engine.format.timestamps import format_timestamp

__all__ = ["is_snapshot_name", "next_moment", "snapshot_name", "timestamp_from_name"]

_NAME_RE = re.compile(r"^snapshot-(\d{4})-(\d\d)-(\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z\.json\.gz$")


def snapshot_name(moment: datetime) -> str:
    """`snapshot-2026-02-10T12-48-10-123Z.json.gz` for that moment."""
    return "snapshot-" + format_timestamp(moment).replace(":", "-").replace(".", "-") + ".json.gz"


def is_snapshot_name(name: str) -> bool:
    """Whether the original would list this file name (`snapshot-*.json.gz`)."""
    return name.startswith("snapshot-") and name.endswith(".json.gz")


def timestamp_from_name(name: str) -> datetime | None:
    """The moment a canonical snapshot name encodes, or None for any other name."""
    match = _NAME_RE.match(name)
    if match is None:
        return None
    year, month, day, hour, minute, second, milli = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, milli * 1000, tzinfo=UTC)
    except ValueError:
        return None


def next_moment(moment: datetime) -> datetime:
    """One millisecond later: the next distinct snapshot name."""
    return moment + timedelta(milliseconds=1)

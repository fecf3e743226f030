"""One rule for a snapshot's time: its name's, unless the file stores another; else the
stored one; else the file's modification time."""

from __future__ import annotations

from datetime import UTC, datetime

from statesnap.engine import SnapshotTime, TimeSource, parse_timestamp
from statesnap.engine.format.snapshot_time import snapshot_time

NAMED = "snapshot-2026-02-14T10-10-00-000Z.json.gz"
AT_NAME = datetime(2026, 2, 14, 10, 10, tzinfo=UTC)
STORED = datetime(2026, 2, 14, 7, 10, 50, tzinfo=UTC)
MODIFIED = datetime(2026, 11, 26, 7, 50, tzinfo=UTC)


def test_a_stored_time_the_name_disagrees_with_wins_and_says_so() -> None:
    time = snapshot_time(NAMED, "2026-02-14T07:10:50.000Z", MODIFIED)
    assert time == SnapshotTime(STORED, TimeSource.STORED, AT_NAME, STORED)
    assert time.name_disagrees


def test_a_name_a_few_milliseconds_from_the_stored_time_agrees_and_wins() -> None:
    """The original backend's files: named 07-10-50-047Z, stamped 07:10:50.046Z."""
    time = snapshot_time(NAMED, "2026-02-14T10:09:59.996Z", MODIFIED)
    assert (time.moment, time.source) == (AT_NAME, TimeSource.NAME)
    assert not time.name_disagrees


def test_without_a_readable_stored_time_the_name_then_the_modification_time() -> None:
    assert snapshot_time(NAMED, None, MODIFIED).moment == AT_NAME
    assert snapshot_time(NAMED, "yesterday", MODIFIED).source is TimeSource.NAME
    odd = snapshot_time("snapshot-broken-02-empty.json.gz", None, MODIFIED)
    assert odd == SnapshotTime(MODIFIED, TimeSource.MODIFIED, None, None)
    stamped = snapshot_time("snapshot-broken-06-x.json.gz", "2026-02-14T07:10:50Z", MODIFIED)
    assert (stamped.moment, stamped.source) == (STORED, TimeSource.STORED)
    assert not odd.name_disagrees and not stamped.name_disagrees


def test_timestamps_parse_as_aware_utc_moments() -> None:
    assert parse_timestamp("2026-02-14T07:10:50.000Z") == STORED
    assert parse_timestamp("2026-02-14T07:10:50") == STORED
    assert parse_timestamp("0001-01-01T00:00:00+01:00") is None  # overflows in UTC
    assert parse_timestamp("") is None and parse_timestamp(None) is None

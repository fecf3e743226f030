"""The snapshots listing's rows, directly: newest first, the live row on top, verdicts and
ages, the diff mark, odd names shown literally."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from statesnap.engine import (
    CatalogEntry,
    SnapshotRead,
    js_dumps,
    read_snapshot,
    write_snapshot_file,
)
from statesnap.tui.rows.snapshots import SNAPSHOT_COLUMNS, LiveRow, SnapshotRows

T0 = datetime(2026, 2, 14, 9, 0, tzinfo=UTC)


def entry(path: Path) -> CatalogEntry:
    stat = path.stat()
    return CatalogEntry(path.name, stat.st_size, stat.st_mtime_ns)


def snapshot(directory: Path, minutes: int) -> tuple[CatalogEntry, SnapshotRead]:
    data = {"sessions": [{"id": "a"}], "events": {"a": [{}, {}]}}
    path, _ = write_snapshot_file(directory, js_dumps(data), T0 + timedelta(minutes=minutes))
    return entry(path), read_snapshot(path, keep_data=False)


def test_files_newest_first_with_verdict_age_and_contents(tmp_path: Path) -> None:
    older, older_read = snapshot(tmp_path, 0)
    newer, _ = snapshot(tmp_path, 5)
    verdicts = {older: older_read}
    rows = SnapshotRows(
        [older, newer], verdicts.get, T0 + timedelta(minutes=5, seconds=30), older.name
    )
    assert len(rows) == 2 and rows.entries == [newer, older]
    assert rows.row_of(older.name) == 1 and rows.row_of("gone") is None
    first = [cell.plain for cell in rows.cells(0)]
    assert first[:3] == ["", "2026-02-14 09:05:00.000", "30s ago"]
    assert first[4] == "verifying…"
    second = [cell.plain for cell in rows.cells(1)]
    assert second[0] == "◆" and second[2] == "5m ago" and second[4] == "valid"
    assert "sessions 1" in second[5] and "events 1" in second[5]
    assert rows.young_rows() == range(0, 1)
    assert len(SNAPSHOT_COLUMNS) == len(first)


def test_the_live_state_is_the_first_row(tmp_path: Path) -> None:
    only, _ = snapshot(tmp_path, 0)
    live = LiveRow(4242, "memory", {"sessions": 3, "events": 0})
    rows = SnapshotRows([only], lambda _: None, T0, None, live)
    assert len(rows) == 2 and rows.first_file == 1
    assert rows.is_live(0) and not rows.is_live(1)
    assert [cell.plain for cell in rows.cells(0)] == [
        "●",
        "live state · pid 4242",
        "now",
        "",
        "live · memory",
        "sessions 3",
    ]
    assert LiveRow(1, "memory").cells()[5].plain == "reading…"


def test_an_odd_name_is_shown_literally(tmp_path: Path) -> None:
    odd = tmp_path / "snapshot-\x1b[2J[red]x.json.gz"
    odd.write_bytes(b"not gzip")
    rows = SnapshotRows([entry(odd)], lambda _: None, T0, None)
    contents = rows.cells(0)[5].plain
    assert "\x1b" not in contents and "[red]x" in contents

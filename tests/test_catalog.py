"""The directory catalog: stat-only listing, change events, cached verdicts, the watcher."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import engine.catalog
from engine import SnapshotRead, SnapshotStatus, js_dumps, read_snapshot, write_snapshot_file
from engine.catalog import (
    CatalogChangeKind,
    CatalogClosedError,
    SnapshotCatalog,
    is_watched_name,
)
from engine.snapshot_dir import TEMP_PREFIX
from tests.node_bridge import FIXTURES

T0 = datetime(2026, 2, 14, 9, 0, tzinfo=UTC)


def write(directory: Path, data: dict[str, Any], minutes: int = 0) -> Path:
    path, _ = write_snapshot_file(directory, js_dumps(data), T0 + timedelta(minutes=minutes))
    return path


@pytest.fixture
def counted_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Every `read_snapshot` the catalog makes, in this process."""
    seen: list[Path] = []

    def counting(path: Path, **options: Any) -> SnapshotRead:
        seen.append(path)
        return read_snapshot(path, **options)

    monkeypatch.setattr(engine.catalog, "read_snapshot", counting)
    yield seen


def test_lists_newest_first_with_stat_only(tmp_path: Path, counted_reads: list[Path]) -> None:
    old = write(tmp_path, {"sessions": []}, 0)
    new = write(tmp_path, {"sessions": []}, 5)
    catalog = SnapshotCatalog(tmp_path)

    changes = catalog.refresh()

    assert [entry.name for entry in catalog.entries] == [new.name, old.name]
    assert {change.kind for change in changes} == {CatalogChangeKind.ADDED}
    assert catalog.entries[0].size == new.stat().st_size
    assert catalog.entries[0].taken == T0 + timedelta(minutes=5)
    assert counted_reads == []


def test_odd_names_sort_by_modification_time(tmp_path: Path) -> None:
    write(tmp_path, {}, 0)
    odd = tmp_path / "snapshot-broken.json.gz"
    odd.write_bytes(b"junk")
    later = (T0 + timedelta(hours=1)).timestamp()
    os.utime(odd, (later, later))
    catalog = SnapshotCatalog(tmp_path)
    catalog.refresh()
    assert catalog.entries[0].name == odd.name
    assert catalog.entries[0].taken is None
    assert catalog.entries[0].moment == T0 + timedelta(hours=1)


def test_missing_directory_lists_as_empty(tmp_path: Path) -> None:
    catalog = SnapshotCatalog(tmp_path / "absent")
    assert catalog.refresh() == ()
    assert catalog.entries == ()


def test_temp_files_and_other_names_are_never_listed(tmp_path: Path) -> None:
    write(tmp_path, {}, 0)
    (tmp_path / f"{TEMP_PREFIX}123-abc").write_bytes(b"partial")
    (tmp_path / "notes.json").write_bytes(b"{}")
    catalog = SnapshotCatalog(tmp_path)
    catalog.refresh()
    assert len(catalog.entries) == 1
    assert not is_watched_name(f"{TEMP_PREFIX}123-abc")
    assert not is_watched_name(f"{TEMP_PREFIX}snapshot-x.json.gz")
    assert not is_watched_name("notes.json")
    assert is_watched_name("snapshot-2026-02-14T09-00-00-000Z.json.gz")


def test_refresh_reports_added_rewritten_and_deleted(tmp_path: Path) -> None:
    first = write(tmp_path, {"sessions": []}, 0)
    second = write(tmp_path, {"sessions": []}, 1)
    catalog = SnapshotCatalog(tmp_path)
    catalog.refresh()
    assert catalog.refresh() == ()

    third = write(tmp_path, {"sessions": []}, 2)
    first.unlink()
    second.write_bytes(b"rewritten in place")
    changes = {change.name: change.kind for change in catalog.refresh()}

    assert changes == {
        third.name: CatalogChangeKind.ADDED,
        second.name: CatalogChangeKind.MODIFIED,
        first.name: CatalogChangeKind.DELETED,
    }


def test_verify_caches_by_name_size_and_mtime(tmp_path: Path, counted_reads: list[Path]) -> None:
    path = write(tmp_path, {"sessions": [{"id": "s1"}]})
    catalog = SnapshotCatalog(tmp_path)
    catalog.refresh()
    entry = catalog.entries[0]

    assert catalog.cached(entry) is None
    first = catalog.verify(entry)
    again = catalog.verify(entry)

    assert first.status is SnapshotStatus.VALID
    assert first.data is None
    assert again == first
    assert catalog.cached(entry) == first
    assert counted_reads == [path]

    path.write_bytes(b"not gzip")
    catalog.refresh()
    rewritten = catalog.entries[0]
    assert catalog.cached(rewritten) is None
    assert catalog.verify(rewritten).status is SnapshotStatus.CORRUPT
    assert len(counted_reads) == 2


def test_concurrent_verifications_read_once(tmp_path: Path, counted_reads: list[Path]) -> None:
    write(tmp_path, {"events": {"s1": [{"id": "e"}] * 1000}})
    catalog = SnapshotCatalog(tmp_path)
    catalog.refresh()
    entry = catalog.entries[0]
    results: list[SnapshotRead] = []
    threads = [
        threading.Thread(target=lambda: results.append(catalog.verify(entry))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(counted_reads) == 1
    assert {result.status for result in results} == {SnapshotStatus.VALID}


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("snapshot-broken-01-truncated-gzip.json.gz", SnapshotStatus.CORRUPT),
        ("snapshot-broken-02-empty.json.gz", SnapshotStatus.CORRUPT),
        ("snapshot-broken-06-checksum-mismatch.json.gz", SnapshotStatus.CHECKSUM_MISMATCH),
        ("snapshot-broken-08-missing-checksum.json.gz", SnapshotStatus.CORRUPT),
    ],
)
def test_verdicts_on_the_original_broken_files(
    tmp_path: Path, name: str, status: SnapshotStatus
) -> None:
    shutil.copy(FIXTURES / "broken" / name, tmp_path / name)
    catalog = SnapshotCatalog(tmp_path)
    catalog.refresh()
    assert catalog.verify(catalog.entries[0]).status is status


def test_helper_process_gives_the_same_verdicts(tmp_path: Path) -> None:
    for folder in ("basic", "broken", "fallback"):
        for source in (FIXTURES / folder).iterdir():
            shutil.copy(source, tmp_path / source.name)
    in_process = SnapshotCatalog(tmp_path, offload_bytes=None)
    helper = SnapshotCatalog(tmp_path, offload_bytes=0)
    in_process.refresh()
    helper.refresh()
    try:
        for entry in in_process.entries:
            assert helper.verify(entry) == in_process.verify(entry), entry.name
    finally:
        helper.close()


def test_closed_catalog_refuses_to_start_a_helper(tmp_path: Path) -> None:
    write(tmp_path, {})
    catalog = SnapshotCatalog(tmp_path, offload_bytes=0)
    catalog.refresh()
    catalog.close()
    with pytest.raises(CatalogClosedError):
        catalog.verify(catalog.entries[0])


def test_load_gives_the_data_records_the_verdict_and_keeps_no_copy(
    tmp_path: Path, counted_reads: list[Path]
) -> None:
    write(tmp_path, {"sessions": [{"id": "s1"}]})
    catalog = SnapshotCatalog(tmp_path)
    catalog.refresh()
    entry = catalog.entries[0]

    loaded = catalog.load(entry)

    assert loaded.data == {"sessions": [{"id": "s1"}]}
    assert catalog.verify(entry).status is SnapshotStatus.VALID
    assert len(counted_reads) == 1
    assert catalog.load(entry) is not loaded  # read again: nothing kept the first one
    assert len(counted_reads) == 2


async def test_watch_reports_new_and_deleted_files_but_not_temp_files(tmp_path: Path) -> None:
    catalog = SnapshotCatalog(tmp_path)
    catalog.refresh()
    stream = catalog.watch()
    first = asyncio.ensure_future(anext(stream))
    written: list[Path] = []
    # The watcher starts inside the first `anext`: write until it has seen a file.
    for attempt in range(100):
        (tmp_path / f"{TEMP_PREFIX}{attempt}").write_bytes(b"partial")
        written.append(write(tmp_path, {"sessions": []}, attempt))
        done, _ = await asyncio.wait({first}, timeout=0.05)
        if done:
            break
    changes = first.result()
    assert changes
    assert {change.kind for change in changes} == {CatalogChangeKind.ADDED}
    assert {change.name for change in changes} <= {path.name for path in written}

    second = asyncio.ensure_future(anext(stream))
    for path in written:
        path.unlink()
    deleted = await asyncio.wait_for(second, timeout=5)
    names = {change.name for change in deleted}
    while names != {path.name for path in written}:
        names |= {change.name for change in await asyncio.wait_for(anext(stream), timeout=5)}
    assert all(change.kind is CatalogChangeKind.DELETED for change in deleted)
    await stream.aclose()

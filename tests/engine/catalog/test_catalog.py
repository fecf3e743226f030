"""The directory catalog: stat-only listing, change events, cached verdicts, the watcher."""

from __future__ import annotations

import os
import queue
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import statesnap.engine.catalog.content_verdicts
from statesnap.engine import (
    SnapshotRead,
    SnapshotStatus,
    SnapshotTime,
    TimeSource,
    js_dumps,
    read_snapshot,
    write_snapshot_file,
)
from statesnap.engine.catalog.catalog import SnapshotCatalog
from statesnap.engine.catalog.records import (
    CatalogChangeKind,
    CatalogClosedError,
    CatalogEntry,
    CatalogUpdate,
    DirectoryState,
)
from statesnap.engine.directory.files import TEMP_PREFIX

from tests.support.node_bridge import FIXTURES

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

    monkeypatch.setattr(statesnap.engine.catalog.content_verdicts, "read_snapshot", counting)
    yield seen


def test_lists_newest_first_with_stat_only(tmp_path: Path, counted_reads: list[Path]) -> None:
    old = write(tmp_path, {"sessions": []}, 0)
    new = write(tmp_path, {"sessions": []}, 5)
    catalog = SnapshotCatalog(tmp_path)

    changes = catalog.refresh()

    assert [entry.name for entry in catalog.entries] == [new.name, old.name]
    assert {change.kind for change in changes} == {CatalogChangeKind.ADDED}
    assert catalog.entries[0].size == new.stat().st_size
    assert catalog.entries[0].time().moment == T0 + timedelta(minutes=5)
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
    assert catalog.entries[0].time() == SnapshotTime(
        T0 + timedelta(hours=1), TimeSource.MODIFIED, None, None
    )


def test_missing_directory_lists_as_empty(tmp_path: Path) -> None:
    catalog = SnapshotCatalog(tmp_path / "absent")
    assert catalog.refresh() == ()
    assert catalog.entries == ()


def test_temp_files_and_other_names_are_never_listed(tmp_path: Path) -> None:
    path = write(tmp_path, {}, 0)
    (tmp_path / f"{TEMP_PREFIX}123-abc").write_bytes(b"partial")
    (tmp_path / f"{TEMP_PREFIX}snapshot-x.json.gz").write_bytes(b"partial")
    (tmp_path / "notes.json").write_bytes(b"{}")
    catalog = SnapshotCatalog(tmp_path)
    catalog.refresh()
    assert [entry.name for entry in catalog.entries] == [path.name]


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


def held_verify(
    monkeypatch: pytest.MonkeyPatch, held: set[str], release: threading.Event
) -> list[str]:
    """Make `verify` wait for `release` on the files named in `held`; return the names it
    was asked for, in order."""
    asked: list[str] = []
    verify = SnapshotCatalog.verify

    def holding(catalog: SnapshotCatalog, entry: CatalogEntry) -> SnapshotRead:
        asked.append(entry.name)
        if entry.name in held:
            release.wait(10)
        return verify(catalog, entry)

    monkeypatch.setattr(SnapshotCatalog, "verify", holding)
    return asked


def test_verify_in_batches_gathers_quick_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for minute in range(40):
        write(tmp_path, {"sessions": []}, minute)
    catalog = SnapshotCatalog(tmp_path)
    catalog.refresh()
    release = threading.Event()
    asked = held_verify(monkeypatch, {entry.name for entry in catalog.entries[:2]}, release)
    threading.Timer(0.2, release.set).start()  # the rest queue up behind the first two

    batches = list(catalog.verify_in_batches(catalog.entries, batch_s=1.0))

    assert asked[:2] == [entry.name for entry in catalog.entries[:2]]  # newest first
    assert len(batches) < 5
    verdicts = [verdict for batch in batches for verdict in batch]
    assert sorted(entry.name for entry, _ in verdicts) == sorted(asked)
    assert len(verdicts) == 40
    assert all(read.status is SnapshotStatus.VALID for _, read in verdicts)
    assert all(catalog.cached(entry) for entry in catalog.entries)


def test_verify_in_batches_does_not_hold_back_for_a_slow_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for minute in range(5):
        write(tmp_path, {"sessions": []}, minute)
    catalog = SnapshotCatalog(tmp_path)
    catalog.refresh()
    slow = catalog.entries[0]
    release = threading.Event()
    held_verify(monkeypatch, {slow.name}, release)
    batches = catalog.verify_in_batches(catalog.entries, batch_s=0.05)

    first = next(batches)  # comes while the slow file is still being read

    assert slow not in {entry for entry, _ in first}
    release.set()
    rest = [entry for batch in batches for entry, _ in batch]
    assert {entry for entry, _ in first} | set(rest) == set(catalog.entries)


def test_closing_verify_in_batches_drops_the_files_not_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for minute in range(20):
        write(tmp_path, {"sessions": []}, minute)
    catalog = SnapshotCatalog(tmp_path)
    catalog.refresh()
    release = threading.Event()
    asked = held_verify(monkeypatch, {entry.name for entry in catalog.entries[1:]}, release)
    batches = catalog.verify_in_batches(catalog.entries, threads=2)

    assert [entry.name for entry, _ in next(batches)] == [catalog.entries[0].name]
    batches.close()
    release.set()

    assert len(asked) <= 3  # the one done, the two being read when it closed


class Follower:
    """`catalog.follow()` in a thread, its updates in a queue."""

    def __init__(self, catalog: SnapshotCatalog, recheck_s: float) -> None:
        self.catalog = catalog
        self.stop = threading.Event()
        self.updates: queue.Queue[CatalogUpdate] = queue.Queue()
        self._thread = threading.Thread(target=self._follow, args=(recheck_s,))
        self._thread.start()

    def _follow(self, recheck_s: float) -> None:
        for update in self.catalog.follow(self.stop, recheck_s=recheck_s):
            self.updates.put(update)

    def until(self, state: DirectoryState, *paths: Path) -> CatalogUpdate:
        """The first update in `state` after which the catalog lists just these files,
        skipping any others; fails after 5 s."""
        deadline = time.monotonic() + 5
        while True:
            update = self.updates.get(timeout=max(0.0, deadline - time.monotonic()))
            listed = {entry.name for entry in self.catalog.entries}
            if update.state is state and listed == {path.name for path in paths}:
                return update

    def close(self) -> None:
        self.stop.set()
        self._thread.join(5)
        assert not self._thread.is_alive()


Follow = Callable[..., Follower]


@pytest.fixture
def follow() -> Iterator[Follow]:
    """Start following a catalog (looking afresh every `recheck_s`); stopped after the test."""
    followers: list[Follower] = []

    def start(catalog: SnapshotCatalog, recheck_s: float = 0.1) -> Follower:
        followers.append(Follower(catalog, recheck_s))
        return followers[-1]

    yield start
    for follower in followers:
        follower.close()


def test_follow_reports_new_and_deleted_files_as_they_happen(
    tmp_path: Path, follow: Follow
) -> None:
    """With no fresh look for a minute, changes can only come from the watch."""
    follower = follow(SnapshotCatalog(tmp_path), recheck_s=60)
    assert follower.updates.get(timeout=5) == CatalogUpdate(DirectoryState.LISTED)
    written: list[Path] = []
    # The watch starts after the first update: write until it has seen a file.
    for attempt in range(100):
        (tmp_path / f"{TEMP_PREFIX}{attempt}").write_bytes(b"partial")
        written.append(write(tmp_path, {"sessions": []}, attempt))
        if not follower.updates.empty():
            break
        time.sleep(0.05)
    added = follower.updates.get(timeout=5)
    assert {change.kind for change in added.changes} == {CatalogChangeKind.ADDED}
    assert {change.name for change in added.changes} <= {path.name for path in written}

    for path in written:
        path.unlink()
    deleted = follower.until(DirectoryState.LISTED)
    assert {change.kind for change in deleted.changes} == {CatalogChangeKind.DELETED}


def test_follow_waits_for_a_directory_deleted_and_made_again(
    tmp_path: Path, follow: Follow
) -> None:
    directory = tmp_path / "snaps"
    directory.mkdir()
    old = write(directory, {"sessions": []}, 0)
    follower = follow(SnapshotCatalog(directory))
    follower.until(DirectoryState.LISTED, old)

    shutil.rmtree(directory)
    gone = follower.until(DirectoryState.MISSING)
    assert [(change.kind, change.name) for change in gone.changes] == [
        (CatalogChangeKind.DELETED, old.name)
    ]

    directory.mkdir()
    new = write(directory, {"sessions": []}, 1)
    follower.until(DirectoryState.LISTED, new)
    newer = write(directory, {"sessions": []}, 2)  # and it is watched again
    follower.until(DirectoryState.LISTED, new, newer)


def test_follow_moves_to_a_directory_put_in_the_place_of_the_old_one(
    tmp_path: Path, follow: Follow
) -> None:
    directory = tmp_path / "snaps"
    directory.mkdir()
    old = write(directory, {"sessions": []}, 0)
    follower = follow(SnapshotCatalog(directory))
    follower.until(DirectoryState.LISTED, old)

    directory.rename(tmp_path / "snaps.old")
    directory.mkdir()
    new = write(directory, {"sessions": []}, 1)
    follower.until(DirectoryState.LISTED, new)

    write(tmp_path / "snaps.old", {"sessions": []}, 2)  # the old one no longer counts
    newer = write(directory, {"sessions": []}, 3)
    follower.until(DirectoryState.LISTED, new, newer)


def test_follow_says_why_a_directory_cannot_be_read_and_recovers(
    tmp_path: Path, follow: Follow
) -> None:
    directory = tmp_path / "snaps"
    directory.mkdir()
    first = write(directory, {"sessions": []}, 0)
    catalog = SnapshotCatalog(directory)
    follower = follow(catalog)
    follower.until(DirectoryState.LISTED, first)
    verdict = catalog.verify(catalog.entries[0])

    directory.rename(tmp_path / "aside")
    directory.write_bytes(b"a file where the directory was")
    unreadable = follower.until(DirectoryState.UNREADABLE)
    assert unreadable.problem == "Not a directory"
    assert unreadable.changes == ()

    directory.unlink()
    (tmp_path / "aside").rename(directory)
    back = follower.until(DirectoryState.LISTED, first)
    assert [change.kind for change in back.changes] == [CatalogChangeKind.ADDED]
    assert catalog.cached(catalog.entries[0]) == verdict  # the same file: not read again


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a directory whatever its mode")
def test_follow_waits_for_permission_to_read(tmp_path: Path, follow: Follow) -> None:
    directory = tmp_path / "snaps"
    directory.mkdir()
    first = write(directory, {"sessions": []}, 0)
    follower = follow(SnapshotCatalog(directory))
    follower.until(DirectoryState.LISTED, first)
    try:
        directory.chmod(0)
        assert follower.until(DirectoryState.UNREADABLE).problem == "Permission denied"
    finally:
        directory.chmod(0o700)
    follower.until(DirectoryState.LISTED, first)


def test_rescan_says_what_it_found_and_can_forget_verdicts(tmp_path: Path) -> None:
    catalog = SnapshotCatalog(tmp_path / "snaps")
    assert catalog.rescan() == CatalogUpdate(DirectoryState.MISSING)
    (tmp_path / "snaps").mkdir()
    path = write(tmp_path / "snaps", {"sessions": []}, 0)
    assert [change.name for change in catalog.rescan().changes] == [path.name]
    entry = catalog.entries[0]
    assert catalog.verify(entry).is_valid

    # Changed in place, with the same size and time: a listing cannot tell.
    info = path.stat()
    with open(path, "r+b") as handle:
        handle.seek(-9, os.SEEK_END)
        handle.write(b"\0" * 8)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert catalog.rescan() == CatalogUpdate(DirectoryState.LISTED)
    cached = catalog.cached(entry)
    assert cached is not None and cached.is_valid

    assert catalog.rescan(forget_verdicts=True) == CatalogUpdate(DirectoryState.LISTED)
    assert catalog.cached(entry) is None
    assert not catalog.verify(entry).is_valid

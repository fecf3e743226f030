"""SnapshotService under faults: kill -9 at random moments of a saving process, and the Nth
file operation failing (ENOSPC, EIO, EACCES), once or for good.

Whatever happens: every file under a final name loads in the original, the newest restores,
earlier snapshots are untouched, no partial file is left, no exception reaches the host's
periodic loop, and the next save after the fault succeeds.
"""

from __future__ import annotations

import asyncio
import errno
import os
import random
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from statesnap.engine import (
    MemoryStorage,
    RollbackNotSavedError,
    SnapshotService,
    generate_state,
    js_dumps,
    list_snapshot_names,
    read_snapshot,
)
from statesnap.engine.directory import files as snapshot_dir
from statesnap.engine.directory.files import TEMP_PREFIX

from tests.support.node_bridge import js_verify
from tests.support.processes import Child

ERRNOS = (errno.ENOSPC, errno.EIO, errno.EACCES)


def final_files(directory: Path) -> list[Path]:
    return [directory / name for name in list_snapshot_names(directory)]


def temp_files(directory: Path) -> list[str]:
    return [name for name in os.listdir(directory) if name.startswith(TEMP_PREFIX)]


# -- kill -9 ------------------------------------------------------------------------------


def _kill_moment(directory: Path, rng: random.Random, round_number: int, seen: set[str]) -> None:
    """Wait for the moment of the kill: a save of this round done and a random delay after
    it, or (every other round) a temp file appearing, i.e. a save in the middle of writing,
    plus a random fraction of a millisecond."""
    deadline = time.monotonic() + 10.0
    if round_number % 2 == 0:
        while set(list_snapshot_names(directory)) <= seen:
            assert time.monotonic() < deadline, "no save completed"
            time.sleep(0.001)
        time.sleep(rng.uniform(0.0, 0.2))
        return
    while not temp_files(directory):  # a tight poll: the write lasts a few milliseconds
        assert time.monotonic() < deadline, "no save in progress seen"
    time.sleep(rng.uniform(0.0, 0.001))


def test_kill_9_at_random_moments_leaves_only_whole_files(tmp_path: Path) -> None:
    """A process saving ~1 MB in a loop, killed at random moments, half of them while a file
    is being written: every final-name file verifies, and the newest restores."""
    directory = tmp_path / "snaps"
    checked = tmp_path / "checked"  # every final file seen, kept for one js_verify at the end
    checked.mkdir()
    rng = random.Random(20261126)
    temps_left = 0
    for round_number in range(12):
        child = Child("save-loop", str(directory), "1000000")
        try:
            child.expect("ready")
            _kill_moment(directory, rng, round_number, {p.name for p in checked.iterdir()})
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
        assert child.process.returncode == -signal.SIGKILL
        temps_left += len(temp_files(directory))
        files = final_files(directory)
        assert files, "no snapshot was written"
        for path in files:
            if not (checked / path.name).exists():
                shutil.copy2(path, checked / path.name)
        newest = read_snapshot(files[0])
        assert newest.is_valid, newest.reason
        restored = MemoryStorage()
        service = SnapshotService(restored, directory)
        assert service.load_latest_snapshot() and service.restored_from == files[0].name
        assert service.skipped == []
        assert js_dumps(restored.snapshot_data()) == js_dumps(newest.data)
        service.close()
        assert temp_files(directory) == []  # restore swept what the crash left
    assert temps_left > 0  # some kills did land mid-write
    seen = sorted(checked.iterdir())
    assert len(seen) >= 6 and all(js_verify(*seen))  # a new file in every other round at least


# -- the Nth file operation fails ----------------------------------------------------------


class FaultyOs:
    """`os` for `statesnap.engine.directory.files`,
    with `operation` failing on its Nth call (and, when
    persistent, on every call after)."""

    def __init__(self, operation: str, nth: int, error: int, *, persistent: bool) -> None:
        self.real = os
        self.operation = operation
        self.nth = nth
        self.error = error
        self.persistent = persistent
        self.calls = 0
        self.fired = 0

    def __getattr__(self, name: str) -> Any:
        if name == self.operation:
            return self._call
        return getattr(self.real, name)

    def _call(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == self.nth or (self.persistent and self.calls > self.nth):
            self.fired += 1
            raise OSError(self.error, os.strerror(self.error))
        return getattr(self.real, self.operation)(*args, **kwargs)


def snapshot_bytes(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in final_files(directory)}


async def run_case(
    directory: Path,
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
    nth: int,
    error: int,
    *,
    persistent: bool,
) -> list[Path]:
    storage = MemoryStorage()
    storage.load_data(generate_state(30_000, seed=nth))
    service = SnapshotService(storage, directory, max_snapshots=50)
    await service.save_snapshot_async()
    await service.save_snapshot_async()
    before = snapshot_bytes(directory)
    faulty = FaultyOs(operation, nth, error, persistent=persistent)
    monkeypatch.setattr(snapshot_dir, "os", faulty)
    outcomes = []
    for counter in range(4):
        storage.set_entry("frequencies", "counter", counter)
        outcomes.append(await service.save_periodic())  # never raises
    monkeypatch.setattr(snapshot_dir, "os", os)
    label = f"{operation} #{nth} {errno.errorcode[error]} persistent={persistent}"
    assert faulty.fired, f"{label}: the fault never fired"
    failures = [outcome for outcome in outcomes if not outcome.ok]
    assert failures, label
    assert all(os.strerror(error) in (outcome.error or "") for outcome in failures), label
    if persistent:
        first = outcomes.index(failures[0])
        assert all(not outcome.ok for outcome in outcomes[first:]), label
    else:
        assert len(failures) == 1 and outcomes[-1].ok, label
    # earlier snapshots untouched, no temp file, nothing partial under a final name
    after = snapshot_bytes(directory)
    assert {name: after.get(name) for name in before} == before, label
    assert temp_files(directory) == [], label
    for path in final_files(directory):
        assert read_snapshot(path).is_valid, f"{label}: {path.name}"
    # and the next save succeeds, holding the current state
    storage.set_entry("frequencies", "counter", "after")
    result = await service.save_periodic()
    assert result.ok and result.path is not None, label
    assert read_snapshot(result.path).data == storage.snapshot_data()
    assert service.last_save is result
    return final_files(directory)


@pytest.mark.parametrize("persistent", [False, True], ids=["once", "persistent"])
@pytest.mark.parametrize("operation", ["open", "write", "fsync", "link"])
async def test_nth_file_operation_failing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, operation: str, persistent: bool
) -> None:
    """Per save: open #1 the temp file, #2 the directory after the link (to fsync it);
    fsync #1 the file, #2 the directory; one write and one link. Later numbers fall in the
    next save."""
    checked: list[Path] = []
    for nth in (1, 2, 3):
        for error in ERRNOS:
            directory = tmp_path / f"{operation}-{nth}-{error}"
            checked += await run_case(
                directory, monkeypatch, operation, nth, error, persistent=persistent
            )
    assert all(js_verify(*checked))


async def test_manual_save_raises_and_leaves_files_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = MemoryStorage()
    storage.load_data(generate_state(10_000, seed=4))
    service = SnapshotService(storage, tmp_path / "snaps")
    first = service.save_snapshot()
    before = first.read_bytes()
    monkeypatch.setattr(snapshot_dir, "os", FaultyOs("write", 1, errno.ENOSPC, persistent=True))
    with pytest.raises(OSError, match="No space left on device"):
        service.save_snapshot()
    with pytest.raises(OSError, match="No space left on device"):
        await service.save_snapshot_async()
    assert service.last_save is not None and not service.last_save.ok
    assert final_files(tmp_path / "snaps") == [first] and first.read_bytes() == before
    assert temp_files(tmp_path / "snaps") == []


async def test_the_periodic_loop_survives_persistent_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = MemoryStorage()
    storage.load_data(generate_state(10_000, seed=5))
    directory = tmp_path / "snaps"
    service = SnapshotService(storage, directory, interval_s=0.01, max_snapshots=3)
    first = service.save_snapshot()
    monkeypatch.setattr(snapshot_dir, "os", FaultyOs("fsync", 1, errno.EIO, persistent=True))

    def failures() -> int:
        return sum(
            1
            for entry in storage.telemetry_entries()
            if isinstance(entry, dict) and "snapshot failed" in str(entry.get("message"))
        )

    storage.set_entry("frequencies", "changed", 1)  # so the next periodic save writes
    service.start()
    try:
        await poll(lambda: failures() >= 5, "five failed periodic saves")
        assert service.status().running  # the loop is still alive
        assert final_files(directory) == [first]
        monkeypatch.setattr(snapshot_dir, "os", os)
        await poll(
            lambda: service.last_save is not None and service.last_save.ok,
            "a successful periodic save",
        )
    finally:
        await service.stop()
    last = service.last_save
    assert last is not None and last.path is not None and last.reason == "periodic"
    assert read_snapshot(last.path).is_valid
    assert all(js_verify(*final_files(directory)))


async def poll(condition: Callable[[], bool], what: str, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.005)


async def test_a_value_that_cannot_be_serialized_fails_the_save_not_the_host(
    tmp_path: Path,
) -> None:
    storage = MemoryStorage()
    storage.load_data(generate_state(10_000, seed=6))
    service = SnapshotService(storage, tmp_path / "snaps")
    first = await service.save_snapshot_async()
    storage.set_entry("frequencies", "bad", {"value": object()})
    result = await service.save_periodic()
    assert not result.ok and result.error
    assert final_files(tmp_path / "snaps") == [first]
    storage.delete_entry("frequencies", "bad")
    storage.set_entry("frequencies", "good", 1)
    assert (await service.save_periodic()).ok


def test_short_writes_still_give_whole_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class ShortWrites:
        def __getattr__(self, name: str) -> Any:
            return getattr(os, name)

        def write(self, fd: int, data: Any) -> int:
            return os.write(fd, bytes(data[: max(1, len(data) // 3)]))

    storage = MemoryStorage()
    storage.load_data(generate_state(50_000, seed=7))
    monkeypatch.setattr(snapshot_dir, "os", ShortWrites())
    path = SnapshotService(storage, tmp_path / "snaps").save_snapshot()
    assert read_snapshot(path).data == storage.snapshot_data()
    assert js_verify(path) == [True]


@pytest.fixture
def rolled_state(tmp_path: Path) -> tuple[MemoryStorage, SnapshotService, Path]:
    """A service whose snapshot holds session `old`, and whose live state also holds `new`."""
    storage = MemoryStorage()
    storage.set_session({"id": "old"})
    service = SnapshotService(storage, tmp_path / "snaps")
    old = service.save_snapshot()
    storage.set_session({"id": "new"})
    return storage, service, old


async def test_a_roll_back_whose_undo_point_cannot_be_saved_changes_nothing(
    rolled_state: tuple[MemoryStorage, SnapshotService, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    storage, service, old = rolled_state
    monkeypatch.setattr(snapshot_dir, "os", FaultyOs("link", 1, errno.ENOSPC, persistent=True))
    with pytest.raises(OSError, match="No space left on device"):
        await service.rollback_async(old.name)
    assert [s["id"] for s in storage.list_sessions()] == ["old", "new"]
    assert not service.can_undo


async def test_a_roll_back_whose_result_cannot_be_saved_says_it_is_live(
    rolled_state: tuple[MemoryStorage, SnapshotService, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    storage, service, old = rolled_state
    monkeypatch.setattr(snapshot_dir, "os", FaultyOs("link", 2, errno.ENOSPC, persistent=True))
    with pytest.raises(RollbackNotSavedError, match="in memory"):
        service.rollback(old.name)
    assert [s["id"] for s in storage.list_sessions()] == ["old"]
    assert service.can_undo
    monkeypatch.undo()
    service.undo_rollback()
    assert [s["id"] for s in storage.list_sessions()] == ["old", "new"]

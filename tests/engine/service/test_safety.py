"""The service deletes only through its own rotation, and never the files a user still needs:
the newest, the last roll-back's files, a held file; an undo happens once; one service per
directory; nothing is written after the final snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from statesnap.engine import (
    DirectoryInUseError,
    MemoryStorage,
    NothingToUndoError,
    ServiceClosedError,
    SnapshotService,
    js_dumps,
    list_snapshot_names,
    write_snapshot_file,
)


def storage_with(sessions: int) -> MemoryStorage:
    storage = MemoryStorage()
    for index in range(sessions):
        storage.set_session({"id": f"s{index}"})
    return storage


@pytest.fixture
def six(tmp_path: Path) -> tuple[Path, list[str]]:
    directory = tmp_path / "snaps"
    directory.mkdir(mode=0o700)
    for index in range(6):
        write_snapshot_file(directory, js_dumps({"sessions": [{"id": f"old{index}"}]}))
    return directory, list_snapshot_names(directory)


def test_rotation_keeps_the_last_rollbacks_files_and_undo_happens_once(
    six: tuple[Path, list[str]],
) -> None:
    directory, names = six
    service = SnapshotService(storage_with(2), directory, max_snapshots=2, rollback_grace_s=0)
    try:
        first = service.rollback(names[-2])
        second = service.rollback(names[-1])
        assert set(names) < set(list_snapshot_names(directory))  # roll-backs delete nothing
        assert service.status().last_rollback == second

        undone = service.undo_rollback()
        files = list_snapshot_names(directory)
        with pytest.raises(NothingToUndoError, match="already undone"):
            service.undo_rollback()
        assert list_snapshot_names(directory) == files
        assert service.status().last_rollback is None and not service.can_undo

        newest = service.save_snapshot()
        kept = {names[-1], second.undo_point.name, undone.undo_point.name}
        assert set(service.status().kept) == kept
        assert set(list_snapshot_names(directory)) == {newest.name, undone.after.name} | kept
        assert first.undo_point.name not in list_snapshot_names(directory)
    finally:
        service.close()


def test_for_a_while_after_a_rollback_every_file_listed_then_is_kept(
    six: tuple[Path, list[str]],
) -> None:
    directory, names = six
    service = SnapshotService(storage_with(2), directory, max_snapshots=1)
    try:
        service.rollback(names[2])
        service.save_snapshot()
        service.save_snapshot()
        assert set(names) < set(list_snapshot_names(directory))
        assert set(names) <= set(service.status().kept)
        assert service.status().rollback_grace_s == 900
    finally:
        service.close()


def test_nothing_to_undo_before_any_rollback(six: tuple[Path, list[str]]) -> None:
    directory, names = six
    service = SnapshotService(storage_with(1), directory)
    with pytest.raises(NothingToUndoError, match="no roll-back since the server started"):
        service.undo_rollback()
    assert list_snapshot_names(directory) == names


def test_a_held_file_survives_rotation_until_let_go(six: tuple[Path, list[str]]) -> None:
    directory, names = six
    service = SnapshotService(storage_with(1), directory, max_snapshots=1)
    try:
        service.hold(names[-1], 60)
        service.save_snapshot()
        assert names[-1] in list_snapshot_names(directory)
        assert len(list_snapshot_names(directory)) == 2
        service.hold(names[-1], 0)
        service.save_snapshot()
        assert len(list_snapshot_names(directory)) == 1
    finally:
        service.close()


def test_one_service_per_directory(tmp_path: Path) -> None:
    first = SnapshotService(storage_with(1), tmp_path / "snaps")
    second = SnapshotService(storage_with(1), tmp_path / "snaps")
    first.save_snapshot()
    with pytest.raises(DirectoryInUseError, match=r"another statesnap server \(pid \d+\)"):
        second.load_latest_snapshot()
    with pytest.raises(DirectoryInUseError):
        second.save_snapshot()
    assert len(list_snapshot_names(tmp_path / "snaps")) == 1
    first.close()
    assert second.load_latest_snapshot()
    second.close()


async def test_nothing_is_written_after_the_final_snapshot(tmp_path: Path) -> None:
    service = SnapshotService(storage_with(3), tmp_path / "snaps")
    service.claim_directory()
    final = await service.shutdown()
    assert final is not None and final.ok and final.reason == "shutdown"
    with pytest.raises(ServiceClosedError):
        service.save_snapshot()
    periodic = await service.save_periodic()
    assert not periodic.ok
    assert list_snapshot_names(tmp_path / "snaps") == [final.path.name if final.path else ""]

"""Writing snapshot files: atomic, durable, private, never clobbering, rotated safely."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from statesnap.engine import (
    MemoryStorage,
    SnapshotDirError,
    SnapshotService,
    ensure_snapshot_dir,
    js_dumps,
    list_snapshot_names,
    promote_snapshot,
    read_snapshot,
    rotation_victims,
    sweep_temp_files,
    write_snapshot_file,
)
from statesnap.engine.directory.files import TEMP_PREFIX, rotate_snapshots

from tests.support.damaged_files import DAMAGES, damage
from tests.support.node_bridge import js_verify

TRICKY = {
    "sessions": [{"id": "s-1", "cwd": "/home/ana/[bold]x[/]", "n": 1.0, "big": 2**60}],
    "events": {"s-1": [{"v": 1e21, "w": 1.5e-7, "z": -0.0, "t": "\x1b[31m\u202e\ud800"}]},
    "frequencies": {"10": 1, "2": 2, "b": 3, "01": 4},
    "telemetryEntries": [],
    "universeGraph": {"regions": [], "nested": [[[[{"deep": True}]]]]},
}


@pytest.fixture
def snapdir(tmp_path: Path) -> Path:
    return ensure_snapshot_dir(tmp_path / "snaps")


def test_written_file_loads_in_the_original_and_reads_back(snapdir: Path) -> None:
    data_json = js_dumps(TRICKY)
    path, encoded = write_snapshot_file(snapdir, data_json)
    assert js_verify(path) == [True]
    found = read_snapshot(path)
    assert found.is_valid
    assert found.expected_checksum == encoded.checksum
    assert js_dumps(found.data) == data_json
    assert encoded.data_size == len(data_json)


def test_private_modes_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        directory = ensure_snapshot_dir(tmp_path / "a" / "snaps")
        path, _ = write_snapshot_file(directory, b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_existing_open_directory_is_made_private(tmp_path: Path) -> None:
    directory = tmp_path / "snaps"
    directory.mkdir(mode=0o755)
    ensure_snapshot_dir(directory)
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700


def test_symlinked_directory_is_refused(tmp_path: Path) -> None:
    real = ensure_snapshot_dir(tmp_path / "real")
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(SnapshotDirError):
        ensure_snapshot_dir(link)
    with pytest.raises(SnapshotDirError):
        write_snapshot_file(link, b"{}")
    assert os.listdir(real) == []


def test_names_are_unique_within_one_millisecond_and_in_time_order(snapdir: Path) -> None:
    moment = datetime(2026, 2, 10, 12, 48, 10, 123000, tzinfo=UTC)
    paths = [write_snapshot_file(snapdir, js_dumps({"n": i}), moment)[0] for i in range(5)]
    assert len({p.name for p in paths}) == 5
    assert list_snapshot_names(snapdir) == sorted((p.name for p in paths), reverse=True)
    assert paths[0].name == "snapshot-2026-02-10T12-48-10-123Z.json.gz"
    assert paths[-1].name == "snapshot-2026-02-10T12-48-10-127Z.json.gz"
    assert [read_snapshot(p).data for p in paths] == [{"n": i} for i in range(5)]
    assert all(js_verify(*paths))


def test_clock_going_backwards_still_sorts_newest_last(snapdir: Path) -> None:
    late = datetime(2030, 1, 1, tzinfo=UTC)
    early = datetime(2020, 1, 1, tzinfo=UTC)
    write_snapshot_file(snapdir, b"[1]", late)
    second, _ = write_snapshot_file(snapdir, b"[2]", early)
    assert list_snapshot_names(snapdir)[0] == second.name


def test_temp_files_are_invisible_and_swept(snapdir: Path) -> None:
    write_snapshot_file(snapdir, b"{}")
    stale = snapdir / f"{TEMP_PREFIX}999-abc"
    stale.write_bytes(b"partial")
    assert all(not name.startswith(TEMP_PREFIX) for name in list_snapshot_names(snapdir))
    assert sweep_temp_files(snapdir) == [stale.name]
    assert not stale.exists()


def test_rotation_keeps_the_newest_and_never_the_protected_one(snapdir: Path) -> None:
    paths = [write_snapshot_file(snapdir, js_dumps([i]))[0] for i in range(5)]
    deleted = rotate_snapshots(snapdir, 2, protect=[paths[0].name])
    assert {p.name for p in deleted} == {paths[1].name, paths[2].name}
    assert set(list_snapshot_names(snapdir)) == {paths[0].name, paths[3].name, paths[4].name}


def test_rotation_leaves_foreign_names_alone(snapdir: Path) -> None:
    (snapdir / "snapshot-mine.json.gz").write_bytes(b"user file")
    for i in range(3):
        write_snapshot_file(snapdir, js_dumps([i]))
    rotate_snapshots(snapdir, 1)
    assert (snapdir / "snapshot-mine.json.gz").exists()


def test_rotation_victims_skip_protected_and_undated_names() -> None:
    listed = [
        "snapshot-2026-01-01T00-00-05-000Z.json.gz",
        "snapshot-2026-01-01T00-00-04-000Z.json.gz",
        "snapshot-2026-01-01T00-00-03-000Z.json.gz",
        "snapshot-2026-01-01T00-00-02-000Z.json.gz",
        "snapshot-mine.json.gz",
    ]
    assert rotation_victims(listed, 1, {listed[2]}) == [listed[1], listed[3]]
    assert rotation_victims(listed, 0) == listed[:4]
    assert rotation_victims(listed, 9) == []


def test_promote_writes_the_old_state_as_newest_and_deletes_nothing(snapdir: Path) -> None:
    first, _ = write_snapshot_file(snapdir, js_dumps({"v": "old"}))
    for i in range(6):
        write_snapshot_file(snapdir, js_dumps({"v": i}))
    before = set(list_snapshot_names(snapdir))
    promoted = promote_snapshot(snapdir, first.name)
    assert list_snapshot_names(snapdir)[0] == promoted.name
    assert set(list_snapshot_names(snapdir)) == before | {promoted.name}
    assert read_snapshot(promoted).data == {"v": "old"}


@pytest.mark.parametrize("how", sorted(DAMAGES))
def test_a_damaged_file_whose_data_reads_is_neither_promoted_nor_restored(
    snapdir: Path, how: str
) -> None:
    older, _ = write_snapshot_file(snapdir, js_dumps({"sessions": [{"id": "old"}]}))
    newer, _ = write_snapshot_file(snapdir, js_dumps({"sessions": [{"id": "new"}]}))
    status = damage(newer, how)

    with pytest.raises(ValueError, match="cannot be restored") as refused:
        promote_snapshot(snapdir, newer.name)
    assert str(refused.value).count(status.value) == 1
    storage = MemoryStorage()
    service = SnapshotService(storage, snapdir)
    assert service.load_latest_snapshot() and service.restored_from == older.name
    assert storage.get_session("old") is not None
    assert [skipped.name for skipped in service.skipped] == [newer.name]


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "snapshot-nope.json.gz", ""])
def test_promote_accepts_only_listed_names(snapdir: Path, name: str) -> None:
    write_snapshot_file(snapdir, b"{}")
    with pytest.raises(ValueError, match="not a snapshot"):
        promote_snapshot(snapdir, name)


def test_names_that_are_not_timestamps_list_after_every_timestamped_one(snapdir: Path) -> None:
    (snapdir / "snapshot-mine.json.gz").write_bytes(b"parked copy")
    written, _ = write_snapshot_file(snapdir, b"{}")
    assert list_snapshot_names(snapdir) == [written.name, "snapshot-mine.json.gz"]

"""Pinned restore points on real files: copies, names, statuses, atomicity, and rotation."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from statesnap.engine import (
    MemoryStorage,
    PinError,
    SnapshotService,
    SnapshotStatus,
    js_dumps,
    list_pins,
    list_snapshot_names,
    pin,
    pin_path,
    read_snapshot,
    unpin,
    write_snapshot_file,
)
from statesnap.engine.travel import pins as pins_module

from tests.support.damaged_files import damage


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    path = tmp_path / "snaps"
    path.mkdir(mode=0o700)
    for index in range(3):
        write_snapshot_file(path, js_dumps({"sessions": [{"id": f"s{index}"}]}))
    return path


def test_a_pin_is_a_private_byte_copy_the_listing_never_sees(directory: Path) -> None:
    name = list_snapshot_names(directory)[-1]
    made = pin(directory, name, "before-migration")
    copy = pin_path(directory, "before-migration")
    assert copy == made.path and copy.read_bytes() == (directory / name).read_bytes()
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(directory / ".statesnap-pins").st_mode) == 0o700
    assert name in list_snapshot_names(directory) and len(list_snapshot_names(directory)) == 3
    original_rule = [n for n in os.listdir(directory) if n.startswith("snapshot-")]
    assert sorted(original_rule) == sorted(list_snapshot_names(directory))
    (listed,) = list_pins(directory)
    assert (listed.name, listed.source, listed.status) == (
        "before-migration",
        name,
        SnapshotStatus.VALID,
    )
    assert listed.size == copy.stat().st_size and listed.timestamp is not None


@pytest.mark.parametrize("bad", ["", "a/b", "..", ".hidden", "x" * 65, "a b", "é", "-x"])
def test_pin_names_are_checked(directory: Path, bad: str) -> None:
    with pytest.raises(PinError, match="pin names are 1 to 64"):
        pin(directory, list_snapshot_names(directory)[0], bad)
    assert not (directory / ".statesnap-pins").exists()


def test_an_existing_pin_is_kept_unless_replaced(directory: Path) -> None:
    first, second = list_snapshot_names(directory)[:2]
    pin(directory, first, "keep")
    with pytest.raises(PinError, match="a pin named 'keep' exists"):
        pin(directory, second, "keep")
    assert list_pins(directory)[0].source == first
    pin(directory, second, "keep", replace=True)
    assert [p.source for p in list_pins(directory)] == [second]
    assert os.listdir(directory / ".statesnap-pins") == ["keep"]


def test_only_valid_listed_snapshots_can_be_pinned(directory: Path) -> None:
    name = list_snapshot_names(directory)[0]
    damage(directory / name, "checksum changed")
    with pytest.raises(PinError, match="cannot be pinned: checksum_mismatch"):
        pin(directory, name, "bad")
    with pytest.raises(PinError, match="is not a snapshot in"):
        pin(directory, "../elsewhere.json.gz", "bad")
    assert list_pins(directory) == []


def test_a_failed_write_leaves_no_pin_and_no_staging(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(folder: Path, parts: tuple[bytes, ...]) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pins_module, "write_temp", failing)
    with pytest.raises(OSError, match="No space"):
        pin(directory, list_snapshot_names(directory)[0], "full")
    assert os.listdir(directory / ".statesnap-pins") == []


def test_unpin_deletes_only_that_pin(directory: Path) -> None:
    names = list_snapshot_names(directory)
    pin(directory, names[0], "one")
    pin(directory, names[1], "two")
    gone = unpin(directory, "one")
    assert gone.name == names[0]
    assert [p.name for p in list_pins(directory)] == ["two"]
    assert list_snapshot_names(directory) == names
    with pytest.raises(PinError, match="no pin named 'one'"):
        unpin(directory, "one")
    with pytest.raises(PinError, match="no pin named"):
        pin_path(directory, "nothing")


def test_a_damaged_pin_is_listed_with_its_verdict(directory: Path) -> None:
    pin(directory, list_snapshot_names(directory)[0], "p")
    damage(pin_path(directory, "p"), "version 2")
    (found,) = list_pins(directory)
    assert found.status is SnapshotStatus.UNSUPPORTED_VERSION and not found.is_valid


def storage_with(sessions: int) -> MemoryStorage:
    storage = MemoryStorage()
    for index in range(sessions):
        storage.set_session({"id": f"live{index}"})
    return storage


def test_rotation_never_touches_a_pin(directory: Path) -> None:
    oldest = list_snapshot_names(directory)[-1]
    pinned = pin(directory, oldest, "safe")
    content: Any = pinned.path.read_bytes()
    service = SnapshotService(storage_with(2), directory, max_snapshots=1, rollback_grace_s=0)
    try:
        for _ in range(3):
            service.storage.set_session({"id": f"more{len(list_snapshot_names(directory))}"})
            service.save_snapshot()
    finally:
        service.close()
    assert oldest not in list_snapshot_names(directory)
    assert len(list_snapshot_names(directory)) <= 2
    assert pin_path(directory, "safe").read_bytes() == content
    assert read_snapshot(pin_path(directory, "safe")).is_valid


def test_a_replace_that_fails_keeps_the_old_pin(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = list_snapshot_names(directory)[:2]
    pin(directory, first, "keep")
    real_rename = os.rename

    def failing(source: Path, target: Path) -> None:
        if Path(target).name == "keep" and (Path(source) / second).exists():
            raise OSError(5, "Input/output error")
        real_rename(source, target)

    monkeypatch.setattr(pins_module.os, "rename", failing)
    with pytest.raises(OSError, match="Input/output"):
        pin(directory, second, "keep", replace=True)
    monkeypatch.undo()
    assert [p.source for p in list_pins(directory)] == [first]
    assert os.listdir(directory / ".statesnap-pins") == ["keep"]

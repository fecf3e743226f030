"""The service and the verdict store: every file it writes has its verdict recorded (the very
verdict a full read gives it), and a restore of a file whose exact bytes are known valid skips
the JavaScript-exactness proof, but never for other bytes or a forged entry."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
from pathlib import Path
from typing import Any

import pytest
import statesnap.engine.format.snapshot_reading
from statesnap.engine import (
    MemoryStorage,
    SnapshotService,
    generate_state,
    list_snapshot_names,
    read_snapshot,
)
from statesnap.engine.catalog.content_verdicts import judge, recorded_verdict
from statesnap.engine.catalog.verdict_codec import verdict_json
from statesnap.engine.catalog.verdict_store import VerdictStore
from statesnap.engine.service.saving import TakenState

from tests.support.damaged_files import damage

MAX = 1 << 30

AWKWARD: dict[str, dict[str, Any]] = {
    "generated": generate_state(200_000, seed=3),
    "floats and index keys": {
        "sessions": [{"id": "s", "n": [1e21, 1e-7, 0.1 + 0.2, -0.0, 5e-324, 1.5e300]}],
        "custom": {"b": 1, "10": 2, "2": 3, "-1": 4, "01": 5, "4294967295": 6, "x": {"1": 0}},
    },
    "text": {"sessions": [{"id": 'é\u2028\ud800 \x00\x1f"\\/<script>', "emoji": "🧪"}]},
    "empty": {},
}


def service_on(directory: Path, data: dict[str, Any] | None = None) -> SnapshotService:
    storage = MemoryStorage()
    if data is not None:
        storage.load_data(data)
    return SnapshotService(storage, directory)


@pytest.mark.parametrize("name", AWKWARD)
def test_the_verdict_recorded_at_save_is_the_full_reads(name: str, tmp_path: Path) -> None:
    service = service_on(tmp_path / "snaps", AWKWARD[name])
    try:
        written = service.save_snapshot()
        written_async = asyncio.run(service.save_snapshot_async())
    finally:
        service.close()
    store = VerdictStore()
    for path in (written, written_async):
        expected = read_snapshot(path, keep_data=False)
        assert recorded_verdict(store, path, MAX) == expected
        assert expected.is_valid


def test_a_roll_back_records_both_files_it_writes(tmp_path: Path) -> None:
    directory = tmp_path / "snaps"
    service = service_on(directory, {"sessions": [{"id": "a"}]})
    try:
        target = service.save_snapshot()
        service.storage.set_session({"id": "b"})  # type: ignore[attr-defined]
        result = service.rollback(target.name)
    finally:
        service.close()
    store = VerdictStore()
    for path in (result.undo_point, result.after):
        assert recorded_verdict(store, path, MAX) == read_snapshot(path, keep_data=False)


def _no_proof(*_: Any) -> str:
    raise AssertionError("the JavaScript-exactness proof ran")


def test_restoring_its_own_file_skips_the_proof(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "snaps"
    data = generate_state(100_000, seed=5)
    writer = service_on(directory, data)
    try:
        writer.save_snapshot()
        expected = writer.storage.snapshot_data()  # type: ignore[attr-defined]
    finally:
        writer.close()
    monkeypatch.setattr(statesnap.engine.format.snapshot_reading, "_data_checksum_of", _no_proof)

    reader = service_on(directory)
    try:
        assert reader.load_latest_snapshot()
        assert reader.storage.snapshot_data() == expected  # type: ignore[attr-defined]
    finally:
        reader.close()


def test_other_bytes_of_the_same_size_and_mtime_are_proven(tmp_path: Path) -> None:
    directory = tmp_path / "snaps"
    service = service_on(directory, {"sessions": [{"id": "a"}]})
    try:
        older = service.save_snapshot()
        service.storage.set_session({"id": "b"})  # type: ignore[attr-defined]
        newer = service.save_snapshot()
    finally:
        service.close()
    before = os.stat(newer)
    raw = bytearray(newer.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    with open(newer, "r+b") as handle:
        handle.write(raw)
    os.utime(newer, ns=(before.st_atime_ns, before.st_mtime_ns))

    found, _, known = judge(newer, max_bytes=MAX, keep_data=False, trusted=VerdictStore())
    assert not known and not found.is_valid
    reader = service_on(directory)
    try:
        assert reader.load_latest_snapshot()
        assert reader.restored_from == older.name
    finally:
        reader.close()


def test_a_forged_valid_verdict_does_not_restore_a_damaged_file(tmp_path: Path) -> None:
    directory = tmp_path / "snaps"
    service = service_on(directory, {"sessions": [{"id": "a"}]})
    try:
        older = service.save_snapshot()
        newer = service.save_snapshot()
    finally:
        service.close()
    valid = read_snapshot(newer, keep_data=False)
    damage(newer, "checksum changed")
    digest = hashlib.sha256(newer.read_bytes()).digest()
    store = VerdictStore()
    payload = verdict_json(valid)
    mac = hmac.new(os.urandom(32), digest + payload, hashlib.sha256).hexdigest().encode()
    entry = store.directory / "verdicts" / digest.hex()
    entry.write_bytes(mac + b"\n" + payload)
    entry.chmod(0o600)

    reader = service_on(directory)
    try:
        assert reader.load_latest_snapshot()
        assert reader.restored_from == older.name
        assert [skipped.status for skipped in reader.skipped] == ["checksum_mismatch"]
    finally:
        reader.close()
    assert sorted(list_snapshot_names(directory)) == sorted([older.name, newer.name])


def test_a_periodic_save_records_and_a_skipped_one_keeps_no_bytes(tmp_path: Path) -> None:
    service = service_on(tmp_path / "snaps", {"sessions": [{"id": "a"}]})
    try:
        saved = asyncio.run(service.save_periodic())
        skipped = asyncio.run(service.save_periodic())
        writer = service._writer
    finally:
        service.close()
    assert saved.path is not None and skipped.skipped_unchanged
    assert recorded_verdict(VerdictStore(), saved.path, MAX) == read_snapshot(
        saved.path, keep_data=False
    )
    assert not [held for held in vars(writer).values() if isinstance(held, bytes | TakenState)]

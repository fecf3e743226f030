"""The verdict store: a verdict reused only for the exact bytes it was reached on (by SHA-256,
whatever the file's size and mtime say), signed with the user's key (a forged or edited entry
is refused and dropped), private, bounded, safe with several processes, never in the way."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import statesnap.engine.catalog.content_verdicts
from statesnap.engine import SnapshotRead, SnapshotStatus, js_dumps, read_snapshot
from statesnap.engine.catalog.content_verdicts import (
    file_digest,
    judge,
    judge_and_record,
    recorded_verdict,
    verdict_of,
)
from statesnap.engine.catalog.verdict_codec import verdict_json
from statesnap.engine.catalog.verdict_store import VerdictStore, cache_dir
from statesnap.engine.directory.files import write_snapshot_file

from tests.support.damaged_files import damage
from tests.support.node_bridge import FIXTURES

MAX = 1 << 30
ORIGINALS = sorted(path for folder in ("basic", "broken") for path in (FIXTURES / folder).iterdir())


def write(directory: Path, data: dict[str, Any]) -> Path:
    directory.mkdir(exist_ok=True)
    path, _ = write_snapshot_file(directory, js_dumps(data))
    return path


def digest_of(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


@pytest.fixture
def counted_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file judged in full in this process."""
    seen: list[Path] = []

    def counting(path: Path, **options: Any) -> SnapshotRead:
        seen.append(path)
        return read_snapshot(path, **options)

    monkeypatch.setattr(statesnap.engine.catalog.content_verdicts, "read_snapshot", counting)
    return seen


def test_the_store_lives_in_the_users_cache_dir(private_cache: Path) -> None:
    assert cache_dir() == private_cache / "statesnap"
    assert VerdictStore().directory == private_cache / "statesnap"


def test_a_verdict_is_reused_for_the_same_bytes(tmp_path: Path, counted_reads: list[Path]) -> None:
    path = write(tmp_path / "snaps", {"sessions": [{"id": "a"}]})
    store = VerdictStore()
    first = verdict_of(path, max_bytes=MAX, store=store)
    copy = tmp_path / "elsewhere.json.gz"
    shutil.copy(path, copy)

    again = verdict_of(path, max_bytes=MAX, store=VerdictStore())
    elsewhere = verdict_of(copy, max_bytes=MAX, store=VerdictStore())

    assert counted_reads == [path]
    assert first == again == read_snapshot(path, keep_data=False)
    assert first.is_valid and first.counts == {"sessions": 1}
    assert elsewhere == replace(first, path=copy)


def test_other_bytes_of_the_same_size_and_mtime_get_a_fresh_verdict(tmp_path: Path) -> None:
    path = write(tmp_path / "snaps", {"sessions": [{"id": "a"}]})
    store = VerdictStore()
    assert verdict_of(path, max_bytes=MAX, store=store).is_valid
    before = os.stat(path)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01  # the deflate stream, in place: same size, same inode
    with open(path, "r+b") as handle:
        handle.write(raw)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )

    assert recorded_verdict(store, path, MAX) is None
    fresh = verdict_of(path, max_bytes=MAX, store=store)
    assert not fresh.is_valid
    assert fresh == read_snapshot(path, keep_data=False)


def test_a_verdict_forged_without_the_key_is_refused_and_dropped(tmp_path: Path) -> None:
    path = write(tmp_path / "snaps", {"sessions": [{"id": "a"}]})
    store = VerdictStore()
    valid = verdict_of(path, max_bytes=MAX, store=store)
    assert damage(path, "checksum changed") is SnapshotStatus.CHECKSUM_MISMATCH
    digest = digest_of(path)
    entry = store.directory / "verdicts" / digest.hex()
    payload = verdict_json(valid)
    forged_mac = hmac.new(b"\0" * 32, digest + payload, hashlib.sha256).hexdigest().encode()
    entry.write_bytes(forged_mac + b"\n" + payload)
    entry.chmod(0o600)

    assert store.lookup(digest, path, MAX) is None
    assert not entry.exists()
    found = verdict_of(path, max_bytes=MAX, store=store)
    assert found.status is SnapshotStatus.CHECKSUM_MISMATCH
    assert not judge(path, max_bytes=MAX, keep_data=True, trusted=store)[2]


def test_an_edited_or_moved_entry_is_refused(tmp_path: Path) -> None:
    good = write(tmp_path / "snaps", {"sessions": [{"id": "a"}]})
    bad = tmp_path / "bad.json.gz"
    shutil.copy(good, bad)
    damage(bad, "version 2")
    store = VerdictStore()
    verdict_of(good, max_bytes=MAX, store=store)
    verdict_of(bad, max_bytes=MAX, store=store)
    entries = store.directory / "verdicts"
    good_entry, bad_entry = entries / digest_of(good).hex(), entries / digest_of(bad).hex()

    content = bad_entry.read_bytes()
    bad_entry.write_bytes(content.replace(b'"unsupported_version"', b'"valid"'))
    assert store.lookup(digest_of(bad), bad, MAX) is None  # edited

    os.replace(good_entry, bad_entry)  # a valid verdict, under another file's hash
    assert store.lookup(digest_of(bad), bad, MAX) is None
    assert verdict_of(bad, max_bytes=MAX, store=store).status is SnapshotStatus.UNSUPPORTED_VERSION


def test_a_key_others_could_read_is_replaced(tmp_path: Path) -> None:
    path = write(tmp_path / "snaps", {"sessions": []})
    verdict_of(path, max_bytes=MAX, store=VerdictStore())
    key = cache_dir() / "verdicts.key"
    old = key.read_bytes()
    key.chmod(0o644)

    store = VerdictStore()
    assert store.lookup(digest_of(path), path, MAX) is None  # signed with a key now retired
    assert key.read_bytes() != old
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_the_store_is_private(tmp_path: Path, private_cache: Path) -> None:
    os.umask(0o022)
    path = write(tmp_path / "snaps", {"sessions": []})
    verdict_of(path, max_bytes=MAX, store=VerdictStore())
    root = cache_dir()
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE((root / "verdicts").stat().st_mode) == 0o700
    files = [root / "verdicts.key", *(root / "verdicts").iterdir()]
    assert len(files) == 2
    assert {stat.S_IMODE(file.stat().st_mode) for file in files} == {0o600}

    root.chmod(0o755)  # made readable by someone: made private again on next use
    VerdictStore().record(b"\1" * 32, read_snapshot(path, keep_data=False))
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


def test_the_snapshot_directory_gets_no_new_file(tmp_path: Path) -> None:
    directory = tmp_path / "snaps"
    path = write(directory, {"sessions": []})
    before = sorted(os.listdir(directory))
    store = VerdictStore()
    verdict_of(path, max_bytes=MAX, store=store)
    verdict_of(path, max_bytes=MAX, store=store)
    judge_and_record(path, max_bytes=MAX, keep_data=True, store=store)
    assert sorted(os.listdir(directory)) == before


@pytest.mark.parametrize("source", ORIGINALS, ids=lambda path: path.name)
def test_the_originals_files_keep_their_verdicts(source: Path, tmp_path: Path) -> None:
    path = tmp_path / source.name
    shutil.copy(source, path)
    expected = read_snapshot(path, keep_data=False)
    store = VerdictStore()
    assert verdict_of(path, max_bytes=MAX, store=store) == expected
    assert verdict_of(path, max_bytes=MAX, store=store) == expected
    found, _, known = judge(path, max_bytes=MAX, keep_data=True, trusted=store)
    assert replace(found, data=None) == expected
    assert known == expected.is_valid


def test_a_verdict_is_not_reused_under_a_smaller_limit(tmp_path: Path) -> None:
    path = write(tmp_path / "snaps", {"sessions": [{"id": "x" * 5000}]})
    store = VerdictStore()
    assert verdict_of(path, max_bytes=MAX, store=store).is_valid
    small = verdict_of(path, max_bytes=1000, store=store)
    assert small.status is SnapshotStatus.TOO_LARGE
    assert small == read_snapshot(path, max_bytes=1000, keep_data=False)
    assert verdict_of(path, max_bytes=MAX, store=store).is_valid


def test_the_store_is_bounded_least_recently_used_first(tmp_path: Path) -> None:
    path = write(tmp_path / "snaps", {"sessions": []})
    verdict = read_snapshot(path, keep_data=False)
    store = VerdictStore(max_entries=5)
    digests = [bytes([index]) * 32 for index in range(12)]
    for index, digest in enumerate(digests):
        store.record(digest, verdict)
        os.utime(store.directory / "verdicts" / digest.hex(), (index, index))
        if index == 3:
            store.lookup(digests[0], path, MAX)  # used: kept
            os.utime(store.directory / "verdicts" / digests[0].hex(), (100, 100))
    names = set(os.listdir(store.directory / "verdicts"))
    assert len(names) == 5
    assert digests[0].hex() in names and digests[-1].hex() in names

    by_bytes = VerdictStore(max_bytes=3000)
    for digest in digests:
        by_bytes.record(digest, verdict)
    sizes = [entry.stat().st_size for entry in (by_bytes.directory / "verdicts").iterdir()]
    assert 0 < sum(sizes) <= 3000


def test_a_broken_cache_is_never_an_error(tmp_path: Path, private_cache: Path) -> None:
    path = write(tmp_path / "snaps", {"sessions": []})
    expected = read_snapshot(path, keep_data=False)
    (private_cache / "statesnap").write_bytes(b"not a directory")
    assert verdict_of(path, max_bytes=MAX, store=VerdictStore()) == expected

    (private_cache / "statesnap").unlink()
    store = VerdictStore()
    verdict_of(path, max_bytes=MAX, store=store)
    entry = store.directory / "verdicts" / digest_of(path).hex()
    for junk in (b"", b"\n", b"garbage", b"\xff" * 70000):
        entry.write_bytes(junk)
        assert verdict_of(path, max_bytes=MAX, store=VerdictStore()) == expected
    (store.directory / "verdicts.key").write_bytes(b"short")
    assert verdict_of(path, max_bytes=MAX, store=VerdictStore()) == expected


def test_no_hash_for_what_is_not_a_regular_file(tmp_path: Path) -> None:
    path = write(tmp_path / "snaps", {"sessions": []})
    link = tmp_path / "link.json.gz"
    link.symlink_to(path)
    os.mkfifo(tmp_path / "fifo")
    assert file_digest(path) == digest_of(path)
    assert file_digest(link) is None
    assert file_digest(tmp_path / "fifo") is None
    assert file_digest(tmp_path / "missing") is None
    found = verdict_of(link, max_bytes=MAX, store=VerdictStore())
    assert found.reason == "refused: a symbolic link"


_WRITER = """
import sys
from pathlib import Path
from statesnap.engine import read_snapshot
from statesnap.engine.catalog.verdict_store import VerdictStore
path, worker = Path(sys.argv[1]), int(sys.argv[2])
verdict = read_snapshot(path, keep_data=False)
store = VerdictStore(max_entries=40)
for round in range(60):
    digest = bytes([worker, round % 50]) * 16
    store.record(digest, verdict)
    found = store.lookup(digest, path, 1 << 30)
    assert found is None or found == verdict, found
"""


def test_processes_record_and_read_at_once(tmp_path: Path) -> None:
    path = write(tmp_path / "snaps", {"sessions": [{"id": "a"}]})
    workers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(worker)])
        for worker in range(4)
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0, 0, 0]
    store = VerdictStore(max_entries=40)
    names = os.listdir(store.directory / "verdicts")
    assert 0 < len(names) <= 40 + 4  # each writer evicts after its own record
    expected = read_snapshot(path, keep_data=False)
    for name in names:
        assert store.lookup(bytes.fromhex(name), path, MAX) == expected
    assert json.loads(gzip.decompress(path.read_bytes()))["version"] == 1

"""Verdicts by content: a file's recorded verdict found by hashing its bytes as they stream by,
a file judged with the hash of the very bytes judged (and its verdict recorded), and the
verdict on a file this project wrote, recorded from what it wrote.

The hash is always taken from the bytes, every time: nothing here trusts a file's name, size
or modification time to say its content did not change.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from statesnap.engine.catalog.verdict_store import VerdictStore
from statesnap.engine.format.snapshot_reading import (
    SnapshotRead,
    SnapshotStatus,
    read_snapshot,
    read_snapshot_bytes,
)

__all__ = [
    "HASH_CHUNK",
    "file_digest",
    "judge",
    "judge_and_record",
    "judge_bytes_and_record",
    "record_written",
    "recorded_verdict",
    "verdict_of",
]

HASH_CHUNK = 1 << 20
"""Bytes read at a time to hash a file (the file is never held whole)."""


def file_digest(path: Path) -> bytes | None:
    """The SHA-256 of a regular file's bytes, read a chunk at a time; None for a symbolic
    link, anything but a regular file, or a file that cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb", buffering=0) as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            content = hashlib.sha256()
            chunk = bytearray(HASH_CHUNK)
            view = memoryview(chunk)
            while count := handle.readinto(chunk):
                content.update(view[:count])  # releases the GIL: files hash in parallel
            return content.digest()
    except OSError:
        return None


def recorded_verdict(store: VerdictStore, path: Path, max_bytes: int) -> SnapshotRead | None:
    """The verdict recorded for the file's current bytes, if any (see `VerdictStore.lookup`)."""
    digest = file_digest(path)
    return None if digest is None else store.lookup(digest, path, max_bytes)


def verdict_of(
    path: Path, *, max_bytes: int, store: VerdictStore | None, trust: bool = True
) -> SnapshotRead:
    """The verdict on the file without its data: the one recorded for its current bytes
    (with `trust`), else judged here and recorded."""
    if store is not None and trust:
        known = recorded_verdict(store, path, max_bytes)
        if known is not None:
            return known
    return judge_and_record(path, max_bytes=max_bytes, keep_data=False, store=store, trust=trust)


class _Tap:
    """Told the bytes `read_snapshot` judges: takes their hash and, with a store to trust,
    says whether those bytes are known to be valid."""

    def __init__(self, path: Path, max_bytes: int, trusted: VerdictStore | None) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.trusted = trusted
        self.digest: bytes | None = None
        self.known = False

    def __call__(self, raw: bytes) -> bool:
        self.digest = hashlib.sha256(raw).digest()
        if self.trusted is not None:
            found = self.trusted.lookup(self.digest, self.path, self.max_bytes)
            self.known = found is not None and found.is_valid
        return self.known


def judge(
    path: Path, *, max_bytes: int, keep_data: bool, trusted: VerdictStore | None = None
) -> tuple[SnapshotRead, bytes | None, bool]:
    """`read_snapshot(path)`, with the SHA-256 of the bytes it judged (None if it read none)
    and whether `trusted` knew them to be valid: then the proof that the data is what
    `JSON.stringify` prints is skipped (the data is still read, and everything else checked)."""
    tap = _Tap(path, max_bytes, trusted)
    found = read_snapshot(path, max_bytes=max_bytes, keep_data=keep_data, known_valid=tap)
    return found, tap.digest, tap.known


def judge_and_record(
    path: Path, *, max_bytes: int, keep_data: bool, store: VerdictStore | None, trust: bool = True
) -> SnapshotRead:
    """Judge the file (as `judge`, trusting `store` if `trust`) and record its verdict in
    `store` under the hash of the bytes judged. Without a store, plain `read_snapshot`."""
    found, digest, known = judge(
        path, max_bytes=max_bytes, keep_data=keep_data, trusted=store if trust else None
    )
    return _recorded(store, digest, known, found)


def judge_bytes_and_record(
    raw: bytes, path: Path, *, max_bytes: int, keep_data: bool, store: VerdictStore | None
) -> SnapshotRead:
    """`judge_and_record` for a file's bytes already read (`read_snapshot_bytes`)."""
    tap = _Tap(path, max_bytes, store)
    found = read_snapshot_bytes(
        raw, path, max_bytes=max_bytes, keep_data=keep_data, known_valid=tap
    )
    return _recorded(store, tap.digest, tap.known, found)


def _recorded(
    store: VerdictStore | None, digest: bytes | None, known: bool, found: SnapshotRead
) -> SnapshotRead:
    """`found`, recorded in `store` under `digest` unless the store knew it already."""
    if store is not None and digest is not None and not known:
        store.record(digest, found)
    return found


def _gzip_isize(parts: Sequence[bytes]) -> int | None:
    """The uncompressed size mod 2**32 a gzip file's last four bytes hold."""
    tail = parts[-1][-4:] if parts else b""
    return int.from_bytes(tail, "little") if len(tail) == 4 else None


def record_written(
    store: VerdictStore,
    path: Path,
    parts: Sequence[bytes],
    *,
    data_size: int,
    timestamp: str,
    checksum: str,
    counts: dict[str, int],
) -> None:
    """Record the verdict on a file this project just wrote, from what it wrote: the gzip
    bytes `parts` of a v1 file holding `data_size` bytes of data (JavaScript-exact, their MD5
    `checksum`) at `timestamp`, whose data has `counts`. That file is valid; this is the verdict
    `read_snapshot` gives it, without reading it back."""
    isize = _gzip_isize(parts)
    if isize is None:
        return
    content = hashlib.sha256()
    for part in parts:
        content.update(part)
    found = SnapshotRead(
        path,
        SnapshotStatus.VALID,
        "checksum matches",
        size=sum(len(part) for part in parts),
        # the JSON is the data and a header of less than 4 GiB: its size mod 2**32 says which
        json_bytes=data_size + (isize - data_size) % (1 << 32),
        timestamp=timestamp,
        version=1,
        expected_checksum=checksum,
        actual_checksum=checksum,
        counts=counts,
    )
    store.record(content.digest(), found)

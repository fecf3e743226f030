"""The verdict on a snapshot file: `read_snapshot` judges any input as the original loader would.

It classifies every file (valid, checksum mismatch, corrupt, unsupported version, too large)
with a reason in words, keeps the data of any file whose JSON parsed (a damaged file can still
be looked at, read-only), and never raises for what the file holds.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from statesnap.engine.format.js_exactness import may_differ_from_javascript
from statesnap.engine.format.js_reader import js_loads
from statesnap.engine.format.js_writer import js_dumps, orjson_dumps
from statesnap.engine.format.jsjson_limits import JSONInputError
from statesnap.engine.format.node_gunzip import GzipRejected, gunzip_fast, gunzip_zlib
from statesnap.engine.format.schema import map_counts
from statesnap.engine.format.snapshot_encoding import data_checksum, worker_pool

__all__ = [
    "DEFAULT_MAX_BYTES",
    "KnownValid",
    "SnapshotRead",
    "SnapshotStatus",
    "format_size",
    "read_snapshot",
    "read_snapshot_bytes",
]

DEFAULT_MAX_BYTES = 1 << 30


class SnapshotStatus(StrEnum):
    """The verdict on one file."""

    VALID = "valid"
    CHECKSUM_MISMATCH = "checksum_mismatch"
    CORRUPT = "corrupt"
    UNSUPPORTED_VERSION = "unsupported_version"
    TOO_LARGE = "too_large"


@dataclass(frozen=True)
class SnapshotRead:
    """What reading one snapshot file found.

    `data` is the file's `data` value whenever its JSON parsed and has one (and it was read
    with `keep_data`), whatever the verdict: a damaged file can still be looked at, read-only.
    Only a valid file's data may be restored.
    """

    path: Path
    status: SnapshotStatus
    reason: str
    size: int = 0
    json_bytes: int = 0
    timestamp: str | None = None
    version: Any = None
    expected_checksum: str | None = None
    actual_checksum: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    data: Any = field(default=None, repr=False, compare=False)

    @property
    def is_valid(self) -> bool:
        return self.status is SnapshotStatus.VALID

    @property
    def data_object(self) -> dict[str, Any] | None:
        """`data` if it is an object (maps by name): what can be browsed, compared and exported,
        valid or not."""
        return self.data if isinstance(self.data, dict) else None

    @property
    def unreadable_reason(self) -> str | None:
        """Why there is no data object to look at, in words (`corrupt: not gzip data`, `its
        data is not a JSON object`); None if there is one. (For a read that kept its data.)"""
        if self.data_object is not None:
            return None
        if self.is_valid or self.data is not None:
            return "its data is not a JSON object"
        return self.summary

    @property
    def summary(self) -> str:
        """The verdict and its reason in one phrase, the status said once:
        `checksum mismatch: file says …, data hashes to …`, `corrupt: truncated gzip data`."""
        return f"{self.status.value}: {self.reason}"


def format_size(count: int) -> str:
    """A byte count for people: `512 B`, `2.1 KiB`, `118.0 MiB`, `1.0 GiB`."""
    value = float(count)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            return f"{count} B" if count < 1024 else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def _decode_utf8(text: bytes) -> tuple[bytes, str | None]:
    """The text as Node decodes it (invalid sequences become U+FFFD), and a note if it had to."""
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as exc:
        note = f"invalid UTF-8 at byte {exc.start}"
        return text.decode("utf-8", "replace").encode("utf-8"), note
    return text, None


_CANONICAL_HEAD = re.compile(
    rb'\{"version":1,"timestamp":"[^"\\]*","checksum":"[0-9a-f]{32}","data":'
)


@dataclass(frozen=True)
class _BesideParse:
    """Work that releases the GIL, run in other threads while a file laid out as the original
    writes it is parsed: the MD5 of its `data` bytes as they stand (`text[start:end]`), and
    their scan for where orjson's text may differ from JavaScript's (`differs`)."""

    text: bytes
    start: int
    end: int
    md5: Future[str]
    differs: Future[bool]


_T = TypeVar("_T")


_BESIDE_BYTES = 4 << 20
"""Data at least this large is hashed and scanned in other threads; smaller data in the
reading thread (both release the GIL, so other readers parse meanwhile), where handing work
to a thread and waiting for it to begin would cost more than the work."""


def _beside(work: Callable[[memoryview], _T], data: memoryview) -> Future[_T]:
    """`work(data)`: for large data in another thread, returned once it has begun (the parse
    that follows holds the GIL throughout, and work that had not begun would wait for the
    parse to end); for small data done at once."""
    if len(data) < _BESIDE_BYTES:
        done: Future[_T] = Future()
        done.set_result(work(data))
        return done
    begun = threading.Event()

    def run() -> _T:
        begun.set()
        return work(data)

    future = worker_pool().submit(run)
    begun.wait()
    return future


def _start_beside_parse(text: bytes) -> _BesideParse | None:
    """Start the work beside the parse; None for a file not laid out as the original writes
    it (its data is re-serialized and hashed after the parse)."""
    head = _CANONICAL_HEAD.match(text)
    if head is None or not text.endswith(b"}"):
        return None
    start, end = head.end(), len(text) - 1
    data_bytes = memoryview(text)[start:end]
    md5 = _beside(data_checksum, data_bytes)
    return _BesideParse(text, start, end, md5, _beside(may_differ_from_javascript, data_bytes))


def _data_checksum_of(data: Any, beside: _BesideParse | None) -> str:
    """MD5 of `JSON.stringify(data)`: the hash of the file's own `data` bytes where they are
    provably what JavaScript prints for the parsed value (orjson prints the same bytes and
    none of them is where orjson and JavaScript differ), else of the exact re-serialization."""
    if beside is not None:
        fast = orjson_dumps(data)
        if (
            fast is not None
            and len(fast) == beside.end - beside.start
            and beside.text.startswith(fast, beside.start)
            and not beside.differs.result()
        ):
            return beside.md5.result()
    return data_checksum(js_dumps(data))


def _is_version_one(version: Any) -> bool:
    return not isinstance(version, bool) and isinstance(version, int | float) and version == 1


KnownValid = Callable[[bytes], bool]
"""Told a file's exact bytes as read: True if those very bytes are known to be a valid
snapshot (judged before, by their content hash). Then the proof that the data is what
`JSON.stringify` prints is skipped; everything else is read and checked as always."""


def read_snapshot_bytes(
    raw: bytes,
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    keep_data: bool = True,
    known_valid: KnownValid | None = None,
) -> SnapshotRead:
    """Judge a file's bytes as the original loader would; never raises for their content.

    They are read as Node reads them (zlib), except bytes `known_valid`, which isal reads
    faster (the same bytes zlib read before and found valid: its reading cannot have changed).
    Reading with isal and confirming with zlib beside the parse costs more on two cores: the
    parse would share them with zlib, MD5 and the scan."""
    proven = known_valid is not None and known_valid(raw)
    try:
        text = gunzip_fast(raw, max_bytes) if proven else gunzip_zlib(raw, max_bytes)
    except GzipRejected as rejected:
        return _gzip_rejection(path, rejected, len(raw), max_bytes)
    beside = None if proven else _start_beside_parse(text)
    return _judge_text(text, path, len(raw), beside, keep_data, proven=proven)


def _gzip_rejection(path: Path, rejected: GzipRejected, size: int, max_bytes: int) -> SnapshotRead:
    if rejected.too_large:
        reason = f"decompresses to more than {format_size(max_bytes)}"
        return SnapshotRead(path, SnapshotStatus.TOO_LARGE, reason, size=size)
    return SnapshotRead(path, SnapshotStatus.CORRUPT, rejected.reason, size=size)


def _judge_text(
    text: bytes,
    path: Path,
    size: int,
    beside: _BesideParse | None,
    keep_data: bool,
    *,
    proven: bool = False,
) -> SnapshotRead:
    """The verdict on a file whose gzip data reads as `text`."""
    json_bytes = len(text)
    utf8_note: str | None = None

    def verdict(status: SnapshotStatus, reason: str, **fields: Any) -> SnapshotRead:
        if utf8_note and status is not SnapshotStatus.VALID:
            reason = f"{utf8_note}; {reason}"
        return SnapshotRead(path, status, reason, size=size, json_bytes=json_bytes, **fields)

    try:
        doc = js_loads(text)  # orjson checks the UTF-8 as it parses
    except JSONInputError as exc:
        replaced, utf8_note = _decode_utf8(text)
        if utf8_note is None:
            return verdict(SnapshotStatus.CORRUPT, f"not valid JSON: {exc}")
        try:
            doc = js_loads(replaced)  # as Node reads it: invalid sequences become U+FFFD
        except JSONInputError as again:
            return verdict(SnapshotStatus.CORRUPT, f"not valid JSON: {again}")
    if not isinstance(doc, dict):
        return verdict(SnapshotStatus.CORRUPT, "top level is not a JSON object")
    timestamp = doc.get("timestamp") if isinstance(doc.get("timestamp"), str) else None
    version = doc.get("version")
    checksum = doc.get("checksum")
    expected = checksum if isinstance(checksum, str) else None
    data = doc.get("data")
    known = {
        "timestamp": timestamp,
        "version": version,
        "expected_checksum": expected,
        "counts": map_counts(data),
        "data": data if keep_data else None,
    }
    if "version" not in doc:
        return verdict(SnapshotStatus.CORRUPT, 'missing "version"', **known)
    if not _is_version_one(version):
        shown = js_dumps(version).decode("utf-8", "replace")
        return verdict(
            SnapshotStatus.UNSUPPORTED_VERSION,
            f"format version {shown[:40]} is not supported (only version 1)",
            **known,
        )
    if "data" not in doc:
        return verdict(SnapshotStatus.CORRUPT, 'missing "data"', **known)
    if expected is None:
        return verdict(SnapshotStatus.CORRUPT, 'missing or non-string "checksum"', **known)
    try:
        actual = expected if proven else _data_checksum_of(data, beside)
    except (JSONInputError, TypeError) as exc:
        return verdict(SnapshotStatus.CORRUPT, str(exc), **known)
    if actual != expected:
        return verdict(
            SnapshotStatus.CHECKSUM_MISMATCH,
            f"file says {expected[:64]}, data hashes to {actual}",
            actual_checksum=actual,
            **known,
        )
    return verdict(SnapshotStatus.VALID, "checksum matches", actual_checksum=actual, **known)


def read_snapshot(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    keep_data: bool = True,
    known_valid: KnownValid | None = None,
) -> SnapshotRead:
    """Read and judge one file. A symbolic link is refused; I/O errors become `corrupt`.
    `known_valid` (see `KnownValid`) is told the bytes read, if any."""
    path = Path(path)
    try:
        # O_NONBLOCK: a FIFO under a snapshot name must not hang the reader
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        reason = "refused: a symbolic link" if exc.errno == errno.ELOOP else _os_reason(exc)
        return SnapshotRead(path, SnapshotStatus.CORRUPT, reason)
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                return SnapshotRead(path, SnapshotStatus.CORRUPT, "is a directory")
            if not stat.S_ISREG(info.st_mode):
                return SnapshotRead(path, SnapshotStatus.CORRUPT, "not a regular file")
            if info.st_size > max_bytes + (1 << 20):  # gzip never grows data by that much
                reason = f"file is larger than {format_size(max_bytes)}"
                return SnapshotRead(path, SnapshotStatus.TOO_LARGE, reason, size=info.st_size)
            raw = handle.read()
    except OSError as exc:
        return SnapshotRead(path, SnapshotStatus.CORRUPT, _os_reason(exc))
    return read_snapshot_bytes(
        raw, path, max_bytes=max_bytes, keep_data=keep_data, known_valid=known_valid
    )


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.EISDIR:
        return "is a directory"
    return f"cannot read: {exc.strerror or exc}"

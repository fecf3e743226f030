"""The snapshot directory as a live catalog: a stat-only listing, cached verdicts, a watcher.

`SnapshotCatalog.refresh()` lists the directory with `lstat` alone (instant whatever the file
sizes) and says what was added, rewritten or deleted since the previous listing. `verify()`
judges one file with `read_snapshot(keep_data=False)` and caches the verdict by (name, size,
mtime_ns, inode: an atomic replace is a new inode), so no file is read twice, even when two
threads ask at once. `load()` reads a file with its data for the caller to hold, and keeps no
copy: the data lives exactly as long as the caller holds it. A file of `offload_bytes` or more
is judged in a helper process: parsing a large file holds the GIL for a second at a time, which
would freeze every other thread of the caller (a dashboard's event loop); gunzip and MD5 alone
would not. `watch()` waits for changes with watchfiles and yields the same change events as
`refresh()`; temp files and other names never count.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import AsyncGenerator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from watchfiles import Change, awatch

from engine.jsjson import js_dumps, js_loads
from engine.snapshot_dir import TEMP_PREFIX, list_snapshot_names
from engine.snapshot_format import (
    DEFAULT_MAX_BYTES,
    SnapshotRead,
    SnapshotStatus,
    is_snapshot_name,
    read_snapshot,
    timestamp_from_name,
)

__all__ = [
    "OFFLOAD_BYTES",
    "CatalogChange",
    "CatalogChangeKind",
    "CatalogClosedError",
    "CatalogEntry",
    "SnapshotCatalog",
    "is_watched_name",
    "verify_in_helper_main",
]

OFFLOAD_BYTES = 4 << 20
"""Files this large (on disk) are verified in a helper process; smaller ones in the caller."""

_HELPER_CODE = "from engine.catalog import verify_in_helper_main; verify_in_helper_main()"

EntryKey = tuple[str, int, int, int]


@dataclass(frozen=True)
class CatalogEntry:
    """One listed file, as `lstat` saw it."""

    name: str
    size: int
    mtime_ns: int
    inode: int = 0

    @property
    def key(self) -> EntryKey:
        """What identifies this version of the file: a rewrite changes it."""
        return (self.name, self.size, self.mtime_ns, self.inode)

    @property
    def taken(self) -> datetime | None:
        """The moment the name encodes; None for a name that is not a canonical timestamp."""
        return timestamp_from_name(self.name)

    @property
    def modified(self) -> datetime:
        return datetime.fromtimestamp(self.mtime_ns / 1e9, UTC)

    @property
    def moment(self) -> datetime:
        """When the snapshot was taken: its name's time, else the file's modification time."""
        return self.taken or self.modified


class CatalogChangeKind(StrEnum):
    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"


@dataclass(frozen=True)
class CatalogChange:
    """One file that appeared, was rewritten or went away; `entry` is None once deleted."""

    kind: CatalogChangeKind
    name: str
    entry: CatalogEntry | None


class CatalogClosedError(RuntimeError):
    """The catalog was closed while a helper process was verifying a file."""


def is_watched_name(name: str) -> bool:
    """Whether a directory change to `name` can matter: a snapshot name, never a temp file."""
    return not name.startswith(TEMP_PREFIX) and is_snapshot_name(name)


def _watch_filter(_change: Change, path: str) -> bool:
    return is_watched_name(os.path.basename(path))


def _stat_entry(directory: Path, name: str) -> CatalogEntry | None:
    try:
        info = os.lstat(directory / name)
    except FileNotFoundError:
        return None
    return CatalogEntry(name, info.st_size, info.st_mtime_ns, info.st_ino)


def _newest_first(entry: CatalogEntry) -> tuple[datetime, str]:
    return (entry.moment, entry.name)


class SnapshotCatalog:
    """The snapshot files of one directory, newest first, with their verdicts."""

    def __init__(
        self,
        directory: Path,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        offload_bytes: int | None = OFFLOAD_BYTES,
    ) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.offload_bytes = offload_bytes
        self._entries: tuple[CatalogEntry, ...] = ()
        self._lock = threading.Lock()
        self._verdicts: dict[EntryKey, SnapshotRead] = {}
        self._in_flight: dict[EntryKey, threading.Event] = {}
        self._helpers: set[subprocess.Popen[bytes]] = set()
        self._closed = False

    @property
    def entries(self) -> tuple[CatalogEntry, ...]:
        """The listing as of the last `refresh()`, newest first."""
        return self._entries

    def entry(self, name: str) -> CatalogEntry | None:
        """The listed entry of that name, if any."""
        return next((entry for entry in self._entries if entry.name == name), None)

    def refresh(self) -> tuple[CatalogChange, ...]:
        """List the directory again (stat only); return what changed since the last listing.

        A missing directory lists as empty; other OSErrors (no permission, not a directory)
        propagate.
        """
        listed = (_stat_entry(self.directory, name) for name in list_snapshot_names(self.directory))
        entries = sorted(
            (entry for entry in listed if entry is not None), key=_newest_first, reverse=True
        )
        before = {entry.name: entry for entry in self._entries}
        after = {entry.name: entry for entry in entries}
        changes = [
            CatalogChange(
                CatalogChangeKind.ADDED if entry.name not in before else CatalogChangeKind.MODIFIED,
                entry.name,
                entry,
            )
            for entry in entries
            if before.get(entry.name) != entry
        ]
        changes.extend(
            CatalogChange(CatalogChangeKind.DELETED, name, None)
            for name in before
            if name not in after
        )
        self._entries = tuple(entries)
        self._forget_all_but({entry.key for entry in entries})
        return tuple(changes)

    def _forget_all_but(self, keys: set[EntryKey]) -> None:
        with self._lock:
            for key in [key for key in self._verdicts if key not in keys]:
                del self._verdicts[key]

    def cached(self, entry: CatalogEntry) -> SnapshotRead | None:
        """The verdict on this version of the file, if it has been verified."""
        with self._lock:
            return self._verdicts.get(entry.key)

    def verify(self, entry: CatalogEntry) -> SnapshotRead:
        """Judge the file (once per version: later calls, and concurrent ones, share it).

        Thread-safe. Raises CatalogClosedError if `close()` interrupts a helper process.
        """
        while True:
            with self._lock:
                if (verdict := self._verdicts.get(entry.key)) is not None:
                    return verdict
                waiting = self._in_flight.get(entry.key)
                if waiting is None:
                    done = self._in_flight[entry.key] = threading.Event()
                    break
            waiting.wait()
        try:
            verdict = self._read(entry)
            self._remember(entry, replace(verdict, data=None))
            return verdict
        finally:
            with self._lock:
                del self._in_flight[entry.key]
            done.set()

    def load(self, entry: CatalogEntry) -> SnapshotRead:
        """Read the file with its data (in this process), and record its verdict. The data is
        not kept here: a 120 MB file parses into several hundred MB of objects, which should
        go as soon as the caller lets go of them."""
        found = read_snapshot(self.directory / entry.name, max_bytes=self.max_bytes, keep_data=True)
        self._remember(entry, replace(found, data=None))
        return found

    def _remember(self, entry: CatalogEntry, verdict: SnapshotRead) -> None:
        """Cache a verdict, unless the file changed (or cannot be seen) since it was read."""
        try:
            unchanged = _stat_entry(self.directory, entry.name) == entry
        except OSError:
            unchanged = False
        if unchanged:
            with self._lock:
                self._verdicts[entry.key] = verdict

    def _read(self, entry: CatalogEntry) -> SnapshotRead:
        path = self.directory / entry.name
        if self.offload_bytes is None or entry.size < self.offload_bytes:
            return read_snapshot(path, max_bytes=self.max_bytes, keep_data=False)
        return self._read_in_helper(path)

    def _read_in_helper(self, path: Path) -> SnapshotRead:
        """`read_snapshot(path, keep_data=False)` in a fresh interpreter, so that the parse
        holds another process's GIL and its memory goes back to the system when the file is
        done. If the helper cannot run, the file is read here instead."""
        helper: subprocess.Popen[bytes] | None
        with self._lock:
            if self._closed:
                raise CatalogClosedError("catalog is closed")
            try:
                helper = subprocess.Popen(
                    [sys.executable, "-c", _HELPER_CODE, str(path), str(self.max_bytes)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env={**os.environ, "PYTHONPATH": _import_root(os.environ.get("PYTHONPATH"))},
                )
            except OSError:
                helper = None
            if helper is not None:
                self._helpers.add(helper)
        if helper is None:
            return read_snapshot(path, max_bytes=self.max_bytes, keep_data=False)
        try:
            output, _ = helper.communicate()
        finally:
            with self._lock:
                self._helpers.discard(helper)
        if self._closed:
            raise CatalogClosedError("catalog closed during verification")
        if helper.returncode == 0:
            try:
                return _verdict_from_json(path, output)
            except (ValueError, KeyError, TypeError):
                pass
        return read_snapshot(path, max_bytes=self.max_bytes, keep_data=False)

    def close(self) -> None:
        """Stop any helper process. Verdicts already cached stay readable."""
        with self._lock:
            self._closed = True
            helpers = list(self._helpers)
        for helper in helpers:
            helper.kill()

    async def watch(
        self, stop_event: Any = None
    ) -> AsyncGenerator[tuple[CatalogChange, ...], None]:
        """Yield the changes to the listing as they happen (within ~50 ms), until cancelled or
        `stop_event` (an asyncio or anyio Event) is set. Raises OSError if the directory cannot
        be watched (for instance, it does not exist)."""
        async for _batch in awatch(
            self.directory,
            watch_filter=_watch_filter,
            debounce=50,
            step=10,
            recursive=False,
            stop_event=stop_event,
        ):
            if changes := self.refresh():
                yield changes


def _import_root(python_path: str | None) -> str:
    """PYTHONPATH for the helper: where this `engine` package lives, then the caller's."""
    root = str(Path(__file__).resolve().parent.parent)
    return os.pathsep.join([root, python_path]) if python_path else root


def _verdict_json(found: SnapshotRead) -> bytes:
    return js_dumps(
        {
            "status": found.status.value,
            "reason": found.reason,
            "size": found.size,
            "json_bytes": found.json_bytes,
            "timestamp": found.timestamp,
            "version": found.version,
            "expected_checksum": found.expected_checksum,
            "actual_checksum": found.actual_checksum,
            "counts": list(found.counts.items()),
        }
    )


def _verdict_from_json(path: Path, raw: bytes) -> SnapshotRead:
    fields = js_loads(raw)
    return SnapshotRead(
        path,
        SnapshotStatus(fields["status"]),
        fields["reason"],
        size=fields["size"],
        json_bytes=fields["json_bytes"],
        timestamp=fields["timestamp"],
        version=fields["version"],
        expected_checksum=fields["expected_checksum"],
        actual_checksum=fields["actual_checksum"],
        counts=dict(fields["counts"]),
    )


def verify_in_helper_main() -> None:
    """The helper process: `argv` is PATH MAX_BYTES; stdout gets the verdict as JSON."""
    path, max_bytes = Path(sys.argv[1]), int(sys.argv[2])
    found = read_snapshot(path, max_bytes=max_bytes, keep_data=False)
    sys.stdout.buffer.write(_verdict_json(found))

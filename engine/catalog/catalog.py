"""The snapshot directory as a live catalog: a stat-only listing, cached verdicts, a watcher.

`SnapshotCatalog.refresh()` lists the directory with `lstat` alone (instant whatever the file
sizes) and says what was added, rewritten or deleted since the previous listing. `verify()`
judges one file with `read_snapshot(keep_data=False)` and caches the verdict by (name, size,
mtime_ns, inode: an atomic replace is a new inode), so no file is read twice, even when two
threads ask at once; `verify_in_batches()` judges many files two at a time and hands their
verdicts over in batches, so that a caller redrawing per batch is not swamped. `load()` reads
a file with its data for the caller to hold, and keeps no copy: the data lives exactly as long
as the caller holds it. A file of
`offload_bytes` or more is judged in a helper process: parsing a large file holds the GIL for a
second at a time, which would freeze every other thread of the caller (a dashboard's event
loop); gunzip and MD5 alone would not.

`follow()` keeps the listing current for as long as the caller wants, whatever happens to the
directory: watchfiles reports changes within ~50 ms, and a fresh look every `RECHECK_S` notices
what a watch cannot see (the directory deleted, or renamed away and another put in its place:
the watch stays on the old one), or cannot survive (unreadable, not a directory), and when the
directory comes back. `rescan()` is one such look, by hand. Temp files and other names never
count as changes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from statesnap.engine.directory.files import list_snapshot_names
from statesnap.engine.format.jsjson import js_dumps, js_loads
from statesnap.engine.format.snapshot import (
    DEFAULT_MAX_BYTES,
    SnapshotRead,
    SnapshotStatus,
    read_snapshot,
)
from statesnap.engine.format.snapshot_time import SnapshotTime, newest_first, snapshot_time
from watchfiles import watch

__all__ = [
    "OFFLOAD_BYTES",
    "CatalogChange",
    "CatalogChangeKind",
    "CatalogClosedError",
    "CatalogEntry",
    "CatalogUpdate",
    "DirectoryState",
    "SnapshotCatalog",
    "Verified",
    "verify_in_helper_main",
]

OFFLOAD_BYTES = 4 << 20
"""Files this large (on disk) are verified in a helper process; smaller ones in the caller."""

VERIFY_THREADS = 2
"""Files `verify_in_batches` judges at once: reading, gunzip and MD5 release the GIL (and large
files are parsed in helper processes), so two keep both cores of a small machine busy."""
BATCH_S = 0.05
"""How long `verify_in_batches` gathers verdicts before handing them over (about 3 frames)."""
RECHECK_S = 0.5
"""How often `follow()` looks at the directory afresh, events or not."""

_HELPER_CODE = (
    "from statesnap.engine.catalog.catalog import verify_in_helper_main; verify_in_helper_main()"
)

EntryKey = tuple[str, int, int, int]
DirectoryIdentity = tuple[int, int]
"""(st_dev, st_ino): a directory put in the place of another has another identity."""


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
    def modified(self) -> datetime:
        return datetime.fromtimestamp(self.mtime_ns / 1e9, UTC)

    def time(self, verdict: SnapshotRead | None = None) -> SnapshotTime:
        """When the snapshot was taken (`snapshot_time`): given the file's verdict, the time
        stored in it; before the file is read, its name's time, else its modification time."""
        stored = verdict.timestamp if verdict is not None else None
        return snapshot_time(self.name, stored, self.modified)


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


Verified = tuple[CatalogEntry, SnapshotRead]
"""A file and its verdict."""


class DirectoryState(StrEnum):
    LISTED = "listed"
    """It is there, and was listed."""
    MISSING = "missing"
    """There is nothing at the directory's path (not created yet, or deleted)."""
    UNREADABLE = "unreadable"
    """It cannot be listed: no permission, not a directory, an I/O error."""


@dataclass(frozen=True)
class CatalogUpdate:
    """What a look at the directory found: its state (`problem` says, in the system's words,
    why it is unreadable) and what changed in the listing since the previous look. A missing
    directory lists as empty (its files show as deleted); an unreadable one too, but with no
    changes reported (its files may well be there: they show as new when it is readable)."""

    state: DirectoryState
    changes: tuple[CatalogChange, ...] = ()
    problem: str = ""


def _stat_entry(directory: Path, name: str) -> CatalogEntry | None:
    try:
        info = os.lstat(directory / name)
    except FileNotFoundError:
        return None
    return CatalogEntry(name, info.st_size, info.st_mtime_ns, info.st_ino)


def _newest_first(entry: CatalogEntry) -> tuple[datetime, str]:
    """Listing order, before any file is read: by the name's time, else the file's."""
    return newest_first(entry.name, entry.time())


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
        self._listing_lock = threading.Lock()
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
        propagate. Thread-safe: each change is reported to one caller.
        """
        with self._listing_lock:
            return self._relist()

    def _relist(self) -> tuple[CatalogChange, ...]:
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

    def verify_in_batches(
        self,
        entries: Sequence[CatalogEntry],
        *,
        threads: int = VERIFY_THREADS,
        batch_s: float = BATCH_S,
    ) -> Iterator[tuple[Verified, ...]]:
        """Verify `entries`, `threads` at a time in their order, and yield the verdicts in
        batches: each holds whatever was judged within `batch_s` of its first verdict. Two
        hundred small files come in a few batches, not two hundred; a large file's verdict
        still comes `batch_s` after it is known. Closing the iterator early drops the files
        not started yet. Raises CatalogClosedError as `verify` does.
        """
        pool = ThreadPoolExecutor(threads, thread_name_prefix="statesnap-verify")
        try:
            pending: dict[Future[SnapshotRead], CatalogEntry] = {
                pool.submit(self.verify, entry): entry for entry in entries
            }
            batch: list[Verified] = []
            deadline = 0.0
            while pending:
                timeout = max(0.0, deadline - time.monotonic()) if batch else None
                done, _ = wait(pending, timeout, FIRST_COMPLETED)
                if done and not batch:
                    deadline = time.monotonic() + batch_s
                batch.extend((pending.pop(future), future.result()) for future in done)
                if batch and (not pending or time.monotonic() >= deadline):
                    yield tuple(batch)
                    batch = []
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

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

    def rescan(self, *, forget_verdicts: bool = False) -> CatalogUpdate:
        """Look at the directory now: its state, and the listing's changes. Never raises
        OSError. With `forget_verdicts`, every file is judged afresh when next verified, for
        what a listing cannot see (a file made readable keeps its size, time and inode)."""
        if forget_verdicts:
            self._forget_all_but(set())
        return self._look()[1]

    def _look(self) -> tuple[DirectoryIdentity | None, CatalogUpdate]:
        """`rescan()`, and the identity of the directory listed (None if it was not)."""
        try:
            identity = _identity(self.directory)
            changes = self.refresh()  # a missing directory lists as empty
        except OSError as exc:
            with self._listing_lock:
                self._entries = ()  # verdicts stay cached, for when it is readable again
            return None, CatalogUpdate(DirectoryState.UNREADABLE, problem=_os_words(exc))
        state = DirectoryState.MISSING if identity is None else DirectoryState.LISTED
        return identity, CatalogUpdate(state, changes)

    def follow(
        self, stop_event: threading.Event, *, recheck_s: float = RECHECK_S
    ) -> Iterator[CatalogUpdate]:
        """Keep the listing current until `stop_event` is set: yield a first update, then one
        whenever the listing or the directory's state changes. Changes come within ~50 ms
        while the directory can be watched; a directory that goes away, is replaced, becomes
        unreadable or comes back is noticed within `recheck_s`. Never raises OSError.
        """
        shown: tuple[DirectoryState, str] | None = None
        for update in self._looks(stop_event, recheck_s):
            if update.changes or (update.state, update.problem) != shown:
                shown = (update.state, update.problem)
                yield update

    def _looks(self, stop_event: threading.Event, recheck_s: float) -> Iterator[CatalogUpdate]:
        """A look now; then, while the directory can be watched, one after each change to it
        and every `recheck_s`; while it cannot, one every `recheck_s`."""
        while not stop_event.is_set():
            identity, update = self._look()
            yield update
            if identity is None:
                stop_event.wait(recheck_s)
            else:
                yield from self._looks_while_there(identity, stop_event, recheck_s)

    def _looks_while_there(
        self, identity: DirectoryIdentity, stop_event: threading.Event, recheck_s: float
    ) -> Iterator[CatalogUpdate]:
        """Watch the directory: a look after each change to it and every `recheck_s`, until
        it is no longer the directory of that identity, or `stop_event` is set."""
        try:
            for _changes in watch(
                self.directory,
                watch_filter=None,  # any change wakes a look; the listing decides what counts
                debounce=50,
                step=10,
                rust_timeout=max(1, round(recheck_s * 1000)),
                yield_on_timeout=True,
                stop_event=stop_event,
                recursive=False,
                raise_interrupt=False,
            ):
                now, update = self._look()
                yield update
                if now != identity:
                    return
        except (OSError, RuntimeError):  # gone before the watch began, or no watch to be had
            stop_event.wait(recheck_s)


def _identity(directory: Path) -> DirectoryIdentity | None:
    """The directory's identity; None if nothing is at its path."""
    try:
        info = os.stat(directory)
    except FileNotFoundError:
        return None
    return (info.st_dev, info.st_ino)


def _os_words(exc: OSError) -> str:
    """`Permission denied`, `Not a directory`: what the system says."""
    return exc.strerror or str(exc)


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

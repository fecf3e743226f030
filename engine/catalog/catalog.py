"""The snapshot directory as a live catalog: a stat-only listing, cached verdicts, a watcher.

`SnapshotCatalog.refresh()` lists the directory with `lstat` alone (instant whatever the file
sizes) and says what was added, rewritten or deleted since the previous listing. `verify()`
judges one file with `read_snapshot(keep_data=False)` and caches the verdict by (name, size,
mtime_ns, inode: an atomic replace is a new inode), so no file is read twice, even when two
threads ask at once; `verify_in_batches()` judges many files two at a time and hands their
verdicts over in batches, so that a caller redrawing per batch is not swamped. `load()` reads
a file with its data for the caller to hold, and keeps no copy: the data lives exactly as long
as the caller holds it. A file of `offload_bytes` or more is judged in a helper process:
parsing a large file holds the GIL for a second at a time, which would freeze every other
thread of the caller (a dashboard's event loop); gunzip and MD5 alone would not. The verdicts
are kept by `verdicts`, the directory followed by `follow`. A verdict is also recorded by
content hash in the user's `VerdictStore` (`verdict_store`), so a file whose exact bytes were
judged before, by any statesnap process of this user, costs one hash of it, not a read.

`follow()` keeps the listing current for as long as the caller wants, whatever happens to the
directory; `rescan()` is one look, by hand. Temp files and other names never count as changes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from statesnap.engine.catalog.follow import RECHECK_S, DirectoryFollower
from statesnap.engine.catalog.records import (
    CatalogChange,
    CatalogChangeKind,
    CatalogEntry,
    CatalogUpdate,
    Verified,
    listing_order,
    stat_entry,
)
from statesnap.engine.catalog.verdict_store import VerdictStore
from statesnap.engine.catalog.verdicts import (
    BATCH_S,
    OFFLOAD_BYTES,
    VERIFY_THREADS,
    VerdictCache,
    verdicts_in_batches,
)
from statesnap.engine.directory.files import list_snapshot_names
from statesnap.engine.format.snapshot_reading import DEFAULT_MAX_BYTES, SnapshotRead

__all__ = ["SnapshotCatalog"]


class SnapshotCatalog:
    """The snapshot files of one directory, newest first, with their verdicts."""

    def __init__(
        self,
        directory: Path,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        offload_bytes: int | None = OFFLOAD_BYTES,
        verdict_store: VerdictStore | bool = True,
    ) -> None:
        """`verdict_store`: where verdicts are recorded by content hash; True for the user's
        (`cache_dir()`), False for none."""
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.offload_bytes = offload_bytes
        self._entries: tuple[CatalogEntry, ...] = ()
        self._listing_lock = threading.Lock()
        store = VerdictStore() if verdict_store is True else verdict_store or None
        self._verdicts = VerdictCache(self.directory, max_bytes, offload_bytes, store)
        self._follower = DirectoryFollower(self.directory, self.refresh, self._unlist)

    @property
    def entries(self) -> tuple[CatalogEntry, ...]:
        """The listing as of the last `refresh()`, newest first."""
        return self._entries

    def entry(self, name: str) -> CatalogEntry | None:
        """The listed entry of that name, if any."""
        return next((entry for entry in self._entries if entry.name == name), None)

    # -- the listing ----------------------------------------------------------------------

    def refresh(self) -> tuple[CatalogChange, ...]:
        """List the directory again (stat only); return what changed since the last listing.

        A missing directory lists as empty; other OSErrors (no permission, not a directory)
        propagate. Thread-safe: each change is reported to one caller.
        """
        with self._listing_lock:
            return self._relist()

    def _relist(self) -> tuple[CatalogChange, ...]:
        listed = (stat_entry(self.directory, name) for name in list_snapshot_names(self.directory))
        entries = sorted(
            (entry for entry in listed if entry is not None), key=listing_order, reverse=True
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
        self._verdicts.forget_all_but({entry.key for entry in entries})
        return tuple(changes)

    def _unlist(self) -> None:
        with self._listing_lock:
            self._entries = ()

    # -- verdicts -------------------------------------------------------------------------

    def cached(self, entry: CatalogEntry) -> SnapshotRead | None:
        """The verdict on this version of the file, if it has been verified."""
        return self._verdicts.cached(entry)

    def verify(self, entry: CatalogEntry) -> SnapshotRead:
        """Judge the file (once per version: later calls, and concurrent ones, share it).

        Thread-safe. Raises CatalogClosedError if `close()` interrupts a helper process.
        """
        return self._verdicts.verify(entry)

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
        return verdicts_in_batches(self.verify, entries, threads=threads, batch_s=batch_s)

    def load(self, entry: CatalogEntry) -> SnapshotRead:
        """Read the file with its data (in this process), and record its verdict. The data is
        not kept here: a 120 MB file parses into several hundred MB of objects, which should
        go as soon as the caller lets go of them."""
        return self._verdicts.load(entry)

    def close(self) -> None:
        """Stop any helper process. Verdicts already cached stay readable."""
        self._verdicts.close()

    # -- following the directory ----------------------------------------------------------

    def rescan(self, *, forget_verdicts: bool = False) -> CatalogUpdate:
        """Look at the directory now: its state, and the listing's changes. Never raises
        OSError. With `forget_verdicts`, every file is judged afresh when next verified, for
        what a listing cannot see (a file made readable keeps its size, time and inode)."""
        if forget_verdicts:
            self._verdicts.forget_all_but(set())
        return self._follower.look()[1]

    def follow(
        self, stop_event: threading.Event, *, recheck_s: float = RECHECK_S
    ) -> Iterator[CatalogUpdate]:
        """Keep the listing current until `stop_event` is set: yield a first update, then one
        whenever the listing or the directory's state changes. Changes come within ~50 ms
        while the directory can be watched; a directory that goes away, is replaced, becomes
        unreadable or comes back is noticed within `recheck_s`. Never raises OSError.
        """
        return self._follower.follow(stop_event, recheck_s)

"""The catalog's verdicts: each version of a file judged once and cached, even when two threads
ask at once; a file whose exact bytes were judged before (by any process of this user: the
`VerdictStore`, by content hash) not judged again; a large file judged in a helper process;
many files judged a few at a time, their verdicts handed over in batches.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from pathlib import Path

from statesnap.engine.catalog.content_verdicts import judge_and_record, recorded_verdict
from statesnap.engine.catalog.records import (
    CatalogClosedError,
    CatalogEntry,
    EntryKey,
    Verified,
    stat_entry,
)
from statesnap.engine.catalog.verdict_store import VerdictStore
from statesnap.engine.catalog.verify_helper import helper_command, helper_output
from statesnap.engine.format.snapshot_reading import SnapshotRead

__all__ = ["BATCH_S", "OFFLOAD_BYTES", "VERIFY_THREADS", "VerdictCache", "verdicts_in_batches"]

OFFLOAD_BYTES = 4 << 20
"""Files this large (on disk) are verified in a helper process; smaller ones in the caller."""
VERIFY_THREADS = 2
"""Files `verdicts_in_batches` judges at once: reading, gunzip and MD5 release the GIL (and
large files are parsed in helper processes), so two keep both cores of a small machine busy."""
BATCH_S = 0.05
"""How long `verdicts_in_batches` gathers verdicts before handing them over (about 3 frames)."""


class VerdictCache:
    """Verdicts on the files of one directory, by version (name, size, mtime, inode), over
    the verdicts `store` recorded by content (None: none kept beyond this object)."""

    def __init__(
        self,
        directory: Path,
        max_bytes: int,
        offload_bytes: int | None,
        store: VerdictStore | None = None,
    ) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.offload_bytes = offload_bytes
        self.store = store
        self._lock = threading.Lock()
        self._verdicts: dict[EntryKey, SnapshotRead] = {}
        self._in_flight: dict[EntryKey, threading.Event] = {}
        self._helpers: set[subprocess.Popen[bytes]] = set()
        self._closed = False

    def cached(self, entry: CatalogEntry) -> SnapshotRead | None:
        """The verdict on this version of the file, if it has been verified."""
        with self._lock:
            return self._verdicts.get(entry.key)

    def forget_all_but(self, keys: set[EntryKey]) -> None:
        """Drop the verdicts on every version not in `keys`."""
        with self._lock:
            for key in [key for key in self._verdicts if key not in keys]:
                del self._verdicts[key]

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
            self.remember(entry, replace(verdict, data=None))
            return verdict
        finally:
            with self._lock:
                del self._in_flight[entry.key]
            done.set()

    def load(self, entry: CatalogEntry) -> SnapshotRead:
        """Read the file with its data (in this process), and record its verdict. The data is
        not kept here."""
        found = self._judge(self.directory / entry.name, keep_data=True)
        self.remember(entry, replace(found, data=None))
        return found

    def remember(self, entry: CatalogEntry, verdict: SnapshotRead) -> None:
        """Cache a verdict, unless the file changed (or cannot be seen) since it was read."""
        try:
            unchanged = stat_entry(self.directory, entry.name) == entry
        except OSError:
            unchanged = False
        if unchanged:
            with self._lock:
                self._verdicts[entry.key] = verdict

    def _judge(self, path: Path, *, keep_data: bool) -> SnapshotRead:
        return judge_and_record(
            path, max_bytes=self.max_bytes, keep_data=keep_data, store=self.store
        )

    def _read(self, entry: CatalogEntry) -> SnapshotRead:
        path = self.directory / entry.name
        if self.store is not None:
            known = recorded_verdict(self.store, path, self.max_bytes)
            if known is not None:
                return known
        if self.offload_bytes is None or entry.size < self.offload_bytes:
            return self._judge(path, keep_data=False)
        return self._read_in_helper(path)

    def _read_in_helper(self, path: Path) -> SnapshotRead:
        """`read_snapshot(path, keep_data=False)` in a fresh interpreter (`verify_helper`), so
        that the parse holds another process's GIL and its memory goes back to the system
        when the file is done; its verdict recorded under the hash of the bytes it judged.
        If the helper cannot run, the file is read here instead."""
        helper: subprocess.Popen[bytes] | None
        with self._lock:
            if self._closed:
                raise CatalogClosedError("catalog is closed")
            try:
                helper = subprocess.Popen(
                    helper_command(path, self.max_bytes),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
            except OSError:
                helper = None
            if helper is not None:
                self._helpers.add(helper)
        if helper is None:
            return self._judge(path, keep_data=False)
        try:
            output, _ = helper.communicate()
        finally:
            with self._lock:
                self._helpers.discard(helper)
        if self._closed:
            raise CatalogClosedError("catalog closed during verification")
        if helper.returncode == 0:
            try:
                found, digest = helper_output(path, output)
            except (ValueError, KeyError, TypeError):
                pass
            else:
                if self.store is not None and digest is not None:
                    self.store.record(digest, found)
                return found
        return self._judge(path, keep_data=False)

    def close(self) -> None:
        """Stop any helper process. Verdicts already cached stay readable."""
        with self._lock:
            self._closed = True
            helpers = list(self._helpers)
        for helper in helpers:
            helper.kill()


def verdicts_in_batches(
    verify: Callable[[CatalogEntry], SnapshotRead],
    entries: Sequence[CatalogEntry],
    *,
    threads: int = VERIFY_THREADS,
    batch_s: float = BATCH_S,
) -> Iterator[tuple[Verified, ...]]:
    """`verify` each of `entries`, `threads` at a time in their order, and yield the verdicts
    in batches: each holds whatever was judged within `batch_s` of its first verdict. Closing
    the iterator early drops the files not started yet."""
    pool = ThreadPoolExecutor(threads, thread_name_prefix="statesnap-verify")
    try:
        pending: dict[Future[SnapshotRead], CatalogEntry] = {
            pool.submit(verify, entry): entry for entry in entries
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

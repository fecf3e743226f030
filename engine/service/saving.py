"""Writing the state to snapshot files: taken atomically under the storage lock, written
durably off the event loop, then rotated; nothing written once the final snapshot has begun;
a failure kept in the last-save record and in the storage's telemetry; the verdict on each
file written recorded in the user's verdict store (`record_written`), so that reading it back
(a restore, a listing) skips the proof.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from statesnap.engine.catalog.content_verdicts import record_written
from statesnap.engine.catalog.verdict_store import VerdictStore
from statesnap.engine.directory.files import rotate_snapshots, write_snapshot_file
from statesnap.engine.format.js_exactness import may_differ_from_javascript
from statesnap.engine.format.js_writer import js_dumps, orjson_dumps
from statesnap.engine.format.process_tuning import collector_paused
from statesnap.engine.format.schema import map_counts
from statesnap.engine.format.snapshot_encoding import data_checksum
from statesnap.engine.format.timestamps import now_iso
from statesnap.engine.service.capability import SnapshotCapable, snapshot_capable
from statesnap.engine.service.errors import ServiceClosedError, SnapshotsDisabledError
from statesnap.engine.service.records import SaveResult
from statesnap.engine.storage.protocol import Storage

__all__ = ["SnapshotWriter"]

log = logging.getLogger(__name__)


class _NotJavaScriptExact(Exception):
    """orjson's bytes may differ from JavaScript's: the exact encoder must serialize."""


def _confirm_javascript_exact(data_json: bytes) -> None:
    if may_differ_from_javascript(data_json):
        raise _NotJavaScriptExact


class SnapshotWriter:
    """Serializes a storage's state and writes it as snapshot files into one directory.

    `claim_directory` is called before every write; `kept_names` says which files rotation
    must spare besides the one just written; `saved` is told of every file once durable.
    """

    def __init__(
        self,
        storage: Storage,
        directory: Path,
        max_snapshots: int,
        *,
        claim_directory: Callable[[], None],
        kept_names: Callable[[], tuple[str, ...]],
        saved: Callable[[Path], None],
    ) -> None:
        self.storage = storage
        self.memory = snapshot_capable(storage)
        self.directory = directory
        self.max_snapshots = max_snapshots
        self.last_save: SaveResult | None = None
        self.last_checksum: str | None = None
        """The checksum of the state last saved or restored: a periodic save of the same
        bytes is skipped."""
        self.final_started = False
        self._claim_directory = claim_directory
        self._kept_names = kept_names
        self._saved = saved
        self._write_lock = threading.Lock()
        self.verdicts = VerdictStore()
        self._serialized: tuple[bytes, dict[str, int]] | None = None

    # -- the state ------------------------------------------------------------------------

    def snapshot_storage(self) -> SnapshotCapable:
        """The storage, if its state can be saved; SnapshotsDisabledError if it lives elsewhere."""
        if self.memory is None:
            raise SnapshotsDisabledError(
                f"snapshots are disabled: the state lives in {self.storage.mode}, "
                "not in this process"
            )
        return self.memory

    def serialize(self) -> bytes:
        """The data object's JavaScript-exact bytes, taken atomically under the storage lock."""
        storage = self.snapshot_storage()
        with storage.lock:
            data = storage.snapshot_data()
            return self._counted(js_dumps(data), data)

    def _counted(self, data_json: bytes, data: dict[str, Any]) -> bytes:
        """Note the counts of the state `data_json` serializes (under the storage lock), for
        the verdict recorded once it is written."""
        self._serialized = (data_json, map_counts(data))
        return data_json

    def replace_state(self, data: dict[str, Any]) -> bytes:
        """Replace the whole state with `data`; return the new state, serialized."""
        storage = self.snapshot_storage()
        with storage.lock:
            with collector_paused():
                storage.load_data(data)
            data = storage.snapshot_data()
            return self._counted(js_dumps(data), data)

    def _take(self) -> tuple[bytes, bool]:
        """The data serialized atomically by one orjson call under the storage lock, and whether
        those bytes are known to be JavaScript's (else they are checked while being written)."""
        storage = self.snapshot_storage()
        with storage.lock:
            data = storage.snapshot_data()
            fast = orjson_dumps(data)
            return (
                (self._counted(fast, data), False)
                if fast is not None
                else (self._counted(js_dumps(data), data), True)
            )

    # -- saving ---------------------------------------------------------------------------

    def save(self, reason: str = "manual") -> SaveResult:
        """Write the current state now, in this thread. Raises on failure."""
        data_json, exact = self._take()
        try:
            return self.write(data_json, reason, skip_unchanged=False, exact=exact)
        except _NotJavaScriptExact:
            return self.write(self.serialize(), reason, skip_unchanged=False)

    async def save_async(
        self, reason: str, *, skip_unchanged: bool, final: bool = False
    ) -> SaveResult:
        """Like save(); the loop is blocked only while the data is serialized."""
        data_json, exact = self._take()
        write = partial(self.write, reason=reason, skip_unchanged=skip_unchanged, final=final)
        try:
            return await asyncio.to_thread(write, data_json, exact=exact)
        except _NotJavaScriptExact:
            # Rare (floats orjson prints differently, array-index keys): the exact encoder,
            # on the loop so the snapshot stays atomic.
            return await asyncio.to_thread(write, self.serialize())

    def write(
        self,
        data_json: bytes,
        reason: str,
        *,
        skip_unchanged: bool,
        exact: bool = True,
        rotate: bool = True,
        final: bool = False,
    ) -> SaveResult:
        """Hash, compress, write durably and rotate (thread-safe; runs off the event loop).

        With `exact` False the bytes are checked against JavaScript's output while they are
        written; _NotJavaScriptExact is raised, and nothing written, where they may differ.
        """
        started = time.perf_counter()
        at = now_iso()
        with self._write_lock:
            return self.store(
                data_json,
                reason,
                skip_unchanged=skip_unchanged,
                exact=exact,
                started=started,
                at=at,
                rotate=rotate,
                final=final,
            )

    def store(
        self,
        data_json: bytes,
        reason: str,
        *,
        skip_unchanged: bool,
        exact: bool,
        started: float,
        at: str,
        parallel: bool = True,
        rotate: bool = True,
        final: bool = False,
    ) -> SaveResult:
        """Write and (with `rotate`) rotate. Callers hold the write lock, except a signal
        handler that interrupted its holder. Once a `final` write has begun no other write
        starts, and one already under way is dropped before it takes a name."""
        if final:
            self.final_started = True
        else:
            self.check_open()
        counts = self._counts_of(data_json)
        checksum = data_checksum(data_json) if skip_unchanged else None
        if skip_unchanged and checksum == self.last_checksum:
            result = SaveResult(at, True, checksum=checksum, skipped_unchanged=True, reason=reason)
            self.last_save = result
            return result
        try:
            self._claim_directory()
            path, encoded = write_snapshot_file(
                self.directory,
                data_json,
                checksum=checksum,
                confirm=None if exact else partial(_confirm_javascript_exact, data_json),
                parallel=parallel,
                before_link=None if final else self.check_open,
            )
            if counts is not None:
                record_written(
                    self.verdicts,
                    path,
                    encoded.parts,
                    data_json=data_json,
                    timestamp=encoded.timestamp,
                    checksum=encoded.checksum,
                    counts=counts,
                )
            self._saved(path)
            if rotate:
                protect = (path.name, *self._kept_names())
                rotate_snapshots(self.directory, self.max_snapshots, protect=protect)
        except OSError as exc:
            error = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
            self.last_save = SaveResult(
                at, False, error=error, duration_s=time.perf_counter() - started, reason=reason
            )
            raise
        self.last_checksum = encoded.checksum
        result = SaveResult(
            at,
            True,
            path,
            encoded.checksum,
            duration_s=time.perf_counter() - started,
            reason=reason,
        )
        self.last_save = result
        log.info("snapshot saved: %s (%s, %.0f ms)", path.name, reason, result.duration_s * 1000)
        return result

    def _counts_of(self, data_json: bytes) -> dict[str, int] | None:
        """The counts noted when `data_json` was serialized (None if these bytes were not, or
        others since), for the verdict recorded once they are written. The note is let go
        of either way: it must not keep a serialized state alive."""
        serialized, self._serialized = self._serialized, None
        return serialized[1] if serialized is not None and serialized[0] is data_json else None

    def check_open(self) -> None:
        """ServiceClosedError once the final snapshot has begun."""
        if self.final_started:
            raise ServiceClosedError("the service has written its final snapshot")

    # -- failures -------------------------------------------------------------------------

    def record_failure(self, reason: str, exc: BaseException) -> SaveResult:
        """Log a failed save, keep it as the last save and add it to the storage's telemetry;
        the record."""
        message = f"{type(exc).__name__}: {exc}"
        log.error("snapshot (%s) failed: %s", reason, message)
        result = self.last_save
        if result is None or result.ok:
            result = SaveResult(now_iso(), False, error=message, reason=reason)
        recorded = self.last_save = replace(result, reason=reason)
        with contextlib.suppress(Exception):
            self.storage.add_telemetry(
                {
                    "id": f"snapshot-error-{int(time.time() * 1000)}",
                    "level": "error",
                    "source": "SnapshotService",
                    "message": f"snapshot failed: {message}",
                    "timestamp": now_iso(),
                }
            )
        return recorded

"""Writing the state to snapshot files: taken atomically under the storage lock (deflated and
hashed in another thread while it is printed), checked and written durably off the event loop,
then rotated; nothing written once the final snapshot has begun;
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
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from statesnap.engine.catalog.content_verdicts import record_written
from statesnap.engine.catalog.verdict_store import VerdictStore
from statesnap.engine.directory.files import rotate_snapshots, write_encoded_file
from statesnap.engine.format.data_parts import SerializedParts, serialize_in_parts
from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.format.process_tuning import collector_paused
from statesnap.engine.format.schema import map_counts
from statesnap.engine.format.snapshot_encoding import DataEncoder
from statesnap.engine.format.timestamps import now_iso
from statesnap.engine.service.capability import SnapshotCapable, snapshot_capable
from statesnap.engine.service.errors import ServiceClosedError, SnapshotsDisabledError
from statesnap.engine.service.records import SaveResult
from statesnap.engine.storage.protocol import Storage

__all__ = ["SnapshotWriter", "TakenState"]

log = logging.getLogger(__name__)


class _NotJavaScriptExact(Exception):
    """orjson's bytes may differ from JavaScript's: the exact encoder must serialize."""


@dataclass(frozen=True)
class TakenState:
    """The state, serialized atomically under the storage lock at `moment`, its encoding
    already under way (`DataEncoder`): its size and per-map counts (for the verdict recorded
    once it is written), and either the texts still to scan for where orjson's bytes may differ
    from JavaScript's (`unproven`) or, where the exact encoder printed them, the bytes."""

    encoder: DataEncoder
    size: int
    counts: dict[str, int]
    moment: datetime
    unproven: SerializedParts | None = None
    data_json: bytes | None = None


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

    # -- the state ------------------------------------------------------------------------

    def snapshot_storage(self) -> SnapshotCapable:
        """The storage, if its state can be saved; SnapshotsDisabledError if it lives elsewhere."""
        if self.memory is None:
            raise SnapshotsDisabledError(
                f"snapshots are disabled: the state lives in {self.storage.mode}, "
                "not in this process"
            )
        return self.memory

    def take(self) -> TakenState:
        """The state, taken atomically: printed by orjson part by part under the storage lock
        while another thread encodes each part, its texts scanned later (off the event loop);
        printed by the exact encoder where orjson refuses it."""
        storage = self.snapshot_storage()
        with storage.lock:
            data = storage.snapshot_data()
            moment = datetime.now(UTC)
            encoder = DataEncoder()
            parts = serialize_in_parts(data, encoder.add)
            if parts is None:
                return _exactly(data, moment, parallel=True)
            return TakenState(encoder, parts.size, map_counts(data), moment, unproven=parts)

    def take_exact(self, *, parallel: bool = True) -> TakenState:
        """The state, taken atomically and printed by the exact encoder (JavaScript's bytes,
        kept in `data_json`). With `parallel` False it is encoded in this thread."""
        storage = self.snapshot_storage()
        with storage.lock:
            return _exactly(storage.snapshot_data(), datetime.now(UTC), parallel=parallel)

    def replace_state(self, data: dict[str, Any]) -> TakenState:
        """Replace the whole state with `data`; return the new state, taken exactly."""
        storage = self.snapshot_storage()
        with storage.lock:
            with collector_paused():
                storage.load_data(data)
            return _exactly(storage.snapshot_data(), datetime.now(UTC), parallel=True)

    # -- saving ---------------------------------------------------------------------------

    def save(self, reason: str = "manual") -> SaveResult:
        """Write the current state now, in this thread. Raises on failure."""
        try:
            return self.write(self.take(), reason, skip_unchanged=False)
        except _NotJavaScriptExact:
            return self.write(self.take_exact(), reason, skip_unchanged=False)

    async def save_async(
        self, reason: str, *, skip_unchanged: bool, final: bool = False
    ) -> SaveResult:
        """Like save(); the loop is blocked only while the data is serialized."""
        write = partial(self.write, reason=reason, skip_unchanged=skip_unchanged, final=final)
        try:
            return await asyncio.to_thread(write, self.take())
        except _NotJavaScriptExact:
            # Rare (floats orjson prints differently, array-index keys): the exact encoder,
            # on the loop so the snapshot stays atomic.
            return await asyncio.to_thread(write, self.take_exact())

    def write(
        self,
        taken: TakenState,
        reason: str,
        *,
        skip_unchanged: bool,
        rotate: bool = True,
        final: bool = False,
    ) -> SaveResult:
        """Check, finish encoding, write durably and rotate (thread-safe; runs off the event
        loop). _NotJavaScriptExact is raised, and nothing written, where the bytes of a state
        taken by orjson may differ from JavaScript's."""
        started = time.perf_counter()
        at = now_iso()
        with self._write_lock:
            return self.store(
                taken,
                reason,
                skip_unchanged=skip_unchanged,
                started=started,
                at=at,
                rotate=rotate,
                final=final,
            )

    def store(
        self,
        taken: TakenState,
        reason: str,
        *,
        skip_unchanged: bool,
        started: float,
        at: str,
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
        if taken.unproven is not None and taken.unproven.may_differ_from_javascript():
            raise _NotJavaScriptExact
        data = taken.encoder.finish()
        if skip_unchanged and data.checksum == self.last_checksum:
            result = SaveResult(
                at, True, checksum=data.checksum, skipped_unchanged=True, reason=reason
            )
            self.last_save = result
            return result
        try:
            self._claim_directory()
            path, encoded = write_encoded_file(
                self.directory,
                data,
                taken.moment,
                before_link=None if final else self.check_open,
            )
            record_written(
                self.verdicts,
                path,
                encoded.parts,
                data_size=taken.size,
                timestamp=encoded.timestamp,
                checksum=encoded.checksum,
                counts=taken.counts,
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


def _exactly(data: dict[str, Any], moment: datetime, *, parallel: bool) -> TakenState:
    """`data` printed by the exact encoder (under the caller's storage lock) and encoded."""
    data_json = js_dumps(data)
    encoder = DataEncoder(parallel=parallel)
    encoder.add(data_json)
    return TakenState(encoder, len(data_json), map_counts(data), moment, data_json=data_json)

"""SnapshotService: keeps a MemoryStorage alive across restarts through snapshot files.

Saves on demand, periodically (skipping a write when nothing changed) and on SIGTERM/SIGINT;
restores the newest valid file at start, falling back to older ones; rolls the live state back
to a listed file and undoes that once. Serialization is atomic (one call under the storage
lock, on the event loop in async code); hashing, compression and disk I/O run off the loop.
The work is done by the writer (`saving`), the roll-back steps (`rollback`) and the signal
handlers (`signals`); this module holds them together, restores, and runs the periodic saves.

A service that reads or writes its directory holds the directory's lock (one server per
directory) until `stop()`, `shutdown()` or `close()`. Rotation runs only in its own saves,
keeps its `max_snapshots` newest files, and never deletes the file it just wrote, the files of
the last roll-back (the file restored, the undo point, the state saved before an undo), any
file listed at that roll-back for `rollback_grace_s` after it (so another can be tried), or a
file someone holds (`hold()`: a user about to act on it). Roll-backs and undos delete nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from types import TracebackType

from statesnap.engine.catalog.content_verdicts import judge_and_record
from statesnap.engine.directory.files import (
    default_snapshot_dir,
    ensure_snapshot_dir,
    list_snapshot_names,
    sweep_temp_files,
)
from statesnap.engine.directory.lock import DirectoryLock
from statesnap.engine.format.process_tuning import collector_paused
from statesnap.engine.format.snapshot_reading import DEFAULT_MAX_BYTES
from statesnap.engine.format.timestamps import now_iso
from statesnap.engine.service.errors import ServiceClosedError
from statesnap.engine.service.records import (
    RollbackResult,
    SaveResult,
    ServiceStatus,
    SkippedSnapshot,
)
from statesnap.engine.service.rollback import (
    ROLLBACK_GRACE_S,
    UNDO_LABEL,
    RollbackLedger,
    read_target,
    run_steps,
    run_steps_async,
)
from statesnap.engine.service.saving import SnapshotWriter
from statesnap.engine.service.signals import FinalSnapshotHandlers
from statesnap.engine.storage.protocol import Storage
from statesnap.engine.travel.pins import pin_label

__all__ = ["SnapshotService"]

log = logging.getLogger(__name__)


class SnapshotService:
    """Periodic, on-demand and on-signal snapshots of a storage, and restore at start.

    With a storage that keeps its state elsewhere (Redis mode) the service is disabled: it
    never writes a file, and `save_snapshot()` raises SnapshotsDisabledError.
    """

    def __init__(
        self,
        storage: Storage,
        snapshot_dir: Path | str | None = None,
        interval_s: float = 300.0,
        max_snapshots: int = 3,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        shutdown_timeout_s: float = 10.0,
        on_save: Callable[[Path], None] | None = None,
        rollback_grace_s: float = ROLLBACK_GRACE_S,
    ) -> None:
        """`on_save`, if given, is called with every file this service writes, once it is
        durable (from the writing thread; an exception it raises is logged and ignored)."""
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        if max_snapshots < 1:
            raise ValueError("max_snapshots must be at least 1")
        self.storage = storage
        self.directory = Path(snapshot_dir) if snapshot_dir is not None else default_snapshot_dir()
        self.interval_s = interval_s
        self.max_snapshots = max_snapshots
        self.max_bytes = max_bytes
        self.shutdown_timeout_s = shutdown_timeout_s
        self.rollback_grace_s = rollback_grace_s
        self.restored_from: str | None = None
        self.skipped: list[SkippedSnapshot] = []
        self.on_save = on_save
        self._rollbacks = RollbackLedger(self.directory, rollback_grace_s)
        self._writer = SnapshotWriter(
            storage,
            self.directory,
            max_snapshots,
            claim_directory=self.claim_directory,
            kept_names=self._rollbacks.kept_names,
            saved=self._saved,
        )
        self.enabled = self._writer.memory is not None
        self._signals = FinalSnapshotHandlers(self._writer, shutdown_timeout_s)
        self._directory_lock = DirectoryLock(self.directory)
        self._task: asyncio.Task[None] | None = None

    @property
    def last_save(self) -> SaveResult | None:
        """The last save attempt's outcome (None: none yet)."""
        return self._writer.last_save

    # -- the directory --------------------------------------------------------------------

    def claim_directory(self) -> None:
        """Create the directory if needed and take its lock: DirectoryInUseError if another
        server serves it. Every read or write of the directory claims it first; a control
        server claims it for a service that keeps its state elsewhere."""
        if not self._directory_lock.held:
            ensure_snapshot_dir(self.directory)
            self._directory_lock.acquire()

    def close(self) -> None:
        """Let the directory go (another server may then serve it). Saving claims it again."""
        self._directory_lock.release()

    def hold(self, name: str, seconds: float) -> None:
        """Keep the file `name` out of rotation for `seconds` (at most MAX_HOLD_S; 0 lets it
        go): a user is about to act on it."""
        self._rollbacks.hold(name, seconds)

    # -- saving ---------------------------------------------------------------------------

    def _saved(self, path: Path) -> None:
        if self.on_save is None:
            return
        try:
            self.on_save(path)
        except Exception:
            log.exception("on_save failed for %s", path.name)

    def save_snapshot(self) -> Path:
        """Write a snapshot of the current state now; return its path. Raises on failure."""
        result = self._writer.save("manual")
        assert result.path is not None
        return result.path

    async def save_snapshot_async(self, *, reason: str = "manual") -> Path:
        """Like save_snapshot; the loop is blocked only while the data is serialized. `reason`
        is what the log and the last-save record call it (`manual`, `shutdown`…)."""
        result = await self._writer.save_async(reason, skip_unchanged=False)
        assert result.path is not None
        return result.path

    async def save_periodic(self) -> SaveResult:
        """One periodic save: skipped when the data is byte-identical to the last snapshot's;
        never raises (a failure is logged and recorded in telemetry)."""
        try:
            return await self._writer.save_async("periodic", skip_unchanged=True)
        except ServiceClosedError:
            return SaveResult(now_iso(), False, error="shut down", reason="periodic")
        except Exception as exc:
            return self._writer.record_failure("periodic", exc)

    # -- restoring ------------------------------------------------------------------------

    def load_latest_snapshot(self) -> bool:
        """Restore the newest valid snapshot, falling back to older ones; True if one was.

        Every file passed over is logged and kept in `skipped` with its reason. Stale temp
        files from a crashed write are swept first. A file whose exact bytes have a valid
        verdict recorded (the user's verdict store, by content hash: say, the file this
        service wrote) is still read and parsed, without the JavaScript-exactness proof.
        """
        storage = self._writer.snapshot_storage()
        self.skipped = []
        self.claim_directory()
        for name in sweep_temp_files(self.directory):
            log.info("removed a temp file left by an interrupted save: %s", name)
        for name in list_snapshot_names(self.directory):
            found = judge_and_record(
                self.directory / name,
                max_bytes=self.max_bytes,
                keep_data=True,
                store=self._writer.verdicts,
            )
            if found.is_valid and not isinstance(found.data, dict):
                found = replace(found, reason="data is not a JSON object")
            elif found.is_valid:
                with storage.lock, collector_paused():
                    storage.load_data(found.data)
                self.restored_from = name
                self._writer.last_checksum = found.actual_checksum
                log.info("restored state from %s", name)
                return True
            self.skipped.append(SkippedSnapshot(name, found.status.value, found.reason))
            log.warning("skipped snapshot %s: %s", name, found.summary)
        return False

    # -- roll-back ------------------------------------------------------------------------

    def rollback(self, name: str, *, pin: bool = False) -> RollbackResult:
        """Save the current state (the undo point), restore the listed file `name` (with
        `pin`, the copy of pin `name`: `statesnap.engine.travel.pins`) into the storage, then
        save the restored state. Only names from the directory's listing, or its pins'.
        Deletes nothing; rotation keeps `name` and the undo point until the next roll-back,
        and every file listed now for `rollback_grace_s`.

        If the undo point cannot be saved nothing changes (OSError). If the restored state
        cannot be saved it is live all the same, and RollbackNotSavedError says so."""
        data = read_target(self.directory, name, self.max_bytes, pin=pin)
        label = pin_label(name) if pin else name
        return run_steps(self._writer, self._rollbacks.steps(self._writer, data, label, undo=False))

    def undo_rollback(self) -> RollbackResult:
        """Go back, once, to the state before the last roll-back: the current state is saved
        first, then the earlier one restored and saved. NothingToUndoError when there is no
        roll-back to undo (none yet, or it was undone)."""
        data = self._rollbacks.undo_data()
        steps = self._rollbacks.steps(self._writer, data, UNDO_LABEL, undo=True)
        return run_steps(self._writer, steps)

    async def rollback_async(self, name: str, *, pin: bool = False) -> RollbackResult:
        """rollback() for a running loop: states taken and replaced on the loop, the file read
        and the files written off it."""
        data = await asyncio.to_thread(
            partial(read_target, self.directory, name, self.max_bytes, pin=pin)
        )
        label = pin_label(name) if pin else name
        steps = self._rollbacks.steps(self._writer, data, label, undo=False)
        return await run_steps_async(self._writer, steps)

    async def undo_rollback_async(self) -> RollbackResult:
        """undo_rollback() for a running loop."""
        data = self._rollbacks.undo_data()
        steps = self._rollbacks.steps(self._writer, data, UNDO_LABEL, undo=True)
        return await run_steps_async(self._writer, steps)

    @property
    def can_undo(self) -> bool:
        return self._rollbacks.can_undo

    # -- lifecycle ------------------------------------------------------------------------

    def status(self) -> ServiceStatus:
        return ServiceStatus(
            pid=os.getpid(),
            mode=self.storage.mode,
            directory=self.directory,
            enabled=self.enabled,
            interval_s=self.interval_s,
            max_snapshots=self.max_snapshots,
            running=self._task is not None and not self._task.done(),
            last_save=self.last_save,
            restored_from=self.restored_from,
            skipped=tuple(self.skipped),
            can_undo=self.can_undo,
            counts=self.storage.count_entries(),
            last_rollback=self._rollbacks.last_rollback,
            kept=self._rollbacks.kept_names(),
            rollback_grace_s=self.rollback_grace_s,
        )

    def start(self) -> None:
        """Start periodic saves in the running event loop (a no-op when disabled). Claims the
        directory (DirectoryInUseError if another server serves it)."""
        if not self.enabled:
            log.info("snapshots disabled: storage mode is %s", self.storage.mode)
            return
        if self._task is None or self._task.done():
            self.claim_directory()
            sweep_temp_files(self.directory)
            self._task = asyncio.get_running_loop().create_task(self._run_periodic())

    async def _run_periodic(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            await self.save_periodic()

    async def _halt(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def stop(self) -> None:
        """Stop periodic saves and let the directory go (no final snapshot: see shutdown)."""
        await self._halt()
        self.close()

    async def shutdown(self) -> SaveResult | None:
        """Stop periodic saves, write the final snapshot (bounded by shutdown_timeout_s; a
        failure is logged and returned, not raised), and let the directory go. After it the
        service writes nothing. None when snapshots are off."""
        await self._halt()
        result = None
        if self.enabled:
            timeout = self.shutdown_timeout_s
            try:
                result = await asyncio.wait_for(
                    self._writer.save_async("shutdown", skip_unchanged=False, final=True), timeout
                )
            except TimeoutError:
                result = self._writer.record_failure(
                    "shutdown", TimeoutError(f"did not finish in {timeout:g} s")
                )
            except Exception as exc:
                result = self._writer.record_failure("shutdown", exc)
        self.close()
        return result

    async def __aenter__(self) -> SnapshotService:
        if self.enabled:
            await asyncio.to_thread(self.load_latest_snapshot)
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.shutdown()

    # -- signals --------------------------------------------------------------------------

    def install_signal_handlers(
        self, signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)
    ) -> None:
        """On SIGTERM/SIGINT: one final snapshot (bounded by shutdown_timeout_s), then the
        handler that was installed before. A second signal does not wait. Main thread only.

        Called inside a running event loop, the handlers go through the loop, so the final
        snapshot starts at a clean point between callbacks; otherwise from the handler itself.
        Either way it is written in the signalled thread without waiting on any other, and the
        host is held still meanwhile: the file holds the state its own handler then sees, and
        no file is written after it.
        """
        self._signals.install(signals)

    def uninstall_signal_handlers(self) -> None:
        """Put back the handlers that were there before install_signal_handlers()."""
        self._signals.uninstall()

"""SnapshotService: keeps a MemoryStorage alive across restarts through snapshot files.

Saves on demand, periodically (skipping a write when nothing changed) and on SIGTERM/SIGINT;
restores the newest valid file at start, falling back to older ones; rolls the live state back
to a listed file and undoes that. Serialization is atomic (one call under the storage lock, on
the event loop in async code); hashing, compression and disk I/O run off the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Protocol, runtime_checkable

from engine.jsjson import js_dumps, js_loads, may_differ_from_javascript, orjson_dumps
from engine.snapshot_dir import (
    default_snapshot_dir,
    ensure_snapshot_dir,
    list_snapshot_names,
    resolve_listed_name,
    rotate_snapshots,
    sweep_temp_files,
    write_snapshot_file,
)
from engine.snapshot_format import DEFAULT_MAX_BYTES, data_checksum, read_snapshot

__all__ = [
    "RollbackNotSavedError",
    "RollbackResult",
    "SaveResult",
    "ServiceStatus",
    "SkippedSnapshot",
    "SnapshotCapable",
    "SnapshotService",
    "SnapshotsDisabledError",
]

log = logging.getLogger(__name__)


@runtime_checkable
class SnapshotCapable(Protocol):
    """What the service needs of a storage: a lock, the live data object, and a way to refill it."""

    lock: Any

    def snapshot_data(self) -> dict[str, Any]: ...

    def load_data(self, data: dict[str, Any]) -> None: ...


_UNDO_LABEL = "the state before the last roll-back"


class RollbackNotSavedError(RuntimeError):
    """The roll-back took place in memory, but saving the restored state failed."""

    def __init__(self, label: str, cause: OSError) -> None:
        super().__init__(
            f"rolled back to {label} in memory, but saving that state failed "
            f"({cause.strerror or cause}); the next save writes it"
        )


class SnapshotsDisabledError(RuntimeError):
    """Snapshots are off: the storage keeps its state elsewhere (Redis mode)."""


@dataclass(frozen=True)
class SaveResult:
    """The outcome of one save attempt."""

    at: str
    ok: bool
    path: Path | None = None
    checksum: str | None = None
    skipped_unchanged: bool = False
    error: str | None = None
    duration_s: float = 0.0
    reason: str = "manual"


@dataclass(frozen=True)
class SkippedSnapshot:
    """A file passed over at restore, and why."""

    name: str
    status: str
    reason: str


@dataclass(frozen=True)
class RollbackResult:
    """A live roll-back: the undo point saved first, the file restored, the file saved after."""

    restored: str
    undo_point: Path
    after: Path


@dataclass(frozen=True)
class ServiceStatus:
    """What a dashboard shows about a running service."""

    pid: int
    mode: str
    directory: Path
    enabled: bool
    interval_s: float
    max_snapshots: int
    running: bool
    last_save: SaveResult | None
    restored_from: str | None
    skipped: tuple[SkippedSnapshot, ...]
    can_undo: bool
    counts: dict[str, int] = field(default_factory=dict)


class _NotJavaScriptExact(Exception):
    """orjson's bytes may differ from JavaScript's: the exact encoder must serialize."""


def _confirm_javascript_exact(data_json: bytes) -> None:
    if may_differ_from_javascript(data_json):
        raise _NotJavaScriptExact


class _TimeLimitExceededError(Exception):
    """The final snapshot ran out of time."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise _TimeLimitExceededError in the main thread after `seconds` (a SIGALRM timer), if
    the host does not use SIGALRM itself; otherwise no limit."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGALRM) != signal.SIG_DFL
    ):
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise _TimeLimitExceededError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _rolled_back(label: str, undo_point: SaveResult, restored: SaveResult) -> RollbackResult:
    assert undo_point.path is not None and restored.path is not None
    log.info("rolled back to %s (undo point %s)", label, undo_point.path.name)
    return RollbackResult(label, undo_point.path, restored.path)


def _now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SnapshotService:
    """Periodic, on-demand and on-signal snapshots of a storage, and restore at start.

    With a storage that keeps its state elsewhere (Redis mode) the service is disabled: it
    never writes a file, and `save_snapshot()` raises SnapshotsDisabledError.
    """

    def __init__(
        self,
        storage: Any,
        snapshot_dir: Path | str | None = None,
        interval_s: float = 300.0,
        max_snapshots: int = 3,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        shutdown_timeout_s: float = 10.0,
    ) -> None:
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
        self.enabled = isinstance(storage, SnapshotCapable)
        self.last_save: SaveResult | None = None
        self.restored_from: str | None = None
        self.skipped: list[SkippedSnapshot] = []
        self._last_checksum: str | None = None
        self._undo_json: bytes | None = None
        self._write_lock = threading.Lock()
        self._task: asyncio.Task[None] | None = None
        self._previous_handlers: dict[int, Any] = {}
        self._signal_loop: asyncio.AbstractEventLoop | None = None
        self._signal_seen = False

    # -- saving ---------------------------------------------------------------------------

    def _require_enabled(self) -> SnapshotCapable:
        if not self.enabled:
            mode = getattr(self.storage, "mode", "another storage")
            raise SnapshotsDisabledError(
                f"snapshots are disabled: the state lives in {mode}, not in this process"
            )
        storage: SnapshotCapable = self.storage
        return storage

    def _serialize(self) -> bytes:
        """The data object's JavaScript-exact bytes, taken atomically under the storage lock."""
        storage = self._require_enabled()
        with storage.lock:
            return js_dumps(storage.snapshot_data())

    def _take(self) -> tuple[bytes, bool]:
        """The data serialized atomically by one orjson call under the storage lock, and whether
        those bytes are known to be JavaScript's (else they are checked while being written)."""
        storage = self._require_enabled()
        with storage.lock:
            data = storage.snapshot_data()
            fast = orjson_dumps(data)
            return (fast, False) if fast is not None else (js_dumps(data), True)

    def _write(
        self, data_json: bytes, reason: str, *, skip_unchanged: bool, exact: bool = True
    ) -> SaveResult:
        """Hash, compress, write durably and rotate (thread-safe; runs off the event loop).

        With `exact` False the bytes are checked against JavaScript's output while they are
        written; _NotJavaScriptExact is raised, and nothing written, where they may differ.
        """
        started = time.perf_counter()
        at = _now_text()
        with self._write_lock:
            return self._store(
                data_json,
                reason,
                skip_unchanged=skip_unchanged,
                exact=exact,
                started=started,
                at=at,
            )

    def _store(
        self,
        data_json: bytes,
        reason: str,
        *,
        skip_unchanged: bool,
        exact: bool,
        started: float,
        at: str,
        parallel: bool = True,
    ) -> SaveResult:
        """Write and rotate. Callers hold the write lock, except a signal handler, which must
        not wait for it (the code it interrupted may be the holder, or hold a lock it needs)."""
        checksum = data_checksum(data_json) if skip_unchanged else None
        if skip_unchanged and checksum == self._last_checksum:
            result = SaveResult(at, True, checksum=checksum, skipped_unchanged=True, reason=reason)
            self.last_save = result
            return result
        try:
            ensure_snapshot_dir(self.directory)
            path, encoded = write_snapshot_file(
                self.directory,
                data_json,
                checksum=checksum,
                confirm=None if exact else partial(_confirm_javascript_exact, data_json),
                parallel=parallel,
            )
            rotate_snapshots(self.directory, self.max_snapshots, protect=[path])
        except OSError as exc:
            error = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
            self.last_save = SaveResult(
                at, False, error=error, duration_s=time.perf_counter() - started, reason=reason
            )
            raise
        self._last_checksum = encoded.checksum
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

    def save_snapshot(self) -> Path:
        """Write a snapshot of the current state now; return its path. Raises on failure."""
        data_json, exact = self._take()
        try:
            result = self._write(data_json, "manual", skip_unchanged=False, exact=exact)
        except _NotJavaScriptExact:
            result = self._write(self._serialize(), "manual", skip_unchanged=False)
        assert result.path is not None
        return result.path

    async def save_snapshot_async(self, *, reason: str = "manual") -> Path:
        """Like save_snapshot; the loop is blocked only while the data is serialized. `reason`
        is what the log and the last-save record call it (`manual`, `shutdown`…)."""
        result = await self._save_async(reason, skip_unchanged=False)
        assert result.path is not None
        return result.path

    async def _save_async(self, reason: str, *, skip_unchanged: bool) -> SaveResult:
        data_json, exact = self._take()
        write = partial(self._write, reason=reason, skip_unchanged=skip_unchanged)
        try:
            return await asyncio.to_thread(write, data_json, exact=exact)
        except _NotJavaScriptExact:
            # Rare (floats orjson prints differently, array-index keys): the exact encoder,
            # on the loop so the snapshot stays atomic.
            return await asyncio.to_thread(write, self._serialize())

    def _record_failure(self, reason: str, exc: BaseException) -> SaveResult:
        message = f"{type(exc).__name__}: {exc}"
        log.error("snapshot (%s) failed: %s", reason, message)
        result = self.last_save
        if result is None or result.ok:
            result = SaveResult(_now_text(), False, error=message, reason=reason)
        self.last_save = replace(result, reason=reason)
        add_telemetry = getattr(self.storage, "add_telemetry", None)
        if callable(add_telemetry):
            with contextlib.suppress(Exception):
                add_telemetry(
                    {
                        "id": f"snapshot-error-{int(time.time() * 1000)}",
                        "level": "error",
                        "source": "SnapshotService",
                        "message": f"snapshot failed: {message}",
                        "timestamp": _now_text(),
                    }
                )
        return self.last_save

    async def save_periodic(self) -> SaveResult:
        """One periodic save: skipped when the data is byte-identical to the last snapshot's;
        never raises (a failure is logged and recorded in telemetry)."""
        try:
            return await self._save_async("periodic", skip_unchanged=True)
        except Exception as exc:
            return self._record_failure("periodic", exc)

    # -- restoring ------------------------------------------------------------------------

    def load_latest_snapshot(self) -> bool:
        """Restore the newest valid snapshot, falling back to older ones; True if one was.

        Every file passed over is logged and kept in `skipped` with its reason. Stale temp
        files from a crashed write are swept first.
        """
        storage = self._require_enabled()
        self.skipped = []
        if not self.directory.exists():
            return False
        ensure_snapshot_dir(self.directory)
        for name in sweep_temp_files(self.directory):
            log.info("removed a temp file left by an interrupted save: %s", name)
        for name in list_snapshot_names(self.directory):
            found = read_snapshot(self.directory / name, max_bytes=self.max_bytes)
            if found.is_valid and not isinstance(found.data, dict):
                found = replace(found, reason="data is not a JSON object")
            elif found.is_valid:
                with storage.lock:
                    storage.load_data(found.data)
                self.restored_from = name
                self._last_checksum = found.actual_checksum
                log.info("restored state from %s", name)
                return True
            self.skipped.append(SkippedSnapshot(name, found.status.value, found.reason))
            log.warning("skipped snapshot %s: %s", name, found.summary)
        return False

    # -- roll-back ------------------------------------------------------------------------

    def _read_listed(self, name: str) -> dict[str, Any]:
        found = read_snapshot(resolve_listed_name(self.directory, name), max_bytes=self.max_bytes)
        if not found.is_valid or not isinstance(found.data, dict):
            raise ValueError(f"{name} cannot be restored: {found.summary}")
        data: dict[str, Any] = found.data
        return data

    def _replace_state(self, data: dict[str, Any]) -> bytes:
        """Replace the whole state with `data`; return the new state, serialized."""
        storage = self._require_enabled()
        with storage.lock:
            storage.load_data(data)
            return js_dumps(storage.snapshot_data())

    def _undo_data(self) -> dict[str, Any]:
        if self._undo_json is None:
            raise ValueError("there is no roll-back to undo")
        data: dict[str, Any] = js_loads(self._undo_json)
        return data

    def _roll(self, data: dict[str, Any], label: str) -> RollbackResult:
        """Save the current state (the undo point; on failure nothing changes), put `data` in
        its place, save that."""
        before = self._serialize()
        undo_point = self._write(before, "before roll-back", skip_unchanged=False)
        after = self._replace_state(data)
        self._undo_json = before
        try:
            restored = self._write(after, "roll-back", skip_unchanged=False)
        except OSError as exc:
            raise RollbackNotSavedError(label, exc) from exc
        return _rolled_back(label, undo_point, restored)

    async def _roll_async(self, data: dict[str, Any], label: str) -> RollbackResult:
        """_roll for a running loop: state taken and replaced on the loop, files written off it."""
        before = self._serialize()
        write = partial(self._write, skip_unchanged=False)
        undo_point = await asyncio.to_thread(write, before, "before roll-back")
        after = self._replace_state(data)
        self._undo_json = before
        try:
            restored = await asyncio.to_thread(write, after, "roll-back")
        except OSError as exc:
            raise RollbackNotSavedError(label, exc) from exc
        return _rolled_back(label, undo_point, restored)

    def rollback(self, name: str) -> RollbackResult:
        """Save the current state (the undo point), restore the listed file `name` into the
        storage, then save the restored state. Only names from the directory's listing.

        If the undo point cannot be saved nothing changes (OSError). If the restored state
        cannot be saved it is live all the same, and RollbackNotSavedError says so."""
        return self._roll(self._read_listed(name), name)

    def undo_rollback(self) -> RollbackResult:
        """Go back to the state before the last roll-back, the same way (saved, restored, saved)."""
        return self._roll(self._undo_data(), _UNDO_LABEL)

    async def rollback_async(self, name: str) -> RollbackResult:
        """rollback() for a running loop: the file is read and the files written off the loop."""
        return await self._roll_async(await asyncio.to_thread(self._read_listed, name), name)

    async def undo_rollback_async(self) -> RollbackResult:
        """undo_rollback() for a running loop."""
        return await self._roll_async(self._undo_data(), _UNDO_LABEL)

    @property
    def can_undo(self) -> bool:
        return self._undo_json is not None

    # -- lifecycle ------------------------------------------------------------------------

    def status(self) -> ServiceStatus:
        counts_of: Callable[[], dict[str, int]] | None = getattr(
            self.storage, "count_entries", None
        )
        counts = counts_of() if callable(counts_of) else {}
        return ServiceStatus(
            pid=os.getpid(),
            mode=str(getattr(self.storage, "mode", "memory")),
            directory=self.directory,
            enabled=self.enabled,
            interval_s=self.interval_s,
            max_snapshots=self.max_snapshots,
            running=self._task is not None and not self._task.done(),
            last_save=self.last_save,
            restored_from=self.restored_from,
            skipped=tuple(self.skipped),
            can_undo=self.can_undo,
            counts=counts,
        )

    def start(self) -> None:
        """Start periodic saves in the running event loop (a no-op when disabled)."""
        if not self.enabled:
            log.info("snapshots disabled: storage mode is %s", getattr(self.storage, "mode", "?"))
            return
        if self._task is None or self._task.done():
            ensure_snapshot_dir(self.directory)
            sweep_temp_files(self.directory)
            self._task = asyncio.get_running_loop().create_task(self._run_periodic())

    async def _run_periodic(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            await self.save_periodic()

    async def stop(self) -> None:
        """Stop periodic saves."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

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
        await self.stop()
        if self.enabled:
            try:
                await self._save_async("shutdown", skip_unchanged=False)
            except Exception as error:
                self._record_failure("shutdown", error)

    # -- signals --------------------------------------------------------------------------

    def install_signal_handlers(
        self, signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)
    ) -> None:
        """On SIGTERM/SIGINT: one final snapshot (bounded by shutdown_timeout_s), then the
        handler that was installed before. A second signal does not wait. Main thread only.

        Called inside a running event loop, the handlers go through the loop, so the final
        snapshot starts at a clean point between callbacks; otherwise from the handler itself.
        Either way it is written in the signalled thread without waiting on any other, and the
        host is held still meanwhile: the file holds the state its own handler then sees.
        """
        try:
            self._signal_loop = asyncio.get_running_loop()
        except RuntimeError:
            self._signal_loop = None
        for signum in signals:
            self._previous_handlers[signum] = signal.getsignal(signum)
            if self._signal_loop is not None:
                self._signal_loop.add_signal_handler(signum, self._on_loop_signal, signum)
            else:
                signal.signal(signum, self._on_signal)

    def uninstall_signal_handlers(self) -> None:
        """Put back the handlers that were there before install_signal_handlers()."""
        for signum, handler in self._previous_handlers.items():
            if self._signal_loop is not None and not self._signal_loop.is_closed():
                self._signal_loop.remove_signal_handler(signum)
            signal.signal(signum, handler)
        self._previous_handlers.clear()
        self._signal_loop = None

    def _hand_over(self, signum: int, frame: FrameType | None) -> None:
        """Run the handler that was there before ours (the default one: die by the signal)."""
        previous = self._previous_handlers.get(signum, signal.SIG_DFL)
        self.uninstall_signal_handlers()
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if not self._signal_seen and self.enabled:
            self._signal_seen = True
            self._final_snapshot(signum)
        self._hand_over(signum, frame)

    def _on_loop_signal(self, signum: int) -> None:
        """The loop's handler: at a clean point between callbacks, take the same path as a
        plain handler, with plain handlers installed first so that a second signal acts at
        once instead of waiting for the loop."""
        loop, self._signal_loop = self._signal_loop, None
        for other in self._previous_handlers:
            if loop is not None and not loop.is_closed():
                loop.remove_signal_handler(other)
            signal.signal(other, self._on_signal)
        self._on_signal(signum, None)

    def _final_snapshot(self, signum: int) -> None:
        """The final snapshot from inside a signal handler: all in this thread, no other
        thread waited for, bounded by a SIGALRM timer when the host leaves SIGALRM alone."""
        reason = f"on {signal.Signals(signum).name}"
        started = time.perf_counter()
        try:
            with _time_limit(self.shutdown_timeout_s):
                data_json = self._serialize()
                self._store(
                    data_json,
                    reason,
                    skip_unchanged=False,
                    exact=True,
                    started=started,
                    at=_now_text(),
                    parallel=False,
                )
        except _TimeLimitExceededError:
            log.error("final snapshot %s did not finish in %.1f s", reason, self.shutdown_timeout_s)
        except Exception as exc:
            self._record_failure(reason, exc)

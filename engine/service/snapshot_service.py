"""SnapshotService: keeps a MemoryStorage alive across restarts through snapshot files.

Saves on demand, periodically (skipping a write when nothing changed) and on SIGTERM/SIGINT;
restores the newest valid file at start, falling back to older ones; rolls the live state back
to a listed file and undoes that once. Serialization is atomic (one call under the storage
lock, on the event loop in async code); hashing, compression and disk I/O run off the loop.

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
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Protocol, runtime_checkable

from statesnap.engine.directory.files import (
    default_snapshot_dir,
    ensure_snapshot_dir,
    list_snapshot_names,
    resolve_listed_name,
    rotate_snapshots,
    sweep_temp_files,
    write_snapshot_file,
)
from statesnap.engine.directory.lock import DirectoryLock
from statesnap.engine.format.jsjson import (
    js_dumps,
    js_loads,
    may_differ_from_javascript,
    orjson_dumps,
)
from statesnap.engine.format.snapshot import DEFAULT_MAX_BYTES, data_checksum, read_snapshot
from statesnap.engine.format.timestamps import now_iso

__all__ = [
    "MAX_HOLD_S",
    "NothingToUndoError",
    "RollbackNotSavedError",
    "RollbackResult",
    "SaveResult",
    "ServiceClosedError",
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
MAX_HOLD_S = 3600.0
"""Longest a file can be held back from rotation by one `hold()`."""
ROLLBACK_GRACE_S = 900.0
"""How long after a roll-back (or its undo) rotation spares every file listed at that moment,
so that an older one can still be tried."""


class RollbackNotSavedError(RuntimeError):
    """The roll-back took place in memory, but saving the restored state failed."""

    def __init__(self, label: str, cause: OSError) -> None:
        super().__init__(
            f"rolled back to {label} in memory, but saving that state failed "
            f"({cause.strerror or cause}); the next save writes it"
        )


class NothingToUndoError(ValueError):
    """There is no roll-back to undo: none since the service started, or it was undone."""


class ServiceClosedError(RuntimeError):
    """The service wrote its final snapshot: nothing may be written after it."""


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
    """A live roll-back (or its undo): the state before saved first (`undo_point`), then what
    was restored (`restored`: a file name, or the state before the last roll-back), saved as
    `after`."""

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
    last_rollback: RollbackResult | None = None
    """The roll-back `undo` would undo (None: nothing to undo)."""
    kept: tuple[str, ...] = ()
    """Files rotation keeps whatever their age: those of the last roll-back (and, for
    `rollback_grace_s` after it, every file listed then), and held ones."""
    rollback_grace_s: float = 0.0


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


_RollSteps = Generator[tuple[bytes, str], SaveResult, RollbackResult]
"""A roll-back's steps: yields (data, reason) to write, is sent each SaveResult."""


def _rolled_back(label: str, undo_point: SaveResult, restored: SaveResult) -> RollbackResult:
    assert undo_point.path is not None and restored.path is not None
    log.info("rolled back to %s (undo point %s)", label, undo_point.path.name)
    return RollbackResult(label, undo_point.path, restored.path)


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
        self.enabled = isinstance(storage, SnapshotCapable)
        self.last_save: SaveResult | None = None
        self.restored_from: str | None = None
        self.skipped: list[SkippedSnapshot] = []
        self._last_checksum: str | None = None
        self.on_save = on_save
        self._undo_json: bytes | None = None
        self._last_rollback: RollbackResult | None = None
        self._rollback_files: tuple[str, ...] = ()
        self._listed_at_rollback: tuple[str, ...] = ()
        self._grace_until = 0.0
        self._holds: dict[str, float] = {}
        self._directory_lock = DirectoryLock(self.directory)
        self._write_lock = threading.Lock()
        self._final_started = False
        self._task: asyncio.Task[None] | None = None
        self._previous_handlers: dict[int, Any] = {}
        self._signal_loop: asyncio.AbstractEventLoop | None = None
        self._signal_seen = False

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
        if seconds <= 0:
            self._holds.pop(name, None)
        else:
            self._holds[name] = time.monotonic() + min(seconds, MAX_HOLD_S)

    def _kept_names(self) -> tuple[str, ...]:
        now = time.monotonic()
        for name, until in list(self._holds.items()):
            if until <= now:
                self._holds.pop(name, None)
        listed = self._listed_at_rollback if now < self._grace_until else ()
        return tuple(dict.fromkeys((*self._rollback_files, *listed, *self._holds)))

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
            return self._store(
                data_json,
                reason,
                skip_unchanged=skip_unchanged,
                exact=exact,
                started=started,
                at=at,
                rotate=rotate,
                final=final,
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
        rotate: bool = True,
        final: bool = False,
    ) -> SaveResult:
        """Write and (with `rotate`) rotate. Callers hold the write lock, except a signal
        handler that interrupted its holder. Once a `final` write has begun no other write
        starts, and one already under way is dropped before it takes a name."""
        if final:
            self._final_started = True
        else:
            self._check_open()
        checksum = data_checksum(data_json) if skip_unchanged else None
        if skip_unchanged and checksum == self._last_checksum:
            result = SaveResult(at, True, checksum=checksum, skipped_unchanged=True, reason=reason)
            self.last_save = result
            return result
        try:
            self.claim_directory()
            path, encoded = write_snapshot_file(
                self.directory,
                data_json,
                checksum=checksum,
                confirm=None if exact else partial(_confirm_javascript_exact, data_json),
                parallel=parallel,
                before_link=None if final else self._check_open,
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

    def _check_open(self) -> None:
        if self._final_started:
            raise ServiceClosedError("the service has written its final snapshot")

    def _saved(self, path: Path) -> None:
        if self.on_save is None:
            return
        try:
            self.on_save(path)
        except Exception:
            log.exception("on_save failed for %s", path.name)

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

    async def _save_async(
        self, reason: str, *, skip_unchanged: bool, final: bool = False
    ) -> SaveResult:
        data_json, exact = self._take()
        write = partial(self._write, reason=reason, skip_unchanged=skip_unchanged, final=final)
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
            result = SaveResult(now_iso(), False, error=message, reason=reason)
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
                        "timestamp": now_iso(),
                    }
                )
        return self.last_save

    async def save_periodic(self) -> SaveResult:
        """One periodic save: skipped when the data is byte-identical to the last snapshot's;
        never raises (a failure is logged and recorded in telemetry)."""
        try:
            return await self._save_async("periodic", skip_unchanged=True)
        except ServiceClosedError:
            return SaveResult(now_iso(), False, error="shut down", reason="periodic")
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
        self.claim_directory()
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
            raise NothingToUndoError(
                "nothing to undo: the last roll-back was already undone"
                if self._rollback_files
                else "nothing to undo: there was no roll-back since the server started"
            )
        data: dict[str, Any] = js_loads(self._undo_json)
        return data

    def _roll(self, data: dict[str, Any], label: str, *, undo: bool) -> _RollSteps:
        """The steps of a roll-back (or its undo), as a generator that yields each file to
        write and is sent the result, so that one driver writes in this thread and another
        off the event loop: save the current state (on failure nothing changes), put `data`
        in its place, save that. No rotation; the files involved are kept by later ones."""
        listed = tuple(list_snapshot_names(self.directory))
        before = self._serialize()
        undo_point = yield before, "before undo" if undo else "before roll-back"
        if not undo:
            self._listed_at_rollback = listed
        self._grace_until = time.monotonic() + self.rollback_grace_s
        assert undo_point.path is not None
        after = self._replace_state(data)
        self._undo_json = None if undo else before
        if undo:
            self._rollback_files = (*self._rollback_files, undo_point.path.name)
        else:
            self._rollback_files = (label, undo_point.path.name)
        try:
            restored = yield after, "undo" if undo else "roll-back"
        except OSError as exc:
            raise RollbackNotSavedError(label, exc) from exc
        result = _rolled_back(label, undo_point, restored)
        self._last_rollback = None if undo else result
        return result

    def _write_step(self, step: tuple[bytes, str]) -> SaveResult:
        return self._write(step[0], step[1], skip_unchanged=False, rotate=False)

    @staticmethod
    def _advance(
        steps: _RollSteps, outcome: SaveResult | OSError
    ) -> tuple[bytes, str] | RollbackResult:
        """Hand a write's outcome to the steps: the next file to write, or the result."""
        try:
            return steps.throw(outcome) if isinstance(outcome, OSError) else steps.send(outcome)
        except StopIteration as done:
            result: RollbackResult = done.value
            return result

    def _drive(self, steps: _RollSteps) -> RollbackResult:
        step: tuple[bytes, str] | RollbackResult = next(steps)
        while isinstance(step, tuple):
            try:
                outcome: SaveResult | OSError = self._write_step(step)
            except OSError as exc:
                outcome = exc
            step = self._advance(steps, outcome)
        return step

    async def _drive_async(self, steps: _RollSteps) -> RollbackResult:
        step: tuple[bytes, str] | RollbackResult = next(steps)
        while isinstance(step, tuple):
            try:
                outcome: SaveResult | OSError = await asyncio.to_thread(self._write_step, step)
            except OSError as exc:
                outcome = exc
            step = self._advance(steps, outcome)
        return step

    def rollback(self, name: str) -> RollbackResult:
        """Save the current state (the undo point), restore the listed file `name` into the
        storage, then save the restored state. Only names from the directory's listing.
        Deletes nothing; rotation keeps `name` and the undo point until the next roll-back,
        and every file listed now for `rollback_grace_s`.

        If the undo point cannot be saved nothing changes (OSError). If the restored state
        cannot be saved it is live all the same, and RollbackNotSavedError says so."""
        return self._drive(self._roll(self._read_listed(name), name, undo=False))

    def undo_rollback(self) -> RollbackResult:
        """Go back, once, to the state before the last roll-back: the current state is saved
        first, then the earlier one restored and saved. NothingToUndoError when there is no
        roll-back to undo (none yet, or it was undone)."""
        return self._drive(self._roll(self._undo_data(), _UNDO_LABEL, undo=True))

    async def rollback_async(self, name: str) -> RollbackResult:
        """rollback() for a running loop: states taken and replaced on the loop, the file read
        and the files written off it."""
        data = await asyncio.to_thread(self._read_listed, name)
        return await self._drive_async(self._roll(data, name, undo=False))

    async def undo_rollback_async(self) -> RollbackResult:
        """undo_rollback() for a running loop."""
        return await self._drive_async(self._roll(self._undo_data(), _UNDO_LABEL, undo=True))

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
            last_rollback=self._last_rollback if self.can_undo else None,
            kept=self._kept_names(),
            rollback_grace_s=self.rollback_grace_s,
        )

    def start(self) -> None:
        """Start periodic saves in the running event loop (a no-op when disabled). Claims the
        directory (DirectoryInUseError if another server serves it)."""
        if not self.enabled:
            log.info("snapshots disabled: storage mode is %s", getattr(self.storage, "mode", "?"))
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
                    self._save_async("shutdown", skip_unchanged=False, final=True), timeout
                )
            except TimeoutError:
                result = self._record_failure(
                    "shutdown", TimeoutError(f"did not finish in {timeout:g} s")
                )
            except Exception as exc:
                result = self._record_failure("shutdown", exc)
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
        thread waited for, bounded by a SIGALRM timer when the host leaves SIGALRM alone.
        Nothing is written after it: a save under way elsewhere drops its file instead of
        taking a name once this one has begun (its name would be older anyway)."""
        reason = f"on {signal.Signals(signum).name}"
        started = time.perf_counter()
        self._final_started = True  # from now on, a save under way elsewhere drops its file
        try:
            with _time_limit(self.shutdown_timeout_s):
                data_json = self._serialize()
                self._store(
                    data_json,
                    reason,
                    skip_unchanged=False,
                    exact=True,
                    started=started,
                    at=now_iso(),
                    parallel=False,
                    final=True,
                )
        except _TimeLimitExceededError:
            log.error("final snapshot %s did not finish in %.1f s", reason, self.shutdown_timeout_s)
        except Exception as exc:
            self._record_failure(reason, exc)

"""The demo server: a dev backend with live simulated activity, snapshots and the control
channel on, until SIGINT/SIGTERM or a stop event.

`run_demo_server(directory)` refuses a directory holding snapshots it did not write (see
statesnap.engine.demo.directory) or served by another server, picks the storage the environment asks
for (`AFW_REDIS_URL` gives Redis mode), restores the newest valid snapshot, saves
periodically, serves the control channel and runs the workload. On SIGTERM/SIGINT (handled on
the event loop, so the state is never caught mid-operation) or when `stop_event` is set, it
stops the workload and the control channel, writes one final snapshot (bounded by the
service's shutdown timeout) and removes its discovery record. A second signal does not wait:
the process dies at once.

`python -m statesnap.engine.demo.server --dir D` runs it headless; `statesnap demo` attaches the
dashboard.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from statesnap.engine.control.server import ControlServer
from statesnap.engine.demo.directory import DemoLedger, ForeignSnapshotsError, check_demo_directory
from statesnap.engine.demo.workload import Workload
from statesnap.engine.directory.files import default_snapshot_dir
from statesnap.engine.directory.lock import DirectoryInUseError
from statesnap.engine.format.process_tuning import tune_process_for_large_snapshots
from statesnap.engine.service.records import SaveResult
from statesnap.engine.service.snapshot_service import SnapshotService
from statesnap.engine.storage.create import StorageConfigError, create_storage
from statesnap.engine.storage.protocol import Storage

__all__ = ["DemoOutcome", "main", "run_demo_server"]

log = logging.getLogger(__name__)

_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass(frozen=True)
class DemoOutcome:
    """How a demo run ended: the signal that stopped it (None: the stop event), and the
    final snapshot's result (None when snapshots are off, in Redis mode)."""

    signal: int | None
    final_save: SaveResult | None


class _Stopper:
    """SIGTERM/SIGINT on the loop: the first asks for a clean stop, a second kills at once."""

    def __init__(self, loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
        self.loop = loop
        self.stop = stop
        self.signal: int | None = None
        self.installed: list[int] = []

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may handle signals; the stop event still works
        for signum in _SIGNALS:
            try:
                self.loop.add_signal_handler(signum, self._on_signal, signum)
            except (NotImplementedError, RuntimeError, ValueError):
                continue
            self.installed.append(signum)

    def uninstall(self) -> None:
        for signum in self.installed:
            with contextlib.suppress(Exception):
                self.loop.remove_signal_handler(signum)
        self.installed.clear()

    def _on_signal(self, signum: int) -> None:
        if self.signal is not None:
            log.warning("second %s: exiting now", signal.Signals(signum).name)
            self.uninstall()
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        log.info("%s: stopping", signal.Signals(signum).name)
        self.signal = signum
        self.stop.set()


def _real_clock() -> datetime:
    return datetime.now(UTC)


async def _run_workload(
    storage: Storage, workload: Workload, tick_s: float, stop: asyncio.Event, in_thread: bool
) -> None:
    while not stop.is_set():
        try:
            if in_thread:  # a storage kept elsewhere does network I/O: keep it off the loop
                await asyncio.to_thread(workload.tick, storage)
            else:
                workload.tick(storage)
        except Exception as exc:
            log.warning("workload tick failed: %s: %s", type(exc).__name__, exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), tick_s)


async def run_demo_server(
    directory: Path | str | None = None,
    *,
    interval_s: float = 10.0,
    tick_s: float = 0.5,
    seed: int | None = None,
    stop_event: asyncio.Event | None = None,
    max_snapshots: int = 3,
    handle_signals: bool = True,
) -> DemoOutcome:
    """Run the demo server until SIGTERM/SIGINT or `stop_event`; see the module docstring.

    `tick_s <= 0` runs no simulated activity (the state changes only through the control
    channel). Signals are handled only from the main thread and when `handle_signals`.
    """
    directory = Path(directory) if directory is not None else default_snapshot_dir()
    check_demo_directory(directory)
    storage = create_storage()
    ledger = DemoLedger(directory)
    service = SnapshotService(
        storage,
        snapshot_dir=directory,
        interval_s=interval_s,
        max_snapshots=max_snapshots,
        on_save=ledger.record,
    )
    try:
        service.claim_directory()
        ledger.start()
    except BaseException:
        service.close()
        _close_storage(storage)
        raise
    loop = asyncio.get_running_loop()
    stop = stop_event or asyncio.Event()
    stopper = _Stopper(loop, stop)
    if handle_signals:
        stopper.install()
    try:
        if service.enabled:
            restored = await asyncio.to_thread(service.load_latest_snapshot)
            log.info("restored from %s", service.restored_from if restored else "nothing")
        service.start()
        control = ControlServer(service, storage)
        await control.start()
        log.info(
            "demo server up: pid %d, %s mode, %s", os.getpid(), service.status().mode, directory
        )
        try:
            if tick_s > 0:
                workload = Workload(seed, clock=_real_clock)
                in_thread = not service.enabled
                await _run_workload(storage, workload, tick_s, stop, in_thread)
            else:
                await stop.wait()
        finally:
            await control.stop()
    finally:
        final = await service.shutdown()
        stopper.uninstall()
        _close_storage(storage)
    return DemoOutcome(stopper.signal, final)


def _close_storage(storage: Storage) -> None:
    close = getattr(storage, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):
            close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m statesnap.engine.demo.server",
        description="A dev server with simulated activity, snapshots and the control channel.",
    )
    parser.add_argument("--dir", type=Path, default=None, help="snapshot directory")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between snapshots")
    parser.add_argument(
        "--tick", type=float, default=0.5, help="seconds between bursts of activity (0: none)"
    )
    parser.add_argument("--seed", type=int, default=None, help="workload seed")
    parser.add_argument("--max-snapshots", type=int, default=3, help="snapshot files kept")
    parser.add_argument(
        "--headless", action="store_true", help="accepted; this entry point never draws"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo server headless. After a signal, exit the way that signal would have.

    This process is the demo's own, so it opts in to the garbage-collector tuning for large
    snapshots (`tune_process_for_large_snapshots`); `run_demo_server` alone does not.
    """
    args = _parser().parse_args(argv)
    if args.interval <= 0 or args.max_snapshots < 1:
        print("error: --interval must be positive, --max-snapshots at least 1", file=sys.stderr)
        return 2
    tune_process_for_large_snapshots()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        outcome = asyncio.run(
            run_demo_server(
                args.dir,
                interval_s=args.interval,
                tick_s=args.tick,
                seed=args.seed,
                max_snapshots=args.max_snapshots,
            )
        )
    except (OSError, DirectoryInUseError, ForeignSnapshotsError, StorageConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if outcome.signal is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        signal.signal(outcome.signal, signal.SIG_DFL)
        os.kill(os.getpid(), outcome.signal)
    return 0 if outcome.final_save is None or outcome.final_save.ok else 1


if __name__ == "__main__":
    sys.exit(main())

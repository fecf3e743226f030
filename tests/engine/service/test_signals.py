"""SnapshotService.install_signal_handlers in real processes: SIGTERM/SIGINT at random times,
mid-save too, give one final snapshot holding the latest state, then the handler that was
installed before runs; a second signal does not wait for a final snapshot that hangs."""

from __future__ import annotations

import random
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from statesnap.engine import list_snapshot_names, read_snapshot

from tests.support.node_bridge import js_verify
from tests.support.processes import Child

SIZE = "2000000"  # ~2 MB of state: a save takes long enough for signals to land inside it


def counter_of(path: Path) -> int:
    found = read_snapshot(path)
    assert found.is_valid, found.reason
    entry: Any = found.data["frequencies"].get("statesnap:counter")
    return int(entry["n"]) if isinstance(entry, dict) else 0


def final_snapshots(stderr: str, name: str) -> list[str]:
    """The files the service logged as written on the signal."""
    return re.findall(rf"snapshot saved: (\S+) \(on {name},", stderr)


@pytest.mark.parametrize("style", ["async", "in-loop"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_signal_at_random_times_gives_one_final_snapshot_then_the_previous_handler(
    tmp_path: Path, signum: int, style: str
) -> None:
    """An asyncio host saving back to back (serialization on the loop, writes in a worker
    thread): signals land between saves, while serializing and while writing. The handlers
    are installed before the loop runs (`async`) or from inside it (`in-loop`)."""
    name = signal.Signals(signum).name
    rng = random.Random(signum)
    checked: list[Path] = []
    for round_number in range(6):
        directory = tmp_path / f"round-{round_number}"
        child = Child("signal-host", str(directory), style, SIZE, "own")
        try:
            child.expect("ready")
            time.sleep(rng.uniform(0.0, 0.2))  # the random moment of the signal
            child.process.send_signal(signum)
            _, stderr = child.finish()
        finally:
            child.kill()
        assert child.process.returncode == 0, stderr
        previous = [line for line in child.lines if line.startswith("previous ")]
        assert len(previous) == 1, child.lines  # the earlier handler ran, once
        assert previous[0].split()[1] == name
        written = final_snapshots(stderr, name)
        assert len(written) == 1, stderr  # exactly one final snapshot
        newest = list_snapshot_names(directory)[0]
        assert written == [newest]
        assert counter_of(directory / newest) == int(previous[0].split()[2])  # latest state
        checked += [directory / name for name in list_snapshot_names(directory)]
    assert all(js_verify(*checked))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_signal_to_a_host_with_the_default_handlers(tmp_path: Path, signum: int) -> None:
    """No handler of the host's own: after the final snapshot SIGTERM still kills the
    process, SIGINT still raises KeyboardInterrupt."""
    name = signal.Signals(signum).name
    directory = tmp_path / "snaps"
    child = Child("signal-host", str(directory), "idle", "50000", "default")
    try:
        child.expect("ready")
        child.process.send_signal(signum)
        _, stderr = child.finish()
    finally:
        child.kill()
    newest = list_snapshot_names(directory)[0]
    assert final_snapshots(stderr, name) == [newest]
    if signum == signal.SIGTERM:
        assert child.process.returncode == -signal.SIGTERM
    else:
        interrupted = [line for line in child.lines if line.startswith("interrupted ")]
        assert child.process.returncode == 0 and len(interrupted) == 1
        assert counter_of(directory / newest) == int(interrupted[0].split()[1])
    assert js_verify(directory / newest) == [True]


@pytest.mark.parametrize("where", ["serialize", "write"])
def test_signal_inside_a_sync_save(tmp_path: Path, where: str) -> None:
    """SIGTERM arrives inside a sync save_snapshot() in the main thread: while it holds the
    storage lock to serialize, or while it writes its file. The final snapshot is written at
    once, in that thread, holding the latest state."""
    directory = tmp_path / "snaps"
    child = Child("signal-inside", str(directory), where)
    try:
        child.expect("ready")
        _, stderr = child.finish()
    finally:
        child.kill()
    assert child.lines[-1] == "previous SIGTERM 2", (child.lines, stderr)
    assert "did not finish" not in stderr, stderr
    written = final_snapshots(stderr, "SIGTERM")
    assert written == [list_snapshot_names(directory)[0]], stderr
    assert counter_of(directory / written[0]) == 2
    assert all(js_verify(*(directory / name for name in list_snapshot_names(directory))))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_second_signal_does_not_wait_for_a_hanging_final_snapshot(
    tmp_path: Path, signum: int
) -> None:
    """The final snapshot hangs (its writer blocks for minutes; the shutdown timeout is 300
    s): a second signal ends the process at once, the way the previous handler does."""
    directory = tmp_path / "snaps"
    child = Child("hanging-final", str(directory))
    try:
        child.expect("ready")
        child.process.send_signal(signum)
        child.expect("final-write-started")
        child.process.send_signal(signum)
        child.finish(timeout_s=30.0)  # far below the 300 s the first signal would wait
    finally:
        child.kill()
    if signum == signal.SIGTERM:
        assert child.process.returncode == -signal.SIGTERM
    else:
        assert child.process.returncode == 0 and child.lines[-1] == "interrupted"
    files = [directory / name for name in list_snapshot_names(directory)]
    assert all(js_verify(*files))  # the hung write left no partial file

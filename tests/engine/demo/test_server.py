"""The demo server in a real subprocess, driven through the control channel.

Every file it writes must load in the original (js_verify.mjs). State is checked twice: as the
channel reads it back from the live server, and as the files hold it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
from pathlib import Path
from typing import Any

import pytest
from statesnap.engine import (
    ControlClient,
    ControlError,
    DemoOutcome,
    MemoryStorage,
    SnapshotService,
    ensure_snapshot_dir,
    find_server,
    generate_state,
    js_dumps,
    list_snapshot_names,
    map_counts,
    read_snapshot,
    run_demo_server,
    write_snapshot_file,
)
from statesnap.engine.control.discovery import RECORD_NAME
from statesnap.engine.format.map_entries import map_entries

from tests.support.node_bridge import js_verify
from tests.support.processes import DemoProcess, wait_until


def snapshot_files(directory: Path) -> list[Path]:
    return [directory / name for name in list_snapshot_names(directory)]


def data_of(path: Path) -> Any:
    found = read_snapshot(path)
    assert found.is_valid, found.reason
    return found.data


def live_counts(client: ControlClient) -> dict[str, int]:
    return {item.name: item.count for item in client.maps()}


def assert_live_state_is(client: ControlClient, data: dict[str, Any]) -> None:
    """The state the channel reads back equals `data`: every map's size, and the entries of a
    few maps in full."""
    assert live_counts(client) == map_counts(data)
    for name in ("sessions", "events", "bookmarks", "telemetryEntries"):
        expected = map_entries(data[name])
        page = client.entries(name, 0, 1000)
        assert page.total == len(expected)
        assert js_dumps(dict(page.items)) == js_dumps(expected)


@pytest.fixture
def two_states(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A snapshot directory holding an older state A and a newer state B."""
    directory = ensure_snapshot_dir(tmp_path / "snaps")
    older, _ = write_snapshot_file(directory, js_dumps(generate_state(40_000, seed=1)))
    newer, _ = write_snapshot_file(directory, js_dumps(generate_state(60_000, seed=2)))
    return directory, older, newer


def test_live_demo_serves_status_and_snapshots_and_writes_a_final_one_on_sigterm(
    runtime: Path, tmp_path: Path
) -> None:
    directory = tmp_path / "snaps"
    with DemoProcess(directory, runtime, tick_s=0.01, interval_s=0.2, max_snapshots=3) as demo:
        client = demo.client()
        status = client.status()
        assert status.pid == demo.pid and status.mode == "memory" and status.enabled
        assert status.interval_s == 0.2 and status.max_snapshots == 3 and status.running
        # activity streams in: the telemetry count grows (the ring buffer is far from full)
        first = client.status().counts.get("telemetryEntries", 0)
        wait_until(lambda: client.status().counts["telemetryEntries"] > first + 5, what="activity")
        wait_until(lambda: len(snapshot_files(directory)) >= 2, what="periodic snapshots")
        name = client.snapshot()
        assert (directory / name).exists()
        last_seen = client.status().counts["telemetryEntries"]
        sessions = {key for key, _ in client.entries("sessions", 0, 1000).items}
        before = set(list_snapshot_names(directory))

        assert demo.stop(signal.SIGTERM) == -signal.SIGTERM
        log = demo.log()
    files = snapshot_files(directory)
    final = files[0]
    assert final.name not in before, log
    assert "SIGTERM: stopping" in log
    final_data = data_of(final)
    assert len(final_data["telemetryEntries"]) >= last_seen
    assert sessions & {session["id"] for session in final_data["sessions"]}
    assert len(files) <= 3 and all(js_verify(*files))
    assert not (directory / RECORD_NAME).exists()
    assert not any((runtime / "statesnap").iterdir())
    assert find_server(directory) is None


def test_rollback_and_undo_through_a_running_server(
    runtime: Path, two_states: tuple[Path, Path, Path]
) -> None:
    directory, older, newer = two_states
    state_a, state_b = data_of(older), data_of(newer)
    with DemoProcess(directory, runtime, host=True) as demo:
        client = demo.client()
        status = client.status()
        assert status.restored_from == newer.name and status.skipped == ()
        assert_live_state_is(client, state_b)

        result = client.rollback(older.name)
        assert result.restored == older.name
        assert_live_state_is(client, state_a)
        assert js_dumps(data_of(result.undo_point)) == js_dumps(state_b)
        assert js_dumps(data_of(result.after)) == js_dumps(state_a)
        assert client.status().can_undo

        undone = client.undo()
        assert_live_state_is(client, state_b)
        assert js_dumps(data_of(undone.after)) == js_dumps(state_b)

        with pytest.raises(ControlError, match="not a snapshot file name"):
            client.rollback(f"../{directory.name}/{older.name}")
        with pytest.raises(ControlError, match="is not a snapshot in"):
            client.rollback("snapshot-1999-01-01T00-00-00-000Z.json.gz")
        assert_live_state_is(client, state_b)

        client.rollback(older.name)  # leave the server in state A, then stop it
        assert demo.stop(signal.SIGINT) == -signal.SIGINT
    files = snapshot_files(directory)
    assert js_dumps(data_of(files[0])) == js_dumps(state_a)  # the final snapshot: the live state
    assert len(files) == 9 and all(js_verify(*files))


def test_foreign_and_oversized_requests_to_a_running_server(runtime: Path, tmp_path: Path) -> None:
    with DemoProcess(tmp_path / "snaps", runtime, tick_s=0.05) as demo:
        info = demo.wait_for_server()
        requests = [b'{"op": "delete everything"}', b"[]", b"{" * 70_000, b'{"op": "status"}']
        replies = []
        for request in requests:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(10)
                sock.connect(os.fspath(info.socket_path))
                sock.sendall(request + b"\n")
                replies.append(json.loads(sock.makefile("rb").readline()))
        assert [reply["ok"] for reply in replies] == [False, False, False, True]
        assert "unknown operation" in replies[0]["error"]
        assert "too large" in replies[2]["error"]
        assert ControlClient(info).status().pid == demo.pid


def test_a_killed_servers_record_is_stale_and_the_next_server_replaces_it(
    runtime: Path, tmp_path: Path
) -> None:
    directory = tmp_path / "snaps"
    with DemoProcess(directory, runtime, tick_s=0.05) as first:
        info = first.wait_for_server()
        first.process.kill()
        first.process.wait()
    assert (directory / RECORD_NAME).exists()  # left behind by kill -9 ...
    assert find_server(directory) is None  # ... and recognized as stale
    with pytest.raises(ControlError, match="not running"):
        ControlClient(info).status()
    with DemoProcess(directory, runtime, tick_s=0) as second:
        assert second.client().status().pid == second.pid
        assert second.stop() == -signal.SIGTERM


async def test_run_demo_server_stops_on_its_event_in_process(runtime: Path, tmp_path: Path) -> None:
    directory = tmp_path / "snaps"
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_demo_server(directory, tick_s=0.01, seed=5, stop_event=stop, handle_signals=False)
    )
    info = None
    while info is None:
        assert not task.done(), task
        await asyncio.sleep(0.01)  # the server runs on this loop: yield to it, then look
        info = find_server(directory)
    client = ControlClient(info)
    while (await asyncio.to_thread(client.status)).counts.get("sessions", 0) == 0:
        await asyncio.sleep(0.01)
    stop.set()
    outcome = await task
    assert isinstance(outcome, DemoOutcome) and outcome.signal is None
    assert outcome.final_save is not None and outcome.final_save.ok
    assert outcome.final_save.path == snapshot_files(directory)[0]
    restored = MemoryStorage()
    assert SnapshotService(restored, directory).load_latest_snapshot()
    assert restored.count_entries()["sessions"] > 0
    assert find_server(directory) is None

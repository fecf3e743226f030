"""The control channel: private socket and record, typed replies, hostile requests answered
with errors (the server keeps serving), stale records ignored.

The server runs in the test's event loop (as a host runs it); the blocking client runs in a
worker thread, as the dashboard's would. End-to-end runs in a subprocess are in
test_demo_server.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from statesnap.engine import (
    ControlClient,
    ControlError,
    ControlServer,
    MemoryStorage,
    NoSuchEntryError,
    RuntimeDirError,
    ServerInfo,
    SnapshotService,
    create_storage,
    find_server,
    generate_state,
    js_dumps,
    js_loads,
    list_snapshot_names,
    read_snapshot,
    write_snapshot_file,
)
from statesnap.engine.control import server as control_server
from statesnap.engine.control.discovery import (
    RECORD_NAME,
    ensure_runtime_dir,
    runtime_dir,
    write_server_record,
)
from statesnap.engine.control.wire import MAX_PAGE, MAX_REQUEST_BYTES
from statesnap.engine.format.map_entries import map_entries

from tests.support.node_bridge import js_verify


@dataclass
class Served:
    server: ControlServer
    service: SnapshotService
    storage: MemoryStorage
    directory: Path
    info: ServerInfo

    def client(self, timeout_s: float = 10.0) -> ControlClient:
        return ControlClient(self.info, timeout_s=timeout_s)

    async def call(self, method: str, *args: Any) -> Any:
        client = self.client()
        return await asyncio.to_thread(getattr(client, method), *args)


@pytest.fixture
async def served(runtime: Path, tmp_path: Path) -> AsyncIterator[Served]:
    storage = MemoryStorage()
    storage.load_data(generate_state(60_000, seed=3))
    directory = tmp_path / "snaps"
    service = SnapshotService(storage, directory, max_snapshots=10)
    server = ControlServer(service, storage)
    await server.start()
    info = await asyncio.to_thread(find_server, directory)
    assert info is not None
    try:
        yield Served(server, service, storage, directory, info)
    finally:
        await server.stop()


async def raw_exchange(path: Path, payload: bytes) -> list[dict[str, Any]]:
    """Send raw bytes on one connection, half-close, and read every reply line."""

    def exchange() -> bytes:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(10)
            sock.connect(os.fspath(path))
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks)

    raw = await asyncio.to_thread(exchange)
    return [json.loads(line) for line in raw.splitlines()]


# -- the socket and the record ------------------------------------------------------------


async def test_socket_record_and_runtime_dir_are_private(served: Served, runtime: Path) -> None:
    socket_path = served.server.socket_path
    assert socket_path is not None and socket_path.parent == runtime / "statesnap"
    assert stat.S_IMODE(os.stat(runtime / "statesnap").st_mode) == 0o700
    assert stat.S_ISSOCK(os.lstat(socket_path).st_mode)
    assert stat.S_IMODE(os.lstat(socket_path).st_mode) == 0o600
    record_path = served.directory / RECORD_NAME
    assert stat.S_IMODE(os.stat(record_path).st_mode) == 0o600
    record = json.loads(record_path.read_text())
    assert record["pid"] == os.getpid() and record["uid"] == os.geteuid()
    assert record["socket"] == str(socket_path) and record["mode"] == "memory"
    assert served.info == ServerInfo(
        os.getpid(), os.geteuid(), socket_path, "memory", record["started_at"], served.directory
    )


async def test_stop_removes_socket_and_record_and_the_client_says_so(served: Served) -> None:
    socket_path = served.server.socket_path
    assert socket_path is not None
    await served.server.stop()
    assert not socket_path.exists()
    assert not (served.directory / RECORD_NAME).exists()
    assert await asyncio.to_thread(find_server, served.directory) is None
    with pytest.raises(ControlError, match="not running"):
        await served.call("status")


def test_runtime_dir_follows_xdg_else_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert runtime_dir() == tmp_path / "statesnap"
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "missing"))  # set, but not there
    assert runtime_dir() == Path(f"/tmp/statesnap-{os.geteuid()}")
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert runtime_dir() == Path(f"/tmp/statesnap-{os.geteuid()}")


def test_runtime_dir_refuses_a_symlink_and_a_foreign_owner(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(RuntimeDirError, match="symbolic link"):
        ensure_runtime_dir(link)
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    os.chmod(loose, 0o755)
    ensure_runtime_dir(loose)
    assert stat.S_IMODE(os.stat(loose).st_mode) == 0o700
    if os.geteuid() != 0:
        pytest.skip("making a directory another user's needs root")
    foreign = tmp_path / "foreign"
    foreign.mkdir(mode=0o700)
    os.chown(foreign, 65534, 65534)
    with pytest.raises(RuntimeDirError, match="belongs to uid 65534"):
        ensure_runtime_dir(foreign)


# -- operations ---------------------------------------------------------------------------


async def test_status_reports_the_service(served: Served) -> None:
    await asyncio.to_thread(served.service.save_snapshot)
    status = await served.call("status")
    assert status.pid == os.getpid() and status.mode == "memory" and status.enabled
    assert status.directory == served.directory and status.max_snapshots == 10
    assert status.last_save is not None and status.last_save.ok
    assert served.service.last_save is not None
    assert status.last_save.path == served.service.last_save.path
    assert status.counts == served.storage.count_entries()
    assert status.can_undo is False and status.restored_from is None


async def test_maps_entries_and_entry_read_the_live_state(served: Served) -> None:
    data = served.storage.snapshot_data()
    maps = await served.call("maps")
    assert [(item.name, item.count) for item in maps] == [
        (name, len(value)) for name, value in data.items()
    ]
    assert {item.kind for item in maps} == {"object", "array"}
    for name in ("sessions", "events", "telemetryEntries", "frequencies"):
        expected = map_entries(data[name])
        page = await served.call("entries", name, 1, 3)
        assert page.total == len(expected) and page.offset == 1 and page.limit == 3
        assert list(page.items) == list(expected.items())[1:4]
        key, value = page.items[0]
        entry = await served.call("entry", name, key)
        assert (entry.map, entry.key, entry.value) == (name, key, value)
    # a change made in place to a stored record is what the channel shows next
    session = data["sessions"][0]
    session["status"] = "edited in place"
    entry = await served.call("entry", "sessions", session["id"])
    assert entry.value["status"] == "edited in place"


async def test_entries_are_paged_and_the_limit_capped(served: Served) -> None:
    for index in range(MAX_PAGE + 50):
        served.storage.set_entry("frequencies", f"k{index}", index)
    total = served.storage.count_entries()["frequencies"]
    page = await served.call("entries", "frequencies", 0, 10**6)
    assert page.limit == MAX_PAGE and len(page.items) == MAX_PAGE and page.total == total
    tail = await served.call("entries", "frequencies", total - 5, 100)
    assert len(tail.items) == 5
    assert (await served.call("entries", "frequencies", total + 7, 10)).items == ()
    for bad in ((-1, 10), (0, -1)):
        with pytest.raises(ControlError, match="must not be negative"):
            await served.call("entries", "frequencies", *bad)
    with pytest.raises(ControlError, match="no map named 'nope'"):
        await served.call("entries", "nope", 0, 10)
    with pytest.raises(NoSuchEntryError, match="no entry 'missing'"):
        await served.call("entry", "sessions", "missing")


async def test_pages_follow_the_last_key_read_while_the_map_changes(served: Served) -> None:
    client = served.client()
    for index in range(10):
        served.storage.set_entry("frequencies", f"k{index}", index)
        served.storage.set_entry("sessions", f"s{index}", {"id": f"s{index}"})

    def entries(name: str, offset: int, after: str | None) -> tuple[int, list[str]]:
        page = client.entries(name, offset, 3, after=after)
        return page.offset, list(page.keys)

    for name in ("sessions", "frequencies"):
        keys = list(map_entries(served.storage.snapshot_data()[name]))
        first = await asyncio.to_thread(entries, name, 0, None)
        assert first == (0, keys[:3])
        # the first entry goes: a page from offset 3 would skip one; the key follows
        served.storage.delete_entry(name, keys[0])
        assert await asyncio.to_thread(entries, name, 3, keys[2]) == (2, keys[3:6])
        # a key no longer there: the offset given
        served.storage.delete_entry(name, keys[5])
        assert await asyncio.to_thread(entries, name, 4, keys[5]) == (4, keys[6:9])


async def test_snapshot_rollback_and_undo(served: Served) -> None:
    before = served.storage.snapshot_data()
    first = await served.call("snapshot")
    path = served.directory / first
    assert path.exists() and first in list_snapshot_names(served.directory)
    assert read_snapshot(path).data == js_load(js_dumps(before))
    session_id = before["sessions"][0]["id"]
    served.storage.delete_session(session_id)
    served.storage.set_entry("frequencies", "added", {"n": 1})
    changed = js_dumps(served.storage.snapshot_data())

    result = await served.call("rollback", first)
    assert result.restored == first
    assert js_dumps(served.storage.snapshot_data()) == js_dumps(read_snapshot(path).data)
    assert (await served.call("entry", "sessions", session_id)).value["id"] == session_id
    assert read_snapshot(result.undo_point).data == js_load(changed)
    assert read_snapshot(result.after).data == read_snapshot(path).data
    assert (await served.call("status")).can_undo

    undone = await served.call("undo")
    assert js_dumps(served.storage.snapshot_data()) == changed
    assert (await served.call("entry", "frequencies", "added")).value == {"n": 1}
    assert read_snapshot(undone.after).data == js_load(changed)
    files = [served.directory / name for name in list_snapshot_names(served.directory)]
    assert len(files) == 5 and all(js_verify(*files))


def js_load(raw: bytes) -> Any:
    return js_loads(raw)


async def test_rollback_takes_only_listed_names(served: Served, tmp_path: Path) -> None:
    name = await served.call("snapshot")
    outside, _ = write_snapshot_file(tmp_path, js_dumps({"sessions": []}))
    (served.directory / "snapshot-not-gzip.json.gz").write_bytes(b"garbage")
    refused = {
        "../snaps/" + name: "not a snapshot file name",
        str(served.directory / name): "not a snapshot file name",
        str(outside): "not a snapshot file name",
        "..": "not a snapshot file name",
        "x.json": "not a snapshot file name",
        "snapshot-2020-01-01T00-00-00-000Z.json.gz": "is not a snapshot in",
        "snapshot-not-gzip.json.gz": "cannot be restored: corrupt",
        "snapshot-\x00.json.gz": "not a snapshot file name",
    }
    state = js_dumps(served.storage.snapshot_data())
    for bad, message in refused.items():
        with pytest.raises(ControlError, match=message):
            await served.call("rollback", bad)
    assert js_dumps(served.storage.snapshot_data()) == state
    with pytest.raises(ControlError, match="nothing to undo"):
        await served.call("undo")


# -- hostile requests ---------------------------------------------------------------------

FOREIGN = [
    b"not json at all",
    b"[1, 2, 3]",
    b'"status"',
    b"null",
    b"{}",
    b'{"op": 5}',
    b'{"op": "shutdown"}',
    b'{"op": "status", "extra": 1}',
    b'{"op": "entries"}',
    b'{"op": "entries", "map": 1}',
    b'{"op": "entries", "map": "sessions", "offset": true}',
    b'{"op": "entries", "map": "sessions", "offset": 1.5}',
    b'{"op": "entries", "map": "sessions", "limit": NaN}',
    b'{"op": "entries", "map": "sessions", "offset": 1e400}',
    b'{"op": "entries", "map": "sessions", "offset": 123456789012345678901234567890}',
    b'{"op": "entry", "map": "sessions"}',
    b'{"op": "entry", "map": "sessions", "key": ["a"]}',
    b'{"op": "rollback"}',
    b'{"op": "rollback", "file": "../../etc/passwd"}',
    b'{"op": "rollback", "file": {"path": "/etc"}}',
    b'{"op": "\xff\xfe"}',
    b'{"op": "\\ud800"}',
    b"[" * 20_000 + b"]" * 20_000,
    b'{"op": "status"',
    b"\x00\x01\x02",
]


async def test_foreign_requests_get_errors_and_the_server_keeps_serving(served: Served) -> None:
    assert served.server.socket_path is not None
    payload = b"".join(line + b"\n" for line in FOREIGN) + b'{"op": "status"}\n'
    replies = await raw_exchange(served.server.socket_path, payload)
    assert len(replies) == len(FOREIGN) + 1
    for line, reply in zip(FOREIGN, replies, strict=False):
        assert reply["ok"] is False, line
        assert isinstance(reply["error"], str) and reply["error"], line
    assert replies[-1]["ok"] is True and replies[-1]["result"]["pid"] == os.getpid()
    assert (await served.call("status")).pid == os.getpid()


async def test_an_oversized_request_is_refused(served: Served) -> None:
    assert served.server.socket_path is not None
    huge = b'{"op": "entry", "map": "sessions", "key": "' + b"k" * (MAX_REQUEST_BYTES + 10)
    replies = await raw_exchange(served.server.socket_path, huge + b'"}\n{"op": "status"}\n')
    assert replies == [
        {"ok": False, "error": f"request too large (limit {MAX_REQUEST_BYTES} bytes)"}
    ]
    endless = b"x" * (4 * 1024 * 1024)  # never a newline
    replies = await raw_exchange(served.server.socket_path, endless)
    assert replies[0]["ok"] is False and "too large" in replies[0]["error"]
    assert (await served.call("status")).pid == os.getpid()
    with pytest.raises(ControlError, match="request too large"):
        await served.call("entry", "sessions", "k" * MAX_REQUEST_BYTES)


async def test_a_peer_of_another_uid_is_refused(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(control_server, "peer_credentials", lambda sock: (1, os.geteuid() + 1))
    with pytest.raises(ControlError, match="permission denied: peer uid"):
        await served.call("status")
    monkeypatch.undo()
    assert (await served.call("status")).pid == os.getpid()


async def test_a_silent_server_times_out(runtime: Path, tmp_path: Path) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path = ensure_runtime_dir() / "silent.sock"
    listener.bind(os.fspath(path))
    listener.listen()
    try:
        info = ServerInfo(os.getpid(), os.geteuid(), path, "memory", "", tmp_path)
        client = ControlClient(info, timeout_s=0.3)
        with pytest.raises(ControlError, match=r"did not answer within 0\.3 s"):
            await asyncio.to_thread(client.status)
    finally:
        listener.close()


async def test_a_socket_held_by_another_process_is_not_trusted(served: Served) -> None:
    impostor = ServerInfo(
        served.info.pid + 1, served.info.uid, served.info.socket_path, "memory", "", Path(".")
    )
    with pytest.raises(ControlError, match="not by the server"):
        await asyncio.to_thread(ControlClient(impostor).status)


# -- stale and untrusted records ----------------------------------------------------------


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _write_record(directory: Path, **fields: Any) -> None:
    record = {
        "version": 1,
        "pid": os.getpid(),
        "uid": os.geteuid(),
        "socket": "/nonexistent/statesnap.sock",
        "mode": "memory",
        "started_at": "2026-01-01T00:00:00.000Z",
        "directory": str(directory),
    } | fields
    (directory / RECORD_NAME).write_text(json.dumps(record))


async def test_stale_and_untrusted_records_are_ignored(served: Served, tmp_path: Path) -> None:
    assert served.server.socket_path is not None
    live_socket = str(served.server.socket_path)
    directory = tmp_path / "other"
    directory.mkdir(mode=0o700)
    assert find_server(directory) is None  # no record at all

    def found(**fields: Any) -> ServerInfo | None:
        _write_record(directory, **fields)
        return find_server(directory)

    assert found(socket=live_socket) is not None  # the live server, seen from another record
    assert found(socket=live_socket, pid=_dead_pid()) is None  # its process is gone
    assert found(socket=live_socket, uid=os.geteuid() + 1) is None  # someone else's
    assert found() is None  # no socket there
    assert found(socket="relative.sock") is None
    assert found(socket=live_socket, version=2) is None
    assert found(socket=live_socket, pid="1") is None
    refusing = ensure_runtime_dir() / "refusing.sock"
    bound = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    bound.bind(os.fspath(refusing))  # bound, never listening: connections are refused
    try:
        assert found(socket=str(refusing)) is None
    finally:
        bound.close()
    (directory / RECORD_NAME).write_bytes(b"{not json")
    assert find_server(directory) is None
    (directory / RECORD_NAME).write_bytes(b" " * (100 * 1024))
    assert find_server(directory) is None
    (directory / RECORD_NAME).unlink()
    (directory / RECORD_NAME).symlink_to(served.directory / RECORD_NAME)
    assert find_server(directory) is None  # a symbolic link is never followed


async def test_record_left_by_a_dead_server_is_stale_then_replaced(
    runtime: Path, tmp_path: Path
) -> None:
    directory = tmp_path / "snaps"
    directory.mkdir(mode=0o700)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path = ensure_runtime_dir() / "dead.sock"
    listener.bind(os.fspath(path))
    listener.listen()
    write_server_record(directory, path, "memory")
    record = json.loads((directory / RECORD_NAME).read_text())
    record["pid"] = _dead_pid()
    (directory / RECORD_NAME).write_text(json.dumps(record))
    listener.close()
    assert find_server(directory) is None
    service = SnapshotService(MemoryStorage(), directory)
    async with ControlServer(service) as server:
        info = await asyncio.to_thread(find_server, directory)
        assert info is not None and info.socket_path == server.socket_path
    assert not (directory / RECORD_NAME).exists()


# -- Redis mode ---------------------------------------------------------------------------


async def test_redis_mode_reports_status_and_refuses_snapshots(
    runtime: Path, tmp_path: Path, redis_server: Any, redis_prefix: str
) -> None:
    storage = create_storage({"AFW_REDIS_URL": redis_server.url, "AFW_REDIS_PREFIX": redis_prefix})
    await asyncio.to_thread(storage.set_session, {"id": "s-1", "user": "ana", "status": "x"})
    service = SnapshotService(storage, tmp_path / "snaps")
    async with ControlServer(service, storage):
        info = await asyncio.to_thread(find_server, tmp_path / "snaps")
        assert info is not None and info.mode == "redis"
        client = ControlClient(info)
        status = await asyncio.to_thread(client.status)
        assert status.mode == "redis" and not status.enabled
        assert status.counts["sessions"] == 1
        with pytest.raises(ControlError, match="snapshots are disabled"):
            await asyncio.to_thread(client.snapshot)
        if callable(getattr(storage, "read_maps", None)):
            entry = await asyncio.to_thread(client.entry, "sessions", "s-1")
            assert entry.value["user"] == "ana"
        else:  # the storage cannot list its maps yet: a clear refusal, not a crash
            with pytest.raises(ControlError, match="cannot be read in redis mode"):
                await asyncio.to_thread(client.maps)
    assert list_snapshot_names(tmp_path / "snaps") == []


class _StateElsewhere:
    """A storage that keeps its state out of process: no lock, no snapshot_data, only
    `read_maps()` and `count_entries()` (what Redis mode offers the channel)."""

    mode = "redis"

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.reads = 0

    def read_maps(self) -> dict[str, Any]:
        self.reads += 1
        copy: dict[str, Any] = js_loads(js_dumps(self.data))
        return copy

    def count_entries(self) -> dict[str, int]:
        return {name: len(value) for name, value in self.read_maps().items()}


async def test_state_kept_elsewhere_is_read_through_read_maps(
    runtime: Path, tmp_path: Path
) -> None:
    data = generate_state(20_000, seed=9)
    storage = _StateElsewhere(data)
    service = SnapshotService(storage, tmp_path / "snaps")
    async with ControlServer(service, storage):
        info = await asyncio.to_thread(find_server, tmp_path / "snaps")
        assert info is not None and info.mode == "redis"
        client = ControlClient(info)
        status = await asyncio.to_thread(client.status)
        assert status.counts == {name: len(value) for name, value in data.items()}
        maps = await asyncio.to_thread(client.maps)
        assert [item.name for item in maps] == list(data)
        session = data["sessions"][0]
        entry = await asyncio.to_thread(client.entry, "sessions", session["id"])
        assert entry.value == session
        with pytest.raises(ControlError, match="snapshots are disabled"):
            await asyncio.to_thread(client.rollback, "snapshot-x.json.gz")
    assert storage.reads >= 3

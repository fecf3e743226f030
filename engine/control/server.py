"""The control channel's server: a local Unix socket through which a dashboard drives a
running SnapshotService and reads the live state.

It runs on the host's asyncio loop (`asyncio.start_unix_server`), so every request is handled
on the loop thread and never races the host's own code. The socket lives in a 0700 runtime
directory, is 0600 itself, and only peers of our own uid (SO_PEERCRED) are served. A request is
one JSON object on one line, at most MAX_REQUEST_BYTES; the reply is one JSON object on one
line: `{"ok": true, "result": …}` or `{"ok": false, "error": "…"}`. A malformed, oversized or
foreign-shaped request gets an error reply; the server keeps serving.

Operations (field `op`): status, snapshot, rollback {file}, undo, hold {file, seconds}, maps,
entries {map, offset, limit}, entry {map, key}.

Starting claims the service's snapshot directory (one server per directory): a second server
on the same directory fails to start with DirectoryInUseError naming the first.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from statesnap.engine.control.discovery import (
    ensure_runtime_dir,
    new_socket_path,
    peer_credentials,
    remove_server_record,
    write_server_record,
)
from statesnap.engine.directory.files import ensure_snapshot_dir
from statesnap.engine.format.jsjson import js_dumps
from statesnap.engine.format.map_entries import map_entries
from statesnap.engine.format.snapshot import is_snapshot_name
from statesnap.engine.format.timestamps import format_timestamp
from statesnap.engine.service.snapshot_service import (
    MAX_HOLD_S,
    RollbackResult,
    SaveResult,
    ServiceStatus,
    SnapshotCapable,
    SnapshotsDisabledError,
    SnapshotService,
)

__all__ = [
    "DEFAULT_PAGE",
    "MAX_CONNECTIONS",
    "MAX_PAGE",
    "MAX_REQUEST_BYTES",
    "PROTOCOL_VERSION",
    "ControlServer",
]

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
MAX_REQUEST_BYTES = 64 * 1024
"""Longest request line accepted, newline included."""
MAX_PAGE = 1000
"""Most entries one `entries` reply holds (a larger `limit` is capped)."""
DEFAULT_PAGE = 100
MAX_CONNECTIONS = 32
_IDLE_TIMEOUT_S = 60.0
_STOP_GRACE_S = 10.0
_DISCARD_BYTES = 16 << 20
_DISCARD_TIMEOUT_S = 2.0
_MAX_NAME_CHARS = 1024
_MAX_KEY_CHARS = 16 * 1024

_FIELDS: dict[str, dict[str, type]] = {
    "status": {},
    "snapshot": {},
    "undo": {},
    "maps": {},
    "rollback": {"file": str},
    "hold": {"file": str, "seconds": int},
    "entries": {"map": str, "offset": int, "limit": int},
    "entry": {"map": str, "key": str},
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "rollback": ("file",),
    "hold": ("file", "seconds"),
    "entries": ("map",),
    "entry": ("map", "key"),
}


class RequestError(Exception):
    """A request the server refuses; the message goes back to the client."""


def _type_name(kind: type) -> str:
    return {str: "a string", int: "an integer"}.get(kind, kind.__name__)


def parse_request(line: bytes) -> tuple[str, dict[str, Any]]:
    """The operation and its arguments from one request line; RequestError if malformed."""
    try:
        request = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise RequestError(f"malformed request: not JSON ({exc})") from None
    if not isinstance(request, dict):
        raise RequestError('malformed request: expected a JSON object with an "op"')
    op = request.get("op")
    if not isinstance(op, str) or op not in _FIELDS:
        known = ", ".join(sorted(_FIELDS))
        shown = repr(op)[:60] if op is not None else "none"
        raise RequestError(f"unknown operation {shown}; expected one of: {known}")
    fields = _FIELDS[op]
    unexpected = sorted(key for key in request if key != "op" and key not in fields)
    if unexpected:
        shown = ", ".join(repr(key)[:40] for key in unexpected[:5])
        raise RequestError(f"unexpected field(s) for {op}: {shown}")
    for key in _REQUIRED.get(op, ()):
        if key not in request:
            raise RequestError(f'{op} needs "{key}"')
    args: dict[str, Any] = {}
    for key, kind in fields.items():
        if key not in request:
            continue
        value = request[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise RequestError(f'"{key}" must be {_type_name(kind)}')
        args[key] = value
    return op, args


def _checked_name(name: str) -> str:
    """A snapshot file name as a request may give it: a bare listed-style name, no path."""
    if (
        not name
        or len(name) > 255
        or "/" in name
        or "\\" in name
        or "\x00" in name
        or name in (".", "..")
        or not is_snapshot_name(name)
    ):
        raise RequestError(f"not a snapshot file name: {name[:80]!r}")
    return name


def _bounded_text(args: dict[str, Any], key: str, limit: int) -> str:
    value: str = args[key]
    if len(value) > limit:
        raise RequestError(f'"{key}" is too long')
    return value


def _save_json(result: SaveResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "at": result.at,
        "ok": result.ok,
        "file": result.path.name if result.path is not None else None,
        "checksum": result.checksum,
        "skipped_unchanged": result.skipped_unchanged,
        "error": result.error,
        "duration_s": result.duration_s,
        "reason": result.reason,
    }


def _rollback_fields(result: RollbackResult) -> dict[str, str]:
    return {
        "restored": result.restored,
        "undo_point": result.undo_point.name,
        "after": result.after.name,
    }


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    return "array" if isinstance(value, list) else "value"


class ControlServer:
    """The control channel of one running service, on the current asyncio loop.

    `await start()` listens and writes the discovery record into the service's snapshot
    directory; `await stop()` stops listening, lets requests in flight finish (bounded), and
    removes the socket and the record. Usable as `async with ControlServer(...)`.
    """

    def __init__(
        self,
        service: SnapshotService,
        storage: Any | None = None,
        *,
        runtime_directory: Path | None = None,
    ) -> None:
        self.service = service
        self.storage = service.storage if storage is None else storage
        self.runtime_directory = runtime_directory
        self.socket_path: Path | None = None
        self.record_path: Path | None = None
        self.started_at: str | None = None
        self._server: asyncio.AbstractServer | None = None
        self._clients: set[asyncio.Task[Any]] = set()
        self._inflight: set[asyncio.Task[bytes]] = set()
        self._change_lock = asyncio.Lock()
        self._handlers: dict[str, Callable[[dict[str, Any]], Awaitable[bytes]]] = {
            "status": self._status,
            "snapshot": self._snapshot,
            "rollback": self._rollback,
            "undo": self._undo,
            "hold": self._hold,
            "maps": self._maps,
            "entries": self._entries,
            "entry": self._entry,
        }

    @property
    def mode(self) -> str:
        return str(getattr(self.storage, "mode", "memory"))

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Claim the snapshot directory, listen on a fresh socket, publish the discovery
        record. DirectoryInUseError if another server serves the directory."""
        if self._server is not None:
            return
        await asyncio.to_thread(self.service.claim_directory)
        directory = ensure_runtime_dir(self.runtime_directory)
        path = new_socket_path(directory)
        server = await asyncio.start_unix_server(
            self._serve_client, path=os.fspath(path), limit=MAX_REQUEST_BYTES
        )
        try:
            os.chmod(path, 0o600)
            await asyncio.to_thread(self._publish, path)
        except BaseException:
            server.close()
            with contextlib.suppress(OSError):
                os.unlink(path)
            raise
        self._server = server
        self.socket_path = path
        log.info("control channel listening on %s", path)

    def _publish(self, path: Path) -> None:
        started = datetime.now(UTC)
        ensure_snapshot_dir(self.service.directory)
        self.record_path = write_server_record(self.service.directory, path, self.mode, started)
        self.started_at = format_timestamp(started)

    async def stop(self) -> None:
        """Stop listening, finish requests in flight (bounded), remove the socket and record."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for task in list(self._clients):
            task.cancel()
        if self._clients:
            await asyncio.wait(list(self._clients), timeout=_STOP_GRACE_S)
        if self._inflight:
            await asyncio.wait(list(self._inflight), timeout=_STOP_GRACE_S)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), timeout=_STOP_GRACE_S)
        path = self.socket_path
        if path is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)
            await asyncio.to_thread(remove_server_record, self.service.directory, path)
        log.info("control channel closed")

    async def __aenter__(self) -> ControlServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- connections ----------------------------------------------------------------------

    async def _serve_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._clients.add(task)
        try:
            refusal = self._refuse_peer(writer)
            if refusal is not None:
                await self._send(writer, self._error(refusal))
                return
            await self._serve_lines(reader, writer)
        except (ConnectionError, asyncio.CancelledError, TimeoutError):
            pass
        except Exception:  # a bug here must not take the server down
            log.exception("control connection failed")
        finally:
            if task is not None:
                self._clients.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), timeout=1.0)

    def _refuse_peer(self, writer: asyncio.StreamWriter) -> str | None:
        if len(self._clients) > MAX_CONNECTIONS:
            return "too many connections"
        sock: socket.socket | None = writer.get_extra_info("socket")
        if sock is None:
            return "cannot identify the peer"
        credentials = peer_credentials(sock)
        if credentials is None:
            return None  # no SO_PEERCRED here: the 0700 directory and 0600 socket still apply
        _pid, uid = credentials
        if uid != os.geteuid():
            log.warning("control channel: refused a peer with uid %d", uid)
            return f"permission denied: peer uid {uid} is not the server's"
        return None

    async def _serve_lines(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            try:
                line = await asyncio.wait_for(reader.readline(), _IDLE_TIMEOUT_S)
            except ValueError:  # the line went past the limit: the stream cannot be resynced
                await self._send(
                    writer, self._error(f"request too large (limit {MAX_REQUEST_BYTES} bytes)")
                )
                await self._discard_rest(reader, writer)
                return
            if not line:
                return
            if not line.strip():
                continue
            job = asyncio.ensure_future(self._respond(line))
            self._inflight.add(job)
            job.add_done_callback(self._inflight.discard)
            reply = await asyncio.shield(job)
            await self._send(writer, reply)

    @staticmethod
    async def _discard_rest(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read and drop what the peer still sends (bounded), so that closing does not reset
        the connection before the peer has read the error."""
        with contextlib.suppress(OSError, RuntimeError):
            writer.write_eof()
        budget = _DISCARD_BYTES
        with contextlib.suppress(TimeoutError, ConnectionError):
            async with asyncio.timeout(_DISCARD_TIMEOUT_S):
                while budget > 0 and (chunk := await reader.read(min(budget, 1 << 16))):
                    budget -= len(chunk)

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, reply: bytes) -> None:
        writer.write(reply + b"\n")
        await writer.drain()

    @staticmethod
    def _error(message: str) -> bytes:
        return b'{"ok":false,"error":' + js_dumps(message) + b"}"

    async def _respond(self, line: bytes) -> bytes:
        """The reply to one request line; never raises."""
        try:
            op, args = parse_request(line)
            result = await self._handlers[op](args)
        except RequestError as exc:
            return self._error(str(exc))
        except SnapshotsDisabledError as exc:
            return self._error(str(exc))
        except ValueError as exc:
            return self._error(str(exc))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            where = f": {exc.filename}" if exc.filename else ""
            return self._error(f"failed: {reason}{where}")
        except Exception as exc:
            log.exception("control request failed")
            return self._error(f"internal error: {type(exc).__name__}: {exc}")
        return b'{"ok":true,"result":' + result + b"}"

    # -- the live state -------------------------------------------------------------------

    def _memory(self) -> SnapshotCapable | None:
        return self.storage if isinstance(self.storage, SnapshotCapable) else None

    async def _with_maps(self, render: Callable[[dict[str, Any]], bytes]) -> bytes:
        """`render(maps)` over the live maps: under the storage lock, on the loop thread, for
        an in-memory storage; off the loop over `read_maps()` for one kept elsewhere."""
        memory = self._memory()
        if memory is not None:
            with memory.lock:
                return render(memory.snapshot_data())
        read_maps: Callable[[], dict[str, Any]] | None = getattr(self.storage, "read_maps", None)
        if not callable(read_maps):
            raise RequestError(f"the live state cannot be read in {self.mode} mode")

        def read_and_render() -> bytes:
            return render(read_maps())

        return await asyncio.to_thread(read_and_render)

    @staticmethod
    def _map_value(maps: dict[str, Any], name: str) -> Any:
        if name not in maps:
            raise RequestError(f"no map named {name[:80]!r}")
        return maps[name]

    # -- operations -----------------------------------------------------------------------

    async def _status(self, args: dict[str, Any]) -> bytes:
        if self._memory() is not None:
            status = self.service.status()
        else:
            status = await asyncio.to_thread(self.service.status)
        counts = dict(status.counts)
        if not counts:
            with contextlib.suppress(RequestError):
                counts = orjson.loads(await self._with_maps(self._counts_json))
        return js_dumps(self._status_json(status, counts))

    @staticmethod
    def _counts_json(maps: dict[str, Any]) -> bytes:
        return js_dumps(
            {
                name: len(value) if isinstance(value, dict | list) else 0
                for name, value in maps.items()
            }
        )

    def _status_json(self, status: ServiceStatus, counts: dict[str, int]) -> dict[str, Any]:
        return {
            "protocol": PROTOCOL_VERSION,
            "pid": status.pid,
            "mode": status.mode,
            "directory": str(status.directory),
            "enabled": status.enabled,
            "interval_s": status.interval_s,
            "max_snapshots": status.max_snapshots,
            "running": status.running,
            "last_save": _save_json(status.last_save),
            "restored_from": status.restored_from,
            "skipped": [
                {"name": item.name, "status": item.status, "reason": item.reason}
                for item in status.skipped
            ],
            "can_undo": status.can_undo,
            "last_rollback": (
                _rollback_fields(status.last_rollback) if status.last_rollback else None
            ),
            "kept": list(status.kept),
            "rollback_grace_s": status.rollback_grace_s,
            "counts": counts,
            "socket": str(self.socket_path) if self.socket_path else None,
            "started_at": self.started_at,
        }

    def _require_snapshots(self) -> None:
        if not self.service.enabled:
            raise RequestError(
                f"snapshots are disabled: the state lives in {self.mode}, not in this process"
            )

    async def _snapshot(self, args: dict[str, Any]) -> bytes:
        self._require_snapshots()
        async with self._change_lock:
            path = await self.service.save_snapshot_async()
        return js_dumps({"file": path.name})

    async def _rollback(self, args: dict[str, Any]) -> bytes:
        name = _checked_name(args["file"])
        self._require_snapshots()
        async with self._change_lock:
            result = await self.service.rollback_async(name)
        return js_dumps(_rollback_fields(result))

    async def _undo(self, args: dict[str, Any]) -> bytes:
        self._require_snapshots()
        async with self._change_lock:
            result = await self.service.undo_rollback_async()
        return js_dumps(_rollback_fields(result))

    async def _hold(self, args: dict[str, Any]) -> bytes:
        name = _checked_name(args["file"])
        seconds = max(0, min(args["seconds"], int(MAX_HOLD_S)))
        self.service.hold(name, seconds)
        return js_dumps({"file": name, "seconds": seconds})

    async def _maps(self, args: dict[str, Any]) -> bytes:
        def render(maps: dict[str, Any]) -> bytes:
            return js_dumps(
                {
                    "mode": self.mode,
                    "maps": [
                        {
                            "name": name,
                            "kind": _kind_of(value),
                            "count": len(value) if isinstance(value, dict | list) else 0,
                        }
                        for name, value in maps.items()
                    ],
                }
            )

        return await self._with_maps(render)

    async def _entries(self, args: dict[str, Any]) -> bytes:
        name = _bounded_text(args, "map", _MAX_NAME_CHARS)
        offset: int = args.get("offset", 0)
        limit: int = args.get("limit", DEFAULT_PAGE)
        if offset < 0:
            raise RequestError('"offset" must not be negative')
        if limit < 0:
            raise RequestError('"limit" must not be negative')
        limit = min(limit, MAX_PAGE)

        def render(maps: dict[str, Any]) -> bytes:
            value = self._map_value(maps, name)
            # An object map pages by walking to the offset; an array's keys depend on every
            # item before them (see map_entries), so it is keyed whole.
            entries = value if isinstance(value, dict) else map_entries(value)
            page = itertools.islice(entries.items(), offset, offset + limit)
            return js_dumps(
                {
                    "map": name,
                    "offset": offset,
                    "limit": limit,
                    "total": len(entries),
                    "items": [[str(key), item] for key, item in page],
                }
            )

        return await self._with_maps(render)

    async def _entry(self, args: dict[str, Any]) -> bytes:
        name = _bounded_text(args, "map", _MAX_NAME_CHARS)
        key = _bounded_text(args, "key", _MAX_KEY_CHARS)

        def render(maps: dict[str, Any]) -> bytes:
            value = self._map_value(maps, name)
            entries = value if isinstance(value, dict) else map_entries(value)
            if key not in entries:
                raise RequestError(f"no entry {key[:80]!r} in {name[:80]}")
            return js_dumps({"map": name, "key": key, "value": entries[key]})

        return await self._with_maps(render)

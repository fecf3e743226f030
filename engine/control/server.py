"""The control channel's server: a local Unix socket through which a dashboard drives a
running SnapshotService and reads the live state.

It runs on the host's asyncio loop (`asyncio.start_unix_server`), so every request is handled
on the loop thread and never races the host's own code. The socket lives in a 0700 runtime
directory, is 0600 itself, and only peers of our own uid (SO_PEERCRED) are served. Requests and
replies are lines of the wire protocol (`wire`); a malformed, oversized or foreign-shaped
request gets an error reply, and the server keeps serving. The live-state reads are
`live_state`'s; this module serves connections and drives the service.

Starting claims the service's snapshot directory (one server per directory): a second server
on the same directory fails to start with DirectoryInUseError naming the first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from statesnap.engine.control.discovery import (
    ensure_runtime_dir,
    new_socket_path,
    peer_credentials,
    remove_server_record,
    write_server_record,
)
from statesnap.engine.control.live_state import LiveStateReader
from statesnap.engine.control.wire import (
    MAX_REQUEST_BYTES,
    REQUEST_TOO_LARGE,
    Op,
    RequestError,
    decode_request,
    encode_refusal,
    encode_reply,
)
from statesnap.engine.control.wire_results import (
    encode_held,
    encode_rollback,
    encode_saved,
    encode_status,
)
from statesnap.engine.directory.files import ensure_snapshot_dir
from statesnap.engine.format.snapshot_names import is_snapshot_name
from statesnap.engine.format.timestamps import format_timestamp
from statesnap.engine.service.errors import SnapshotsDisabledError
from statesnap.engine.service.rollback import MAX_HOLD_S
from statesnap.engine.service.snapshot_service import SnapshotService
from statesnap.engine.storage.protocol import Storage
from statesnap.engine.travel.pins import checked_pin_name

__all__ = ["MAX_CONNECTIONS", "ControlServer"]

log = logging.getLogger(__name__)

MAX_CONNECTIONS = 32
_IDLE_TIMEOUT_S = 60.0
_STOP_GRACE_S = 10.0
_DISCARD_BYTES = 16 << 20
_DISCARD_TIMEOUT_S = 2.0


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


class ControlServer:
    """The control channel of one running service, on the current asyncio loop.

    `await start()` listens and writes the discovery record into the service's snapshot
    directory; `await stop()` stops listening, lets requests in flight finish (bounded), and
    removes the socket and the record. Usable as `async with ControlServer(...)`.
    """

    def __init__(
        self,
        service: SnapshotService,
        storage: Storage | None = None,
        *,
        runtime_directory: Path | None = None,
    ) -> None:
        self.service = service
        self.storage: Storage = service.storage if storage is None else storage
        self._live = LiveStateReader(self.storage)
        self.runtime_directory = runtime_directory
        self.socket_path: Path | None = None
        self.record_path: Path | None = None
        self.started_at: str | None = None
        self._server: asyncio.AbstractServer | None = None
        self._clients: set[asyncio.Task[Any]] = set()
        self._inflight: set[asyncio.Task[bytes]] = set()
        self._change_lock = asyncio.Lock()
        self._handlers: dict[Op, Callable[[dict[str, Any]], Awaitable[bytes]]] = {
            Op.STATUS: self._status,
            Op.SNAPSHOT: self._snapshot,
            Op.ROLLBACK: self._rollback,
            Op.UNDO: self._undo,
            Op.HOLD: self._hold,
            Op.MAPS: self._live.maps,
            Op.ENTRIES: self._live.entries,
            Op.ENTRY: self._live.entry,
        }

    @property
    def mode(self) -> str:
        return self.storage.mode

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
                await self._send(writer, encode_refusal(refusal))
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
                await self._send(writer, encode_refusal(REQUEST_TOO_LARGE))
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
        writer.write(reply)
        await writer.drain()

    async def _respond(self, line: bytes) -> bytes:
        """The reply to one request line; never raises."""
        try:
            op, args = decode_request(line)
            result = await self._handlers[op](args)
        except (RequestError, SnapshotsDisabledError, ValueError) as exc:
            return encode_refusal(str(exc))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            where = f": {exc.filename}" if exc.filename else ""
            return encode_refusal(f"failed: {reason}{where}")
        except Exception as exc:
            log.exception("control request failed")
            return encode_refusal(f"internal error: {type(exc).__name__}: {exc}")
        return encode_reply(result)

    # -- operations -----------------------------------------------------------------------

    async def _status(self, args: dict[str, Any]) -> bytes:
        if self._live.memory is not None:
            status = self.service.status()
        else:
            status = await asyncio.to_thread(self.service.status)
        return encode_status(status, socket=self.socket_path, started_at=self.started_at)

    def _require_snapshots(self) -> None:
        if not self.service.enabled:
            raise RequestError(
                f"snapshots are disabled: the state lives in {self.mode}, not in this process"
            )

    async def _snapshot(self, args: dict[str, Any]) -> bytes:
        self._require_snapshots()
        async with self._change_lock:
            path = await self.service.save_snapshot_async()
        return encode_saved(path.name)

    async def _rollback(self, args: dict[str, Any]) -> bytes:
        pin = "pin" in args  # or "file": decode_request lets only one through
        name = checked_pin_name(args["pin"]) if pin else _checked_name(args["file"])
        self._require_snapshots()
        async with self._change_lock:
            result = await self.service.rollback_async(name, pin=pin)
        return encode_rollback(result)

    async def _undo(self, args: dict[str, Any]) -> bytes:
        self._require_snapshots()
        async with self._change_lock:
            result = await self.service.undo_rollback_async()
        return encode_rollback(result)

    async def _hold(self, args: dict[str, Any]) -> bytes:
        name = _checked_name(args["file"])
        seconds = max(0, min(args["seconds"], int(MAX_HOLD_S)))
        self.service.hold(name, seconds)
        return encode_held(name, seconds)

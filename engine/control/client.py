"""The control channel's client: a blocking client for the dashboard and the CLI.

Find a server with `statesnap.engine.control.discovery.find_server(directory)`, then drive it with
`ControlClient(info)`. Every call opens a connection, checks that the process at the other end
is the recorded server of our own uid (SO_PEERCRED), sends one request line and reads one reply
line. Results are typed; a refusal, a timeout or a dead server raises ControlError.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from statesnap.engine.control.discovery import ServerInfo, peer_credentials
from statesnap.engine.control.server import DEFAULT_PAGE, MAX_REQUEST_BYTES
from statesnap.engine.format.jsjson import JSONInputError, js_dumps, js_loads
from statesnap.engine.service.snapshot_service import (
    RollbackResult,
    SaveResult,
    ServiceStatus,
    SkippedSnapshot,
)

__all__ = [
    "ControlClient",
    "ControlError",
    "EntryPage",
    "LiveEntry",
    "MapSummary",
]

DEFAULT_TIMEOUT_S = 30.0
MAX_REPLY_BYTES = 1 << 30


class ControlError(Exception):
    """The server refused a request, did not answer in time, or is not running."""


@dataclass(frozen=True)
class MapSummary:
    """One map of the live state: its name, shape (`object`, `array`, `value`) and size."""

    name: str
    kind: str
    count: int


@dataclass(frozen=True)
class EntryPage:
    """A page of one map's entries: `items` are (key, value) pairs, `total` counts them all."""

    map: str
    offset: int
    limit: int
    total: int
    items: tuple[tuple[str, Any], ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.items)


@dataclass(frozen=True)
class LiveEntry:
    """One entry of the live state."""

    map: str
    key: str
    value: Any


def _field(obj: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = obj.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ControlError(f"the server sent a malformed reply ({key!r} missing or mistyped)")
    return value


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ControlError("the server sent a malformed reply (a count is not an integer)")
    return value


def _optional(obj: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    return None if obj.get(key) is None else _field(obj, key, kind)


class ControlClient:
    """A blocking client of one running server."""

    def __init__(self, info: ServerInfo, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.info = info
        self.timeout_s = timeout_s

    # -- operations -----------------------------------------------------------------------

    def status(self) -> ServiceStatus:
        """The service's status: mode, interval, last save, restore, undo, map counts."""
        reply = self._call({"op": "status"})
        counts = _field(reply, "counts", dict)
        skipped = _field(reply, "skipped", list)
        return ServiceStatus(
            pid=_field(reply, "pid", int),
            mode=_field(reply, "mode", str),
            directory=Path(_field(reply, "directory", str)),
            enabled=_field(reply, "enabled", bool),
            interval_s=float(_field(reply, "interval_s", (int, float))),
            max_snapshots=_field(reply, "max_snapshots", int),
            running=_field(reply, "running", bool),
            last_save=self._save_result(reply.get("last_save")),
            restored_from=_optional(reply, "restored_from", str),
            skipped=tuple(
                SkippedSnapshot(
                    _field(item, "name", str),
                    _field(item, "status", str),
                    _field(item, "reason", str),
                )
                for item in skipped
                if isinstance(item, dict)
            ),
            can_undo=_field(reply, "can_undo", bool),
            counts={str(key): _count(value) for key, value in counts.items()},
            last_rollback=(
                self._rollback_result(reply["last_rollback"])
                if isinstance(reply.get("last_rollback"), dict)
                else None
            ),
            kept=tuple(name for name in reply.get("kept") or () if isinstance(name, str)),
            rollback_grace_s=float(_optional(reply, "rollback_grace_s", (int, float)) or 0.0),
        )

    def snapshot(self) -> str:
        """Ask the server to save a snapshot now; the new file's name."""
        name: str = _field(self._call({"op": "snapshot"}), "file", str)
        return name

    def rollback(self, name: str) -> RollbackResult:
        """Roll the live state back to the listed snapshot `name` (a file name, no path)."""
        return self._rollback_result(self._call({"op": "rollback", "file": name}))

    def undo(self) -> RollbackResult:
        """Undo the last roll-back (once; the server refuses when there is nothing to undo)."""
        return self._rollback_result(self._call({"op": "undo"}))

    def hold(self, name: str, seconds: int) -> None:
        """Keep the listed file `name` out of the server's rotation for `seconds` (0: let it
        go): a user is about to act on it."""
        self._call({"op": "hold", "file": name, "seconds": seconds})

    def maps(self) -> list[MapSummary]:
        """The live state's maps, in snapshot key order, with their sizes."""
        reply = self._call({"op": "maps"})
        return [
            MapSummary(
                _field(item, "name", str), _field(item, "kind", str), _field(item, "count", int)
            )
            for item in _field(reply, "maps", list)
            if isinstance(item, dict)
        ]

    def entries(self, map_name: str, offset: int = 0, limit: int = DEFAULT_PAGE) -> EntryPage:
        """A page of one map's entries (the server caps `limit`)."""
        reply = self._call({"op": "entries", "map": map_name, "offset": offset, "limit": limit})
        items = []
        for item in _field(reply, "items", list):
            if not isinstance(item, list) or len(item) != 2 or not isinstance(item[0], str):
                raise ControlError("the server sent a malformed entry")
            items.append((item[0], item[1]))
        return EntryPage(
            map=_field(reply, "map", str),
            offset=_field(reply, "offset", int),
            limit=_field(reply, "limit", int),
            total=_field(reply, "total", int),
            items=tuple(items),
        )

    def entry(self, map_name: str, key: str) -> LiveEntry:
        """One entry of the live state, in full."""
        reply = self._call({"op": "entry", "map": map_name, "key": key})
        if "value" not in reply:
            raise ControlError("the server sent a malformed reply ('value' missing)")
        return LiveEntry(_field(reply, "map", str), _field(reply, "key", str), reply["value"])

    # -- replies --------------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        return self.info.directory / name

    def _rollback_result(self, reply: dict[str, Any]) -> RollbackResult:
        return RollbackResult(
            restored=_field(reply, "restored", str),
            undo_point=self._path(_field(reply, "undo_point", str)),
            after=self._path(_field(reply, "after", str)),
        )

    def _save_result(self, raw: Any) -> SaveResult | None:
        if not isinstance(raw, dict):
            return None
        file_name = _optional(raw, "file", str)
        return SaveResult(
            at=_field(raw, "at", str),
            ok=_field(raw, "ok", bool),
            path=self._path(file_name) if file_name else None,
            checksum=_optional(raw, "checksum", str),
            skipped_unchanged=bool(raw.get("skipped_unchanged")),
            error=_optional(raw, "error", str),
            duration_s=float(_field(raw, "duration_s", (int, float))),
            reason=_field(raw, "reason", str),
        )

    # -- the wire -------------------------------------------------------------------------

    def _call(self, request: dict[str, Any]) -> dict[str, Any]:
        line = js_dumps(request) + b"\n"
        if len(line) > MAX_REQUEST_BYTES:
            raise ControlError(f"request too large (limit {MAX_REQUEST_BYTES} bytes)")
        deadline = time.monotonic() + self.timeout_s
        raw = self._exchange(line, deadline)
        try:
            reply = js_loads(raw)
        except JSONInputError as exc:
            raise ControlError(f"the server sent a malformed reply: {exc}") from None
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            raise ControlError("the server sent a malformed reply")
        if not reply["ok"]:
            error = reply.get("error")
            raise ControlError(error if isinstance(error, str) else "the server refused")
        result = reply.get("result")
        if not isinstance(result, dict):
            raise ControlError("the server sent a malformed reply (no result)")
        return result

    def _exchange(self, line: bytes, deadline: float) -> bytes:
        where = f"the server (pid {self.info.pid})"
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                sock.connect(os.fspath(self.info.socket_path))
                self._check_peer(sock)
                # A refusal may be answered, and the connection closed, before we write.
                with contextlib.suppress(BrokenPipeError):
                    sock.sendall(line)
                return self._read_line(sock, deadline)
        except (FileNotFoundError, ConnectionRefusedError):
            raise ControlError(f"{where} is not running") from None
        except TimeoutError:
            raise ControlError(f"{where} did not answer within {self.timeout_s:g} s") from None
        except OSError as exc:
            raise ControlError(f"{where}: {exc.strerror or exc}") from None

    def _check_peer(self, sock: socket.socket) -> None:
        credentials = peer_credentials(sock)
        if credentials is None:
            return
        pid, uid = credentials
        if uid != os.geteuid() or pid != self.info.pid:
            raise ControlError(
                f"the socket {self.info.socket_path} is held by pid {pid} (uid {uid}), "
                f"not by the server (pid {self.info.pid})"
            )

    @staticmethod
    def _read_line(sock: socket.socket, deadline: float) -> bytes:
        buffer = bytearray()
        searched = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise ControlError("the server closed the connection without answering")
            buffer += chunk
            end = buffer.find(b"\n", searched)
            if end >= 0:
                return bytes(buffer[:end])
            searched = len(buffer)
            if len(buffer) > MAX_REPLY_BYTES:
                raise ControlError("the server's reply is too large")

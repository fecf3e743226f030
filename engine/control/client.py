"""The control channel's client: a blocking client for the dashboard and the CLI.

Find a server with `statesnap.engine.control.discovery.find_server(directory)`, then drive it with
`ControlClient(info)`. Every call opens a connection, checks that the process at the other end
is the recorded server of our own uid (SO_PEERCRED), sends one request line and reads one reply
line (both in the format of `wire`). Results are typed; a refusal, a timeout or a dead server
raises ControlError.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from statesnap.engine.control.discovery import ServerInfo, peer_credentials
from statesnap.engine.control.records import EntryPage, LiveEntry, MapSummary
from statesnap.engine.control.wire import (
    DEFAULT_PAGE,
    MAX_REPLY_BYTES,
    NO_ENTRY,
    Op,
    ReplyError,
    RequestError,
    decode_reply,
    encode_request,
)
from statesnap.engine.control.wire_results import (
    decode_entries,
    decode_entry,
    decode_held,
    decode_maps,
    decode_rollback,
    decode_saved,
    decode_status,
)
from statesnap.engine.service.records import RollbackResult, ServiceStatus

__all__ = ["ControlClient", "ControlError"]

DEFAULT_TIMEOUT_S = 30.0

T = TypeVar("T")


class ControlError(Exception):
    """The server refused a request, did not answer in time, or is not running."""


class NoSuchEntryError(ControlError):
    """The live state holds no entry of that key in that map."""


class ControlClient:
    """A blocking client of one running server."""

    def __init__(self, info: ServerInfo, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.info = info
        self.timeout_s = timeout_s

    # -- operations -----------------------------------------------------------------------

    def status(self) -> ServiceStatus:
        """The service's status: mode, interval, last save, restore, undo, map counts."""
        return self._call(self._in_directory(decode_status), Op.STATUS)

    def snapshot(self) -> str:
        """Ask the server to save a snapshot now; the new file's name."""
        return self._call(decode_saved, Op.SNAPSHOT)

    def rollback(self, name: str, *, pin: bool = False) -> RollbackResult:
        """Roll the live state back to the listed snapshot `name` (a file name, no path), or
        with `pin`, to the pin of that name."""
        target = {"pin": name} if pin else {"file": name}
        return self._call(self._in_directory(decode_rollback), Op.ROLLBACK, **target)

    def undo(self) -> RollbackResult:
        """Undo the last roll-back (once; the server refuses when there is nothing to undo)."""
        return self._call(self._in_directory(decode_rollback), Op.UNDO)

    def hold(self, name: str, seconds: int) -> None:
        """Keep the listed file `name` out of the server's rotation for `seconds` (0: let it
        go): a user is about to act on it."""
        self._call(decode_held, Op.HOLD, file=name, seconds=seconds)

    def maps(self) -> list[MapSummary]:
        """The live state's maps, in snapshot key order, with their sizes."""
        return self._call(decode_maps, Op.MAPS)

    def entries(
        self, map_name: str, offset: int = 0, limit: int = DEFAULT_PAGE, *, after: str | None = None
    ) -> EntryPage:
        """A page of one map's entries (the server caps `limit`): from `offset`, or just past
        the key `after` while the map still holds it (the page's `offset` says where it began)."""
        cursor = {} if after is None else {"after": after}
        return self._call(
            decode_entries, Op.ENTRIES, map=map_name, offset=offset, limit=limit, **cursor
        )

    def entry(self, map_name: str, key: str) -> LiveEntry:
        """One entry of the live state, in full; NoSuchEntryError if it holds no such entry."""
        try:
            return self._call(decode_entry, Op.ENTRY, map=map_name, key=key)
        except ControlError as exc:
            if str(exc).startswith(NO_ENTRY):
                raise NoSuchEntryError(str(exc)) from None
            raise

    # -- the wire -------------------------------------------------------------------------

    def _in_directory(
        self, decode: Callable[[dict[str, Any], Path], T]
    ) -> Callable[[dict[str, Any]], T]:
        """`decode`, with the files it names found in the server's directory."""
        return lambda result: decode(result, self.info.directory)

    def _call(self, decode: Callable[[dict[str, Any]], T], op: Op, **fields: Any) -> T:
        """Send one request and decode its reply's result; ControlError on any failure."""
        try:
            line = encode_request(op, **fields)
            raw = self._exchange(line, time.monotonic() + self.timeout_s)
            return decode(decode_reply(raw))
        except (RequestError, ReplyError) as exc:
            raise ControlError(str(exc)) from None

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

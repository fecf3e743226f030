"""Finding a running server: its private runtime directory and the record it leaves in the
snapshot directory.

A server with the control channel on listens on a Unix socket in a runtime directory only its
user can enter (`$XDG_RUNTIME_DIR/statesnap`, else `/tmp/statesnap-<uid>`; a symbolic link or a
directory owned by someone else is refused), and writes a discovery record,
`.statesnap-server.json` (0600, written atomically), into the snapshot directory it serves,
and the same record beside its socket (`<socket>.json`), so that a command run elsewhere can
list the servers of its user and the directory each serves. The dashboard and the CLI read
those records to find a server; a record whose process is gone, or whose socket refuses
connections, is stale and ignored.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import socket
import stat
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from statesnap.engine.format.timestamps import format_timestamp

__all__ = [
    "RECORD_NAME",
    "RuntimeDirError",
    "ServerGone",
    "ServerInfo",
    "ensure_runtime_dir",
    "find_server",
    "list_servers",
    "new_socket_path",
    "peer_credentials",
    "read_server_record",
    "remove_server_record",
    "runtime_dir",
    "why_server_gone",
    "write_server_record",
]

RECORD_NAME = ".statesnap-server.json"
_RECORD_TEMP_PREFIX = RECORD_NAME + ".tmp-"
_RECORD_VERSION = 1
_MAX_RECORD_BYTES = 64 * 1024
_MAX_SOCKET_PATH = 107  # sun_path is 108 bytes, NUL included
_PROBE_TIMEOUT_S = 2.0


class RuntimeDirError(OSError):
    """The runtime directory cannot be trusted (a symbolic link, not a directory, not ours)."""


@dataclass(frozen=True)
class ServerInfo:
    """A live server found through its discovery record."""

    pid: int
    uid: int
    socket_path: Path
    mode: str
    started_at: str
    directory: Path


class ServerGone(Enum):
    """Why a server that was found is not there any more."""

    EXITED = "exited"
    """It stopped serving and removed its record (or another server has taken the directory
    since)."""
    DIED = "died"
    """Its process is gone and its record is left behind: killed (SIGKILL) or crashed."""
    UNREACHABLE = "unreachable"
    """Its process runs, but its control channel does not answer."""


def runtime_dir() -> Path:
    """Where sockets live: `$XDG_RUNTIME_DIR/statesnap` if that directory exists, else
    `/tmp/statesnap-<uid>`."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isabs(base) and os.path.isdir(base):
        return Path(base) / "statesnap"
    return Path("/tmp") / f"statesnap-{os.geteuid()}"


def _check_private_dir(path: Path, info: os.stat_result) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise RuntimeDirError(
            errno.ELOOP, "refusing a symbolic link as runtime directory", str(path)
        )
    if not stat.S_ISDIR(info.st_mode):
        raise RuntimeDirError(errno.ENOTDIR, "runtime directory is not a directory", str(path))
    if info.st_uid != os.geteuid():
        raise RuntimeDirError(
            errno.EPERM, f"runtime directory belongs to uid {info.st_uid}, not to us", str(path)
        )


def ensure_runtime_dir(path: Path | None = None) -> Path:
    """Create the runtime directory 0700 if needed and check it: ours, a real directory.

    Raises RuntimeDirError for a symbolic link, a non-directory, or a directory owned by another
    user; a directory of ours with looser permissions is made 0700.
    """
    path = runtime_dir() if path is None else Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o700)
        info = os.lstat(path)
    _check_private_dir(path, info)
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(path, 0o700, follow_symlinks=False)
    return path


def new_socket_path(directory: Path) -> Path:
    """A fresh socket path in the runtime directory, unique to this process and call."""
    path = directory / f"{os.getpid()}-{secrets.token_hex(4)}.sock"
    if len(os.fsencode(path)) > _MAX_SOCKET_PATH:
        raise RuntimeDirError(
            errno.ENAMETOOLONG, "socket path too long; set XDG_RUNTIME_DIR shorter", str(path)
        )
    return path


def peer_credentials(sock: socket.socket) -> tuple[int, int] | None:
    """The (pid, uid) of the process at the other end of a Unix socket (SO_PEERCRED), or None
    where the platform cannot tell."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    raw = sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    pid, uid, _gid = struct.unpack("3i", raw)
    return pid, uid


# -- the record ---------------------------------------------------------------------------


def _record_path(directory: Path) -> Path:
    return Path(directory) / RECORD_NAME


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # someone else's process: never ours
    return True


def _index_path(socket_path: Path) -> Path:
    """The runtime directory's copy of a server's record: beside its socket."""
    return Path(socket_path).with_suffix(".json")


def _sweep_record_temps(directory: Path) -> None:
    """Remove temp records left by writers that died (their pid is in the name)."""
    with contextlib.suppress(OSError):
        for name in os.listdir(directory):
            if not name.startswith(_RECORD_TEMP_PREFIX):
                continue
            pid_text = name[len(_RECORD_TEMP_PREFIX) :].partition("-")[0]
            if not pid_text.isdigit() or not _pid_alive(int(pid_text)):
                with contextlib.suppress(OSError):
                    os.unlink(directory / name)


def _sweep_dead_servers(runtime: Path) -> None:
    """Remove the records and sockets that servers which died left in the runtime directory."""
    _sweep_record_temps(runtime)
    with contextlib.suppress(OSError):
        for name in os.listdir(runtime):
            if not name.endswith(".json"):
                continue
            record = _read_record(runtime / name)
            if record is not None and not _pid_alive(record["pid"]):
                for path in (runtime / name, Path(record["socket"])):
                    if path.parent == runtime:
                        with contextlib.suppress(OSError):
                            os.unlink(path)


def _write_private(directory: Path, final: Path, payload: bytes) -> None:
    """Write `payload` to `final` atomically (a temp file in `directory`, renamed), 0600."""
    temp = directory / f"{_RECORD_TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(temp, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    os.close(fd)
    try:
        os.replace(temp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_server_record(
    directory: Path, socket_path: Path, mode: str, started_at: datetime | None = None
) -> Path:
    """Write this process's discovery record into the snapshot directory and beside its
    socket, atomically, 0600. The directory must exist (the service creates it 0700).
    Returns the snapshot directory's record path."""
    directory = Path(directory)
    moment = (started_at or datetime.now(UTC)).astimezone(UTC)
    record = {
        "version": _RECORD_VERSION,
        "pid": os.getpid(),
        "uid": os.geteuid(),
        "socket": str(Path(socket_path).absolute()),
        "mode": mode,
        "started_at": format_timestamp(moment),
        "directory": str(directory.absolute()),
    }
    payload = json.dumps(record, indent=1).encode() + b"\n"
    _sweep_record_temps(directory)
    final = _record_path(directory)
    _write_private(directory, final, payload)
    index = _index_path(socket_path)
    _sweep_dead_servers(index.parent)
    _write_private(index.parent, index, payload)
    return final


def read_server_record(directory: Path) -> dict[str, Any] | None:
    """The discovery record's fields if the record is there, ours and well-formed, else None.

    Never raises for what the file holds; a symbolic link, a file of another user, an
    oversized or malformed record all read as None.
    """
    return _read_record(_record_path(directory))


def _read_record(path: Path) -> dict[str, Any] | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return None
        if info.st_size > _MAX_RECORD_BYTES:
            return None
        raw = os.read(fd, _MAX_RECORD_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return record if _well_formed(record) else None


def _well_formed(record: Any) -> bool:
    if not isinstance(record, dict) or record.get("version") != _RECORD_VERSION:
        return False
    ints = ("pid", "uid")
    texts = ("socket", "mode", "started_at", "directory")
    return all(
        isinstance(record.get(key), int) and not isinstance(record.get(key), bool) for key in ints
    ) and all(isinstance(record.get(key), str) for key in texts)


def remove_server_record(directory: Path, socket_path: Path) -> bool:
    """Remove this process's records: the one beside its socket, and the snapshot directory's
    if it is still this process's (same pid and socket); return whether that one was removed.
    A record another server wrote since is left alone."""
    with contextlib.suppress(OSError):
        os.unlink(_index_path(socket_path))
    record = read_server_record(directory)
    if record is None:
        return False
    if record["pid"] != os.getpid() or record["socket"] != str(Path(socket_path).absolute()):
        return False
    try:
        os.unlink(_record_path(directory))
    except FileNotFoundError:
        return False
    return True


def _socket_answers(path: Path, pid: int) -> bool:
    """Whether `path` is our socket and the process listening on it is `pid`."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISSOCK(info.st_mode) or info.st_uid != os.geteuid():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(_PROBE_TIMEOUT_S)
        try:
            probe.connect(os.fspath(path))
        except OSError:
            return False
        credentials = peer_credentials(probe)
    return credentials is None or credentials == (pid, os.geteuid())


def _live_server(record: dict[str, Any] | None, directory: Path) -> ServerInfo | None:
    """The server a record describes, if it is ours and alive (its socket answers)."""
    if record is None or record["uid"] != os.geteuid():
        return None
    pid: int = record["pid"]
    socket_path = Path(record["socket"])
    if not socket_path.is_absolute() or not _pid_alive(pid):
        return None
    if not _socket_answers(socket_path, pid):
        return None
    return ServerInfo(
        pid=pid,
        uid=record["uid"],
        socket_path=socket_path,
        mode=record["mode"],
        started_at=record["started_at"],
        directory=directory,
    )


def find_server(directory: Path | str) -> ServerInfo | None:
    """The live server serving `directory`, or None.

    None also when the record is stale: its process is gone (or is another user's), or its
    socket is missing, not ours, refuses connections, or is held by another process.
    """
    directory = Path(directory)
    return _live_server(read_server_record(directory), directory)


def why_server_gone(info: ServerInfo) -> ServerGone:
    """Why the server `info` describes no longer answers (call it once `find_server` no longer
    finds it)."""
    record = read_server_record(info.directory)
    if record is None or (record["pid"], record["socket"]) != (info.pid, str(info.socket_path)):
        return ServerGone.EXITED
    return ServerGone.UNREACHABLE if _pid_alive(info.pid) else ServerGone.DIED


def list_servers() -> list[ServerInfo]:
    """Every live server of this user (from the records beside their sockets), each with the
    absolute directory it serves, oldest first."""
    try:
        names = sorted(os.listdir(runtime_dir()))
    except OSError:
        return []
    servers = []
    for name in names:
        if not name.endswith(".json"):
            continue
        record = _read_record(runtime_dir() / name)
        if record is None or not os.path.isabs(record["directory"]):
            continue
        info = _live_server(record, Path(record["directory"]))
        if info is not None:
            servers.append(info)
    return sorted(servers, key=lambda info: info.started_at)

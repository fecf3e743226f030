"""The snapshot directory: private creation, atomic durable writes, listing, sweeping, rotation.

A write goes to a hidden temp file in the same directory (mode 0600), is flushed and fsynced,
then hard-linked to a final name that no other file has (so nothing is ever overwritten), and
the directory is fsynced. A crash at any point leaves the earlier files intact and no partial
file under a final name; the temp files it leaves are swept at the next start.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.format.snapshot_encoding import (
    EncodedData,
    EncodedSnapshot,
    assemble,
    encode_data,
)
from statesnap.engine.format.snapshot_names import (
    is_snapshot_name,
    next_moment,
    snapshot_name,
    timestamp_from_name,
)
from statesnap.engine.format.snapshot_reading import DEFAULT_MAX_BYTES, read_snapshot

__all__ = [
    "DEFAULT_SNAPSHOT_DIR",
    "TEMP_PREFIX",
    "SnapshotDirError",
    "default_snapshot_dir",
    "ensure_snapshot_dir",
    "list_snapshot_names",
    "promote_file",
    "promote_snapshot",
    "resolve_listed_name",
    "rotate_snapshots",
    "rotation_victims",
    "sweep_temp_files",
    "write_encoded_file",
    "write_snapshot_file",
]

DEFAULT_SNAPSHOT_DIR = ".actionflows-snapshot"
TEMP_PREFIX = ".statesnap-tmp-"
_MAX_NAME_ATTEMPTS = 1000


class SnapshotDirError(OSError):
    """The snapshot directory cannot be used (a symbolic link, not a directory, no access)."""


def default_snapshot_dir() -> Path:
    """`$AFW_SNAPSHOT_DIR`, else `./.actionflows-snapshot`."""
    return Path(os.environ.get("AFW_SNAPSHOT_DIR") or DEFAULT_SNAPSHOT_DIR)


def ensure_snapshot_dir(directory: Path) -> Path:
    """Create the directory 0700 if needed and make it private; refuse a symbolic link."""
    directory = Path(directory)
    try:
        info = os.lstat(directory)
    except FileNotFoundError:
        directory.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(directory, 0o700)
        info = os.lstat(directory)
    if stat.S_ISLNK(info.st_mode):
        raise SnapshotDirError(
            errno.ELOOP, "refusing a symbolic link as snapshot directory", str(directory)
        )
    if not stat.S_ISDIR(info.st_mode):
        raise SnapshotDirError(
            errno.ENOTDIR, "snapshot directory is not a directory", str(directory)
        )
    if stat.S_IMODE(info.st_mode) != 0o700 and info.st_uid == os.geteuid():
        os.chmod(directory, 0o700)
    return directory


def check_snapshot_dir(directory: Path) -> None:
    """Raise SnapshotDirError if `directory` is a symbolic link or not a directory."""
    info = os.lstat(directory)
    if stat.S_ISLNK(info.st_mode):
        raise SnapshotDirError(
            errno.ELOOP, "refusing a symbolic link as snapshot directory", str(directory)
        )
    if not stat.S_ISDIR(info.st_mode):
        raise SnapshotDirError(errno.ENOTDIR, "not a directory", str(directory))


def list_snapshot_names(directory: Path) -> list[str]:
    """Snapshot file names in the directory, newest first (name order is time order).

    Lists what the original lists (`snapshot-*.json.gz`), temp files never; names that are not
    a timestamp (`snapshot-mine.json.gz`) come after all the timestamped ones, so a copy a user
    parked there is never taken for the newest state. A missing directory lists as empty.
    """
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    return sorted(
        (name for name in names if is_snapshot_name(name)),
        key=lambda name: (timestamp_from_name(name) is not None, name),
        reverse=True,
    )


def sweep_temp_files(directory: Path) -> list[str]:
    """Delete temp files a crashed write left behind; return their names."""
    swept = []
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    for name in names:
        if name.startswith(TEMP_PREFIX):
            try:
                os.unlink(directory / name)
            except FileNotFoundError:
                continue
            swept.append(name)
    return swept


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_temp(directory: Path, parts: tuple[bytes, ...]) -> Path:
    temp = directory / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        for part in parts:
            view = memoryview(part)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        _unlink_quietly(temp)
        raise
    os.close(fd)
    return temp


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _first_free_moment(directory: Path, moment: datetime) -> datetime:
    """`moment`, moved past the newest existing snapshot name so names stay in time order."""
    for name in list_snapshot_names(directory):
        newest = timestamp_from_name(name)
        if newest is not None:
            return max(moment, next_moment(newest))
    return moment


def write_snapshot_file(
    directory: Path,
    data_json: bytes,
    moment: datetime | None = None,
    *,
    parallel: bool = True,
    before_link: Callable[[], object] | None = None,
) -> tuple[Path, EncodedSnapshot]:
    """Write a v1 file holding `data_json` atomically and durably; return its path and content.
    With `parallel` False no other thread is used. See `write_encoded_file`."""
    return write_encoded_file(
        directory, encode_data(data_json, parallel=parallel), moment, before_link=before_link
    )


def write_encoded_file(
    directory: Path,
    data: EncodedData,
    moment: datetime | None = None,
    *,
    before_link: Callable[[], object] | None = None,
) -> tuple[Path, EncodedSnapshot]:
    """Write a v1 file holding the encoded data atomically and durably; return its path and
    content.

    The name encodes `moment` (default: now), moved later by whole milliseconds if needed so
    that it is newer than every snapshot in the directory and no file is ever replaced.
    `before_link`, if given, runs just before the file takes its name; if it raises, the temp
    file is removed and its exception propagates. Raises OSError on failure, having left
    every existing file untouched.
    """
    check_snapshot_dir(directory)
    moment = _first_free_moment(directory, moment or datetime.now(UTC))
    for _ in range(_MAX_NAME_ATTEMPTS):
        encoded = assemble(data, moment)
        final = directory / snapshot_name(moment)
        temp = write_temp(directory, encoded.parts)
        try:
            if before_link is not None:
                before_link()
            os.link(temp, final, follow_symlinks=False)
        except FileExistsError:
            moment = next_moment(moment)
            continue
        finally:
            _unlink_quietly(temp)
        fsync_dir(directory)
        return final, encoded
    raise OSError(errno.EEXIST, "no free snapshot name", str(directory))


def rotation_victims(names: Iterable[str], keep: int, protect: Iterable[str] = ()) -> list[str]:
    """The files a rotation that keeps the `keep` newest deletes, given the listed names newest
    first: timestamp-named files past the `keep` newest, except the `protect`ed names. Names
    without a timestamp (a copy a user parked there) are never deleted."""
    protected = set(protect)
    dated = [name for name in names if timestamp_from_name(name)]
    return [name for name in dated[max(keep, 0) :] if name not in protected]


def rotate_snapshots(directory: Path, keep: int, protect: Iterable[str] = ()) -> list[Path]:
    """Delete the snapshot files `rotation_victims` names; return what was deleted.

    Only a server's own save calls this, with its own `max_snapshots`, after the new file is
    durable, and with that file (the newest valid one) among `protect`.
    """
    deleted = []
    for name in rotation_victims(list_snapshot_names(directory), max(keep, 1), protect):
        try:
            os.unlink(directory / name)
        except FileNotFoundError:
            continue
        deleted.append(directory / name)
    if deleted:
        fsync_dir(directory)
    return deleted


def resolve_listed_name(directory: Path, name: str) -> Path:
    """The path of `name` if it is a snapshot in the directory's own listing, else ValueError.

    Anything that reaches a running server or rewrites the directory goes through this: no
    paths, no `..`, only names the listing holds.
    """
    if name not in list_snapshot_names(directory):
        raise ValueError(f"{name!r} is not a snapshot in {directory}")
    return directory / name


def promote_snapshot(directory: Path, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """Make a listed, valid snapshot's state the newest snapshot (the offline roll-back).

    Writes one new file holding that file's data, so the next start loads it, and deletes
    nothing. Raises ValueError if the name is not listed or the file is not valid; OSError on
    I/O.
    """
    return promote_file(directory, resolve_listed_name(directory, name), name, max_bytes)


def promote_file(directory: Path, source: Path, label: str, max_bytes: int) -> Path:
    """Write the valid snapshot `source` (named `label` in errors)'s state as the directory's
    newest snapshot; ValueError if it is not valid."""
    found = read_snapshot(source, max_bytes=max_bytes)
    if not found.is_valid:
        raise ValueError(f"{label} cannot be restored: {found.summary}")
    path, _ = write_snapshot_file(directory, js_dumps(found.data))
    return path

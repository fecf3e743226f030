"""Pinned restore points: a valid snapshot kept under a name the user chooses.

A pin is a byte-for-byte copy in `DIR/.statesnap-pins/NAME/`, under the snapshot's own file
name. The original backend lists only `snapshot-*.json.gz` directly in DIR and rotation
deletes only what that listing holds, so a pin is never listed by one nor deleted by the
other. A pin appears whole or not at all: the copy is written like a snapshot file (0600,
fsynced, `directory.files`'s private write) into a hidden staging folder that then takes the
pin's name in one rename; an existing pin is refused unless replaced on purpose.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from statesnap.engine.directory.files import (
    TEMP_PREFIX,
    ensure_snapshot_dir,
    fsync_dir,
    promote_file,
    resolve_listed_name,
    write_temp,
)
from statesnap.engine.format.snapshot_names import is_snapshot_name
from statesnap.engine.format.snapshot_reading import (
    DEFAULT_MAX_BYTES,
    SnapshotStatus,
    read_snapshot,
    read_snapshot_bytes,
)
from statesnap.engine.travel.reading import read_raw

__all__ = [
    "PINS_DIR",
    "PIN_NAME_RULE",
    "PinError",
    "PinInfo",
    "checked_pin_name",
    "list_pins",
    "pin",
    "pin_label",
    "pin_path",
    "promote_pin",
    "unpin",
]

PINS_DIR = ".statesnap-pins"
"""The hidden folder in a snapshot directory that holds its pins."""

STALE_STAGING_S = 60.0
"""A staging folder older than this was left by a crash (a pin is staged in well under it)."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
PIN_NAME_RULE = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"


class PinError(ValueError):
    """A pin cannot be made, found or removed; the message says why."""


@dataclass(frozen=True)
class PinInfo:
    """One pin: its name, the file it copies, when it was pinned, and the copy's verdict."""

    name: str
    source: str
    path: Path
    pinned_at: datetime
    size: int
    status: SnapshotStatus
    reason: str
    timestamp: str | None

    @property
    def is_valid(self) -> bool:
        return self.status is SnapshotStatus.VALID


def checked_pin_name(name: str) -> str:
    """`name` if it can name a pin; PinError saying the rule if not."""
    if not _NAME.fullmatch(name):
        raise PinError(f"not a pin name: {name!r} (pin names are {PIN_NAME_RULE})")
    return name


def pin_label(name: str) -> str:
    """How pin `name` is named where a file name would be (a roll-back's target): `pin NAME`."""
    return f"pin {name}"


def _pins_dir(directory: Path) -> Path:
    return Path(directory) / PINS_DIR


def _staging_name() -> str:
    return f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"


def _sweep_staging(pins: Path) -> None:
    """Delete the staging folders a crashed pin or unpin left (older than STALE_STAGING_S:
    a younger one may be another process's, under way)."""
    try:
        names = [name for name in os.listdir(pins) if name.startswith(TEMP_PREFIX)]
    except FileNotFoundError:
        return
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            if time.time() - os.lstat(pins / name).st_mtime > STALE_STAGING_S:
                shutil.rmtree(pins / name, ignore_errors=True)


def _pinned_file(folder: Path) -> Path | None:
    """The snapshot copy a pin's folder holds; None if it is not a folder holding one."""
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return None
        names = sorted(name for name in os.listdir(folder) if is_snapshot_name(name))
    except (FileNotFoundError, NotADirectoryError):
        return None
    return folder / names[0] if names else None


def pin_path(directory: Path, name: str) -> Path:
    """The pinned copy of pin `name`, to browse, diff or roll back to; PinError if none."""
    found = _pinned_file(_pins_dir(directory) / checked_pin_name(name))
    if found is None:
        raise PinError(f"no pin named {name!r} in {directory}")
    return found


def _info(name: str, path: Path, max_bytes: int) -> PinInfo:
    found = read_snapshot(path, max_bytes=max_bytes, keep_data=False)
    modified = datetime.fromtimestamp(os.lstat(path).st_mtime, UTC)
    return PinInfo(
        name,
        path.name,
        path,
        modified,
        found.size,
        found.status,
        found.reason,
        found.timestamp,
    )


def list_pins(directory: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[PinInfo]:
    """Every pin of the directory by name, each copy judged as `read_snapshot` judges files."""
    try:
        names = sorted(os.listdir(_pins_dir(directory)))
    except FileNotFoundError:
        return []
    pins = []
    for name in names:
        path = _pinned_file(_pins_dir(directory) / name) if _NAME.fullmatch(name) else None
        if path is not None:
            with contextlib.suppress(FileNotFoundError):  # unpinned meanwhile
                pins.append(_info(name, path, max_bytes))
    return pins


def _copy_into(staging: Path, raw: bytes, file_name: str) -> None:
    os.mkdir(staging, 0o700)
    temp = write_temp(staging, (raw,))
    os.rename(temp, staging / file_name)
    fsync_dir(staging)


def _place(staging: Path, target: Path, *, replace: bool) -> None:
    """Give the staged pin its name: refused if taken, unless `replace`."""
    old = target.with_name(_staging_name()) if replace else None
    if old is not None:
        with contextlib.suppress(FileNotFoundError):
            os.rename(target, old)
    try:
        os.rename(staging, target)
    except OSError as exc:
        if old is not None:  # the pin being replaced goes back
            with contextlib.suppress(OSError):
                os.rename(old, target)
        if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
            raise
        raise PinError(
            f"a pin named {target.name!r} exists (unpin it first, or replace it)"
        ) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def pin(
    directory: Path,
    file_name: str,
    pin_name: str,
    *,
    replace: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> PinInfo:
    """Keep a copy of the directory's snapshot `file_name` as pin `pin_name`.

    Only a valid snapshot the directory lists can be pinned; a pin of that name is refused
    unless `replace`. Raises PinError (a ValueError) for what cannot be pinned, OSError on I/O.
    """
    target = _pins_dir(directory) / checked_pin_name(pin_name)
    try:
        source = resolve_listed_name(Path(directory), file_name)
    except ValueError as exc:
        raise PinError(str(exc)) from None
    raw = read_raw(source, max_bytes)
    found = (
        read_snapshot(source, max_bytes=max_bytes, keep_data=False)
        if raw is None
        else read_snapshot_bytes(raw, source, max_bytes=max_bytes, keep_data=False)
    )
    if raw is None or not found.is_valid:
        raise PinError(f"{file_name} cannot be pinned: {found.summary}")
    if not replace and os.path.lexists(target):
        raise PinError(f"a pin named {pin_name!r} exists (unpin it first, or replace it)")
    pins = ensure_snapshot_dir(_pins_dir(directory))
    _sweep_staging(pins)
    staging = pins / _staging_name()
    try:
        _copy_into(staging, raw, source.name)
        _place(staging, target, replace=replace)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    fsync_dir(pins)
    return _info(pin_name, target / source.name, max_bytes)


def unpin(directory: Path, name: str) -> Path:
    """Delete pin `name` (its folder and the copy in it) and nothing else; return the copy's
    path as it was. PinError if there is no such pin."""
    copy = pin_path(directory, name)
    pins = _pins_dir(directory)
    _sweep_staging(pins)
    doomed = pins / _staging_name()
    os.rename(copy.parent, doomed)  # gone from the listing at once, whole
    shutil.rmtree(doomed)
    fsync_dir(pins)
    return copy


def promote_pin(directory: Path, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """Make pin `name`'s state the directory's newest snapshot (the offline roll-back to a
    pin): one new file, nothing deleted. PinError if there is no such pin, ValueError if its
    copy is not valid; OSError on I/O."""
    return promote_file(Path(directory), pin_path(directory, name), pin_label(name), max_bytes)

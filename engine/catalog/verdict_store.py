"""The verdicts this user's statesnap has reached, kept by the content hash of each file.

A verdict is kept under the SHA-256 of the file's exact bytes, never under its name, size or
time: a file rewritten with other bytes (whatever its size and mtime) has another hash, so
nothing recorded applies to it. The store lives in the user's cache directory
(`$XDG_CACHE_HOME/statesnap/`, else `~/.cache/statesnap/`; 0700), never beside the snapshots:
one file per verdict in `verdicts/` (0600), written to a temp name and renamed into place, so
any number of processes may read and record at once. Each entry carries an HMAC-SHA256 of
the hash and the verdict under a random per-user key (`verdicts.key`, 0600): an entry made
without the key, edited, or moved to another hash's name fails it, and is ignored and
dropped. The store is bounded (entries and bytes; the least recently used go first). It
never raises: a store that cannot be used, or holds nonsense, simply knows nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from statesnap.engine.catalog.verdict_codec import verdict_from_json, verdict_json
from statesnap.engine.format.snapshot_reading import SnapshotRead, SnapshotStatus

__all__ = [
    "MAX_ENTRIES",
    "MAX_STORE_BYTES",
    "VerdictStore",
    "cache_dir",
]

MAX_ENTRIES = 4096
"""Verdicts kept at most; the least recently used go first."""
MAX_STORE_BYTES = 8 << 20
"""Bytes of verdicts kept at most (a verdict takes about one KiB)."""
_MAX_ENTRY_BYTES = 64 << 10
_KEY_BYTES = 32
_KEY_NAME = "verdicts.key"
_ENTRIES = "verdicts"
_TEMP_PREFIX = ".tmp-"
_STALE_TEMP_S = 60.0
_RULES = b"statesnap verdicts, judging rules 1\0"
"""Authenticated with every entry: change it when the judging rules change, and every verdict
recorded under the old ones stops counting."""
_PRIVATE = 0o077


def cache_dir() -> Path:
    """Where the verdicts are kept: `$XDG_CACHE_HOME/statesnap` (an absolute path only, as the
    XDG spec says), else `~/.cache/statesnap`."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(configured) if os.path.isabs(configured) else Path.home() / ".cache"
    return base / "statesnap"


def _private_dir(path: Path) -> None:
    """Make `path` a directory of ours that only we can enter (0700); OSError if it cannot be."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        raise PermissionError(f"not a directory of this user: {path}")
    if info.st_mode & _PRIVATE:
        os.chmod(path, 0o700)


def _write_private(directory: Path, content: bytes) -> Path:
    """A new 0600 file in `directory` holding `content`, under a temp name."""
    temp = directory / f"{_TEMP_PREFIX}{secrets.token_hex(8)}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(temp, flags, 0o600)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
    except OSError:
        os.close(fd)
        _remove(temp)
        raise
    os.close(fd)
    return temp


def _read_private(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file of ours that only we can read (at most `limit` + 1 of
    them); None if there is none."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & _PRIVATE:
            return None
        return handle.read(limit + 1)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


class VerdictStore:
    """Verdicts by content hash, in a private cache directory (by default `cache_dir()`)."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        max_entries: int = MAX_ENTRIES,
        max_bytes: int = MAX_STORE_BYTES,
    ) -> None:
        self.directory = Path(directory) if directory is not None else cache_dir()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries = self.directory / _ENTRIES
        self._key: bytes | None = None

    # -- the key --------------------------------------------------------------------------

    def _usable_key(self) -> bytes | None:
        """The key that signs this user's verdicts (made on first use); None if the store
        cannot be used. No lock: a signal handler's final save records a verdict, maybe while
        the thread it interrupted is here; two threads that both load the key load the same."""
        if self._key is None:
            with contextlib.suppress(OSError):
                self._key = self._open_key()
        return self._key

    def _open_key(self) -> bytes:
        _private_dir(self.directory)
        _private_dir(self._entries)
        path = self.directory / _KEY_NAME
        for _ in range(3):
            try:
                key = _read_private(path, _KEY_BYTES)
            except FileNotFoundError:
                self._install_key(path, replace=False)
                continue
            if key is not None and len(key) == _KEY_BYTES:
                return key
            # Someone else may have read or made it: a new key, under which no verdict
            # recorded so far verifies.
            self._install_key(path, replace=True)
        raise PermissionError(f"no usable key at {path}")

    def _install_key(self, path: Path, *, replace: bool) -> None:
        temp = _write_private(self.directory, secrets.token_bytes(_KEY_BYTES))
        try:
            if replace:
                os.replace(temp, path)
            else:
                with contextlib.suppress(FileExistsError):  # another process made one first
                    os.link(temp, path, follow_symlinks=False)
        finally:
            _remove(temp)

    def _mac(self, key: bytes, digest: bytes, payload: bytes) -> bytes:
        return hmac.new(key, _RULES + digest + payload, hashlib.sha256).hexdigest().encode()

    # -- verdicts -------------------------------------------------------------------------

    def lookup(self, digest: bytes, path: Path, max_bytes: int) -> SnapshotRead | None:
        """The verdict recorded for a file whose bytes hash to `digest` (SHA-256), as the
        verdict on `path` read with `max_bytes`; None if there is none that can be trusted.

        A verdict is not reused where the limit could change it: one on a file, or a
        decompressed text, larger than `max_bytes`.
        """
        key = self._usable_key()
        if key is None:
            return None
        entry = self._entries / digest.hex()
        try:
            raw = _read_private(entry, _MAX_ENTRY_BYTES)
        except OSError:
            return None
        if raw is None or len(raw) > _MAX_ENTRY_BYTES:
            _remove(entry)
            return None
        mac, _, payload = raw.partition(b"\n")
        try:
            if not hmac.compare_digest(mac, self._mac(key, digest, payload)):
                raise ValueError("not signed with this user's key")
            found = verdict_from_json(path, payload)
        except (ValueError, KeyError, TypeError):
            _remove(entry)
            return None
        with contextlib.suppress(OSError):
            os.utime(entry)  # recently used: evicted last
        if found.size > max_bytes or found.json_bytes > max_bytes:
            return None
        return found

    def record(self, digest: bytes, found: SnapshotRead) -> None:
        """Keep the verdict on a file whose bytes hash to `digest` (SHA-256). A verdict that
        depends on the reader's limit (too large) is not kept."""
        if found.status is SnapshotStatus.TOO_LARGE:
            return
        key = self._usable_key()
        if key is None:
            return
        payload = verdict_json(found)
        content = self._mac(key, digest, payload) + b"\n" + payload
        if len(content) > _MAX_ENTRY_BYTES:
            return
        try:
            temp = _write_private(self._entries, content)
        except OSError:
            return
        try:
            os.replace(temp, self._entries / digest.hex())
        except OSError:
            _remove(temp)
            return
        self._evict()

    def _evict(self) -> None:
        """Remove the least recently used entries beyond the bounds, and temp files left by
        a process that died while writing."""
        listed: list[tuple[float, int, str]] = []
        try:
            with os.scandir(self._entries) as scan:
                for item in scan:
                    with contextlib.suppress(OSError):
                        info = item.stat(follow_symlinks=False)
                        listed.append((info.st_mtime, info.st_size, item.name))
        except OSError:
            return
        if not listed:
            return
        newest = max(mtime for mtime, _, _ in listed)
        kept: list[tuple[float, int, str]] = []
        for mtime, size, name in listed:
            if not name.startswith(_TEMP_PREFIX):
                kept.append((mtime, size, name))
            elif mtime < newest - _STALE_TEMP_S:
                _remove(self._entries / name)
        kept.sort()
        total = sum(size for _, size, _ in kept)
        count = len(kept)
        for _, size, name in kept:
            if count <= self.max_entries and total <= self.max_bytes:
                break
            _remove(self._entries / name)
            count -= 1
            total -= size

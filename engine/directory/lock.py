"""One server per snapshot directory: an advisory lock that a crashed server cannot leave stuck.

The lock is `flock` on `.statesnap-server.lock` in the snapshot directory (0600, never a
snapshot name, so neither statesnap's nor the original backend's listing sees it). The kernel
drops it when the process ends, however it ends: a server killed with SIGKILL leaves a file
behind but no lock, and the next server starts. The holder writes its pid into the file so a
refused server can name the one that is running. The file itself is never deleted (deleting a
lock file lets two processes lock two different files).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path

__all__ = ["LOCK_NAME", "DirectoryInUseError", "DirectoryLock", "check_directory_free"]

LOCK_NAME = ".statesnap-server.lock"
_MAX_PID_BYTES = 32


class DirectoryInUseError(RuntimeError):
    """Another server already serves the snapshot directory."""

    def __init__(self, directory: Path, pid: int | None) -> None:
        who = f"pid {pid}" if pid is not None else "another process"
        super().__init__(
            f"another statesnap server ({who}) already serves {directory}; stop it, or give "
            "this one a directory of its own (AFW_SNAPSHOT_DIR)"
        )
        self.directory = directory
        self.pid = pid


def _read_pid(fd: int) -> int | None:
    with contextlib.suppress(OSError):
        text = os.pread(fd, _MAX_PID_BYTES, 0).decode("ascii", "replace").strip()
        if text.isdigit():
            return int(text)
    return None


def _open_lock_file(directory: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    return os.open(Path(directory) / LOCK_NAME, flags, 0o600)


def check_directory_free(directory: Path) -> None:
    """Raise DirectoryInUseError if a server holds the directory's lock. Creates nothing (a
    directory without a lock file is free)."""
    try:
        fd = os.open(Path(directory) / LOCK_NAME, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        raise DirectoryInUseError(Path(directory), _read_pid(fd)) from None
    except OSError:
        return
    finally:
        os.close(fd)


class DirectoryLock:
    """The lock of one snapshot directory, held by this process from `acquire()` to
    `release()` (or its end). Acquiring again while held does nothing."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._fd: int | None = None
        self._guard = threading.Lock()

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock; DirectoryInUseError if another process (or another lock object in
        this one) holds it. The directory must exist."""
        if self._fd is not None:  # no waiting here: a signal handler may be the caller
            return
        with self._guard:
            if self._fd is not None:
                return
            fd = _open_lock_file(self.directory)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = _read_pid(fd)
                os.close(fd)
                raise DirectoryInUseError(self.directory, pid) from None
            except BaseException:
                os.close(fd)
                raise
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            self._fd = fd

    def release(self) -> None:
        """Give the lock up (the file stays; its pid is cleared)."""
        with self._guard:
            fd, self._fd = self._fd, None
            if fd is None:
                return
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)

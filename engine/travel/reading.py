"""Reading a directory's snapshot files for the travel jobs: in time order, a few at a time.

Both history and search read every file once, in order, and report each as it is read; the
files are read by a small thread pool (gunzip and MD5 release the GIL), results come back in
order, and a caller that stops early leaves nothing running.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from statesnap.engine.directory.files import list_snapshot_names
from statesnap.engine.format.snapshot_time import newest_first, snapshot_time

__all__ = ["ListedFile", "listed_files", "read_in_order", "read_raw"]

_T = TypeVar("_T")
_WORKERS = 2
_AHEAD = 4
"""Files read ahead of the one being reported: enough to keep both workers busy, few enough
that a caller who stops early has not read the whole directory."""


@dataclass(frozen=True)
class ListedFile:
    """A snapshot file of the directory and its time by the listing's rule (its name, else its
    modification time; the time stored inside is only known once it is read)."""

    path: Path
    modified: datetime

    @property
    def name(self) -> str:
        return self.path.name


def listed_files(directory: Path, *, oldest_first: bool) -> list[ListedFile]:
    """The directory's snapshot files (what the original lists) in time order."""
    files = []
    for name in list_snapshot_names(Path(directory)):
        path = Path(directory) / name
        try:
            modified = datetime.fromtimestamp(os.lstat(path).st_mtime, UTC)
        except FileNotFoundError:
            continue
        files.append(ListedFile(path, modified))
    files.sort(
        key=lambda listed: newest_first(
            listed.name, snapshot_time(listed.name, None, listed.modified)
        ),
        reverse=not oldest_first,
    )
    return files


def read_in_order(items: Sequence[ListedFile], job: Callable[[ListedFile], _T]) -> Iterator[_T]:
    """`job(item)` for each item, yielded in order as each is done."""
    pool = ThreadPoolExecutor(_WORKERS, thread_name_prefix="statesnap-travel")
    try:
        pending: list[Future[_T]] = []
        queue = iter(items)
        for item in queue:
            pending.append(pool.submit(job, item))
            if len(pending) >= _AHEAD:
                break
        while pending:
            done = pending.pop(0).result()
            following = next(queue, None)
            if following is not None:
                pending.append(pool.submit(job, following))
            yield done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def read_raw(path: Path, max_bytes: int) -> bytes | None:
    """A snapshot file's bytes, read as `read_snapshot` reads them (no symbolic link, no FIFO,
    a regular file no larger than the bound); None when it would refuse it, so that its
    verdict says why."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        try:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes + (1 << 20):
                return None
            return handle.read()
        except OSError:
            return None

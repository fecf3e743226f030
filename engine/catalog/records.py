"""What the catalog reports: a listed file (`CatalogEntry`), what changed in the listing
(`CatalogChange`), and what a look at the directory found (`CatalogUpdate`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from statesnap.engine.format.snapshot_reading import SnapshotRead
from statesnap.engine.format.snapshot_time import SnapshotTime, newest_first, snapshot_time

__all__ = [
    "CatalogChange",
    "CatalogChangeKind",
    "CatalogClosedError",
    "CatalogEntry",
    "CatalogUpdate",
    "DirectoryState",
    "EntryKey",
    "Verified",
    "listing_order",
    "stat_entry",
]

EntryKey = tuple[str, int, int, int]
"""(name, size, mtime_ns, inode): one version of a file (an atomic replace is a new inode)."""


@dataclass(frozen=True)
class CatalogEntry:
    """One listed file, as `lstat` saw it."""

    name: str
    size: int
    mtime_ns: int
    inode: int = 0

    @property
    def key(self) -> EntryKey:
        """What identifies this version of the file: a rewrite changes it."""
        return (self.name, self.size, self.mtime_ns, self.inode)

    @property
    def modified(self) -> datetime:
        return datetime.fromtimestamp(self.mtime_ns / 1e9, UTC)

    def time(self, verdict: SnapshotRead | None = None) -> SnapshotTime:
        """When the snapshot was taken (`snapshot_time`): given the file's verdict, the time
        stored in it; before the file is read, its name's time, else its modification time."""
        stored = verdict.timestamp if verdict is not None else None
        return snapshot_time(self.name, stored, self.modified)


class CatalogChangeKind(StrEnum):
    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"


@dataclass(frozen=True)
class CatalogChange:
    """One file that appeared, was rewritten or went away; `entry` is None once deleted."""

    kind: CatalogChangeKind
    name: str
    entry: CatalogEntry | None


class CatalogClosedError(RuntimeError):
    """The catalog was closed while a helper process was verifying a file."""


Verified = tuple[CatalogEntry, SnapshotRead]
"""A file and its verdict."""


class DirectoryState(StrEnum):
    LISTED = "listed"
    """It is there, and was listed."""
    MISSING = "missing"
    """There is nothing at the directory's path (not created yet, or deleted)."""
    UNREADABLE = "unreadable"
    """It cannot be listed: no permission, not a directory, an I/O error."""


@dataclass(frozen=True)
class CatalogUpdate:
    """What a look at the directory found: its state (`problem` says, in the system's words,
    why it is unreadable) and what changed in the listing since the previous look. A missing
    directory lists as empty (its files show as deleted); an unreadable one too, but with no
    changes reported (its files may well be there: they show as new when it is readable)."""

    state: DirectoryState
    changes: tuple[CatalogChange, ...] = ()
    problem: str = ""


def stat_entry(directory: Path, name: str) -> CatalogEntry | None:
    """The file as `lstat` sees it now; None if it is gone."""
    try:
        info = os.lstat(directory / name)
    except FileNotFoundError:
        return None
    return CatalogEntry(name, info.st_size, info.st_mtime_ns, info.st_ino)


def listing_order(entry: CatalogEntry) -> tuple[datetime, str]:
    """Listing order, before any file is read: by the name's time, else the file's."""
    return newest_first(entry.name, entry.time())

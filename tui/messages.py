"""Messages the dashboard's workers post back to the screens (workers never touch widgets)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from engine import CatalogChange, CatalogEntry, ServerInfo, SnapshotDiff, SnapshotRead
from tui.map_layouts import MapRows

__all__ = [
    "CatalogChanged",
    "DiffReady",
    "EntriesFiltered",
    "MapsLoaded",
    "ServerFound",
    "SnapshotVerified",
    "TaskFinished",
    "WatchStopped",
]


@dataclass
class SnapshotVerified(Message):
    """A file's verdict is known (it is also in the catalog's cache)."""

    entry: CatalogEntry
    verdict: SnapshotRead


@dataclass
class CatalogChanged(Message):
    """The directory listing changed; the catalog's entries are already up to date."""

    changes: tuple[CatalogChange, ...]


@dataclass
class WatchStopped(Message):
    """The directory can no longer be watched; `reason` says why, in words."""

    reason: str


@dataclass
class MapsLoaded(Message):
    """A snapshot was read with its data (or found unusable: `found.data` is None)."""

    found: SnapshotRead


@dataclass
class EntriesFiltered(Message):
    """The entries of one map that match a filter."""

    query: str
    rows: MapRows


@dataclass
class DiffReady(Message):
    """Two snapshots compared, or why they could not be (`diff` None, `problem` set)."""

    diff: SnapshotDiff | None
    problem: str | None = None


@dataclass
class TaskFinished(Message):
    """A roll-back, snapshot or undo finished; `text` says what happened."""

    text: str
    ok: bool


@dataclass
class ServerFound(Message):
    """The server serving the directory, as discovery sees it now (None: there is none)."""

    info: ServerInfo | None

"""Messages the dashboard's workers post back to the screens (workers never touch widgets)."""

from __future__ import annotations

from dataclasses import dataclass

from statesnap.engine import (
    CatalogEntry,
    CatalogUpdate,
    EntryPage,
    LiveEntry,
    PinInfo,
    ServerGone,
    ServerInfo,
    ServiceStatus,
    SnapshotDiff,
    SnapshotRead,
)
from statesnap.tui.attachment import Attachment
from statesnap.tui.rows.live import LiveMapRows
from statesnap.tui.sources import EntryRows, MapsRead, PageRequest, SourceRead
from textual.message import Message

__all__ = [
    "DiffReady",
    "DirectoryWatched",
    "EntriesFiltered",
    "EntryRead",
    "MapsLoaded",
    "PageRead",
    "PinsRead",
    "ServerFound",
    "ServerStatusRead",
    "SnapshotsVerified",
    "SourceRefreshed",
    "TaskFinished",
]


@dataclass
class SnapshotsVerified(Message):
    """The verdicts on these files are known (they are in the catalog's cache)."""

    entries: tuple[CatalogEntry, ...]


@dataclass
class DirectoryWatched(Message):
    """The watcher looked at the directory: its state, and the listing's changes (the
    catalog's entries are already up to date)."""

    update: CatalogUpdate


@dataclass
class MapsLoaded(Message):
    """The browser's maps were read (or why there is nothing to browse)."""

    read: MapsRead


@dataclass
class EntriesFiltered(Message):
    """The entries of map `map_name` that match a filter (`rows` None: `problem` says why
    they could not be found)."""

    query: str
    map_name: str
    rows: EntryRows | None
    problem: str | None = None


@dataclass
class DiffReady(Message):
    """Two snapshots compared, or why they could not be (`diff` None, `problem` set); the
    verdicts on the two files (without their data), by side (`older`, `newer`)."""

    diff: SnapshotDiff | None
    problem: str | None = None
    verdicts: tuple[tuple[str, SnapshotRead], ...] = ()


@dataclass
class TaskFinished(Message):
    """A roll-back, snapshot or undo finished; `text` says what happened."""

    text: str
    ok: bool


@dataclass
class ServerFound(Message):
    """The server serving the directory, as discovery sees it now (None: there is none, and
    `gone` says why the one attached before went away)."""

    info: ServerInfo | None
    gone: ServerGone | None = None


@dataclass
class ServerStatusRead(Message):
    """The attached server's status, read now (`status` None: `problem` says why not)."""

    attachment: Attachment
    status: ServiceStatus | None
    problem: str | None = None

    @classmethod
    def read(cls, attachment: Attachment) -> ServerStatusRead:
        """Ask the server now (blocking: from a thread worker)."""
        try:
            return cls(attachment, attachment.status())
        except Exception as exc:  # the attachment's errors say what happened, in words
            return cls(attachment, None, str(exc))


@dataclass
class PageRead(Message):
    """A page of a live map's rows was read (`page` None: `problem` says why not)."""

    request: PageRequest
    page: EntryPage | None
    problem: str | None = None


@dataclass
class EntryRead(Message):
    """One entry, read in full for its JSON, as its source has it now."""

    entry: LiveEntry


@dataclass
class SourceRefreshed(Message):
    """The browser's periodic read: `rows` are the open map's rows it read pages for."""

    rows: LiveMapRows | None
    read: SourceRead


@dataclass
class PinsRead(Message):
    """The directory's pins, listed again."""

    pins: tuple[PinInfo, ...]

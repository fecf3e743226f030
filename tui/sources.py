"""Where the browser's maps and entries come from, behind one interface: a snapshot file
(`FileSource`, here), or the attached server's live state (`statesnap.tui.live_source`).

The browser screen is one screen for both, and asks its `BrowseSource` everything that differs
between them: what is browsed (the heading), the list of maps (blocking: from a worker), one
map's rows (`EntryRows`), which pages of rows and which entries still need reading (a file's
rows are all in memory: none), how often to read it all again (a file: never), and whether a
file changed on disk is the one browsed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from rich.text import Text
from statesnap.engine import CatalogEntry, EntryPage, LiveEntry, SnapshotRead
from statesnap.tui.context import DashboardContext
from statesnap.tui.rows.columns import Column
from statesnap.tui.rows.live import LiveMapRows
from statesnap.tui.rows.map_rows import MapCounts, MapRows, count_maps
from statesnap.tui.rows.snapshots import STATUS_STYLES, snapshot_title
from statesnap.tui.text.safe_text import safe_text

__all__ = [
    "BrowseSource",
    "EntryRequest",
    "EntryRows",
    "FileSource",
    "MapsRead",
    "PageRequest",
    "RefreshRequest",
    "SourceRead",
]


class EntryRows(Protocol):
    """One map's rows as the browser shows them (and the table draws them)."""

    name: str

    def __len__(self) -> int: ...

    def cells(self, row: int) -> Sequence[Text]: ...

    @property
    def columns(self) -> list[Column]: ...

    @property
    def key_count(self) -> int: ...

    def key(self, row: int) -> str | None:
        """The row's key; None while the row is being read."""
        ...

    def label(self, row: int) -> str | None:
        """The row's address (`sess_a1`, `sess_a1 [3]`); None while the row is being read."""
        ...

    def entry(self, row: int) -> Any:
        """The row's value (only for a row whose label is known)."""
        ...


@dataclass(frozen=True)
class MapsRead:
    """The maps of what is browsed, or why there is nothing to browse (`problem`); for a file
    browsed, its verdict (without its data): one that is not valid is browsed read-only."""

    summaries: list[MapCounts]
    problem: Text | None = None
    verdict: SnapshotRead | None = None


@dataclass(frozen=True)
class PageRequest:
    """A page of rows still to read: `read` it in a worker (blocking; raises with a readable
    message), then hand it to `rows` (`add_page`, or `page_failed`)."""

    rows: LiveMapRows
    offset: int
    read: Callable[[], EntryPage]


@dataclass(frozen=True)
class EntryRequest:
    """An entry to read in full, as its source has it now: `read` it in a worker (blocking;
    raises with a readable message)."""

    address: tuple[str, str]
    """(map, key)."""
    read: Callable[[], LiveEntry]


@dataclass(frozen=True)
class SourceRead:
    """One periodic read of what is browsed: the maps, the open map's rows around the screen,
    and the entry whose JSON is shown if those rows do not hold it; or what stopped it."""

    maps: list[MapCounts]
    rows: EntryPage | None = None
    entry: LiveEntry | None = None
    problem: str | None = None


@dataclass(frozen=True)
class RefreshRequest:
    """What is browsed, to read again: `read` it in a worker (blocking; never raises); the
    rows it reads are for `rows` (`replace_rows`), if they are still shown by then."""

    rows: LiveMapRows | None
    read: Callable[[], SourceRead]


class BrowseSource(Protocol):
    no_maps_text: str
    """What the list of maps says when there are none."""
    refresh_every: float | None
    """How often what is shown is read again, in seconds; None: it does not change."""
    heading_follows_server: bool
    """Whether the heading names the attached server (the browser shows it again when the
    server changes)."""

    def heading(self) -> Text:
        """What is browsed, for the start of the crumbs."""
        ...

    def read_maps(self) -> MapsRead:
        """The maps with their counts (blocking: call it from a worker)."""
        ...

    def rows_for(self, summary: MapCounts) -> EntryRows:
        """One map's rows (quick: on the UI thread)."""
        ...

    def page_requests(self, rows: EntryRows, first: int, last: int) -> tuple[PageRequest, ...]:
        """The pages rows `first` to `last` of `rows` need read (none for rows held whole);
        they count as being read from now on."""
        ...

    def entry_request(self, rows: EntryRows, row: int) -> EntryRequest | None:
        """The row's entry to read in full (None: its rows hold it as it is)."""
        ...

    def refresh_request(
        self,
        rows: EntryRows | None,
        window: tuple[int, int] | None,
        shown: tuple[str, str] | None,
    ) -> RefreshRequest | None:
        """What to read again: the maps, rows `window` (first, last) of `rows`, and the entry
        `shown` (map, key) in full; None if nothing can have changed."""
        ...

    def matching(
        self, rows: EntryRows, query: str, keep_going: Callable[[], bool]
    ) -> EntryRows | None:
        """The rows of `rows` whose key or JSON holds `query` (any case), or None if stopped
        (blocking: from a worker; raises with a readable message if they cannot be read)."""
        ...

    def browses_file(self, name: str) -> bool:
        """Whether the snapshot file `name` is what is browsed."""
        ...

    def unavailable_reason(self, action: str) -> str | None:
        """Why a browser action makes no sense on this source; None if it does."""
        ...

    def close(self) -> None:
        """Let go of what was read (the browser is left); a read still under way keeps
        nothing either."""
        ...


class FileSource:
    """One snapshot file, read whole once, and held until the browser is left."""

    no_maps_text = "This snapshot has no maps."
    refresh_every: float | None = None
    heading_follows_server = False

    def __init__(self, context: DashboardContext, entry: CatalogEntry) -> None:
        self.context = context
        self.entry = entry
        self._data: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._closed = False

    def heading(self) -> Text:
        return snapshot_title(self.entry)

    def read_maps(self) -> MapsRead:
        """Any file whose data object can be read is browsed, valid or not."""
        found = self.context.load(self.entry)
        if (problem := found.unreadable_reason) is not None:
            return MapsRead([], safe_text(problem, STATUS_STYLES[found.status]))
        data = found.data_object
        assert data is not None
        with self._lock:
            if not self._closed:
                self._data = data
        return MapsRead(count_maps(data), verdict=replace(found, data=None))

    def rows_for(self, summary: MapCounts) -> MapRows:
        return MapRows.of_map(summary.name, self._data.get(summary.name))

    def page_requests(self, rows: EntryRows, first: int, last: int) -> tuple[PageRequest, ...]:
        """None: a file's rows are all in memory."""
        return ()

    def entry_request(self, rows: EntryRows, row: int) -> EntryRequest | None:
        """None: a file's rows hold every entry in full."""
        return None

    def refresh_request(
        self,
        rows: EntryRows | None,
        window: tuple[int, int] | None,
        shown: tuple[str, str] | None,
    ) -> RefreshRequest | None:
        """None: the file was read whole, and what was read does not change."""
        return None

    def matching(
        self, rows: EntryRows, query: str, keep_going: Callable[[], bool]
    ) -> EntryRows | None:
        if not isinstance(rows, MapRows):
            raise TypeError("a file's rows are MapRows")
        return rows.matching(query, keep_going)

    def browses_file(self, name: str) -> bool:
        return name == self.entry.name

    def unavailable_reason(self, action: str) -> str | None:
        return None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._data = {}
        self.context.release()

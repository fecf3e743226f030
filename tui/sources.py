"""Where the browser's maps and entries come from: a snapshot file, or the attached server's
live state read through its control channel.

The browser screen is one screen for both. A `BrowseSource` names what is browsed, reads the
list of maps (blocking: from a worker), and gives one map's rows (`EntryRows`): a file's rows
are all in memory (`MapRows`); a live map's are read a page at a time as they come into view
(`LiveMapRows`), and the live source also reads those pages, single entries and the periodic
refresh (`LiveSource`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from rich.text import Text
from statesnap.engine import CatalogEntry, EntryPage, LiveEntry, ServiceStatus, SnapshotRead
from statesnap.tui.attachment import NO_SERVER, Attachment
from statesnap.tui.context import DashboardContext
from statesnap.tui.rows.live import MAX_PAGE_ROWS, PAGE_ROWS, LiveMapRows
from statesnap.tui.rows.map_layouts import MapRows, MapSummary, entry_search_text, summarize_maps
from statesnap.tui.rows.snapshots import LIVE_MARK, STATUS_STYLES, snapshot_title
from statesnap.tui.text.safe_text import safe_text
from statesnap.tui.text.server_words import FALLBACK, mode_words
from statesnap.tui.rows.columns import Column

__all__ = [
    "BrowseSource",
    "EntryRows",
    "FileSource",
    "LiveRead",
    "LiveSource",
    "MapsRead",
    "live_heading",
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

    summaries: list[MapSummary]
    problem: Text | None = None
    verdict: SnapshotRead | None = None


class BrowseSource(Protocol):
    live: bool
    """Whether the data changes while it is shown (the browser then refreshes it)."""

    def heading(self) -> Text:
        """What is browsed, for the start of the crumbs."""
        ...

    def read_maps(self) -> MapsRead:
        """The maps with their counts (blocking: call it from a worker)."""
        ...

    def rows_for(self, summary: MapSummary) -> EntryRows:
        """One map's rows (quick: on the UI thread)."""
        ...

    def matching(
        self, rows: EntryRows, query: str, keep_going: Callable[[], bool]
    ) -> EntryRows | None:
        """The rows of `rows` whose key or JSON holds `query` (any case), or None if stopped
        (blocking: from a worker; raises with a readable message if they cannot be read)."""
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

    live = False

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
        return MapsRead(summarize_maps(data), verdict=replace(found, data=None))

    def rows_for(self, summary: MapSummary) -> MapRows:
        return MapRows.of_map(summary.name, self._data.get(summary.name))

    def matching(
        self, rows: EntryRows, query: str, keep_going: Callable[[], bool]
    ) -> EntryRows | None:
        if not isinstance(rows, MapRows):
            raise TypeError("a file's rows are MapRows")
        return rows.matching(query, keep_going)

    def unavailable_reason(self, action: str) -> str | None:
        return None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._data = {}
        self.context.release()


def live_heading(attachment: Attachment | None, status: ServiceStatus | None) -> Text:
    """`● live state · pid 4242 · memory` (the mode as the server last said it: while Redis is
    down, its in-memory fallback's state is what is shown, and the heading says so)."""
    heading = Text.assemble((f"{LIVE_MARK} ", "bold green"), ("live state", "bold"))
    if attachment is None:
        heading.append(" · no server attached", "dim")
        return heading
    mode = status.mode if status is not None else attachment.mode
    heading.append(f" · pid {attachment.pid} · ")
    heading.append_text(safe_text(mode_words(mode), "bold yellow" if mode == FALLBACK else ""))
    return heading


@dataclass(frozen=True)
class LiveRead:
    """One refresh of the live browser: the maps, the open map's rows around the screen, and
    the entry whose JSON is shown if those rows do not hold it; or what stopped it."""

    maps: list[MapSummary] = field(default_factory=list)
    rows: EntryPage | None = None
    entry: LiveEntry | None = None
    problem: str | None = None


class LiveSource:
    """The live state of the attached server (whichever it is at each call: a restarted
    server is picked up again), read through the control channel."""

    live = True

    def __init__(self, context: DashboardContext, *, page_rows: int = PAGE_ROWS) -> None:
        self.context = context
        self.page_rows = page_rows

    def _attachment(self) -> Attachment:
        attachment = self.context.attachment
        if attachment is None:
            raise LookupError(NO_SERVER)
        return attachment

    def heading(self) -> Text:
        return live_heading(self.context.attachment, self.context.server_status)

    def read_maps(self) -> MapsRead:
        try:
            return MapsRead(self._maps())
        except Exception as exc:  # the attachment's errors say what happened, in words
            return MapsRead([], safe_text(f"cannot read the live state: {exc}", "bold yellow"))

    def _maps(self) -> list[MapSummary]:
        return [MapSummary(item.name, item.count, None) for item in self._attachment().maps()]

    def rows_for(self, summary: MapSummary) -> LiveMapRows:
        return LiveMapRows(summary.name, summary.keys, page_rows=self.page_rows)

    def read_page(self, map_name: str, offset: int) -> EntryPage:
        """The page of `map_name` at `offset` (blocking; raises with a readable message)."""
        return self._attachment().entries(map_name, offset, self.page_rows)

    def read_entry(self, map_name: str, key: str) -> LiveEntry:
        """One entry in full (blocking; raises with a readable message)."""
        return LiveEntry(map_name, key, self._attachment().entry(map_name, key))

    def read_refresh(
        self,
        map_name: str | None,
        window: tuple[int, int] | None,
        shown: tuple[str, str] | None = None,
    ) -> LiveRead:
        """What a refresh needs, in one go (blocking; never raises): the maps, rows `window`
        (first, last) of `map_name`, and the entry `shown` (map, key) in full."""
        try:
            maps = self._maps()
            rows = None
            if map_name is not None and window is not None:
                first, last = window
                limit = min(last - first + 1, MAX_PAGE_ROWS)
                rows = self._attachment().entries(map_name, first, limit)
        except Exception as exc:  # the attachment's errors say what happened, in words
            return LiveRead(problem=str(exc))
        entry = None
        if shown is not None:
            with contextlib.suppress(Exception):  # gone since: its row shows what is there now
                entry = self.read_entry(*shown)
        return LiveRead(maps, rows, entry)

    def matching(
        self, rows: EntryRows, query: str, keep_going: Callable[[], bool]
    ) -> EntryRows | None:
        """Reads the whole map, a full page at a time, and keeps the entries that match:
        a still picture of them (the refresh leaves it alone until the filter is cleared)."""
        needle = query.lower()
        found: dict[str, Any] = {}
        offset = 0
        while keep_going():
            page = self._attachment().entries(rows.name, offset, MAX_PAGE_ROWS)
            for key, value in page.items:
                if needle in entry_search_text(key, value):
                    found[key] = value
            offset += len(page.items)
            if not page.items or offset >= page.total:
                layout = rows.layout if isinstance(rows, LiveMapRows) else None
                return MapRows(rows.name, found, layout=layout)
        return None

    def unavailable_reason(self, action: str) -> str | None:
        return None

    def close(self) -> None:
        """Nothing to let go of: pages are held by the rows that read them."""

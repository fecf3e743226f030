"""The browser's source for the attached server's live state, read through its control channel.

A live map's rows are read a page at a time as they come into view (`LiveMapRows`), the
selected entry's JSON is read in full, and every `LIVE_REFRESH_S` the counts, the pages on
screen and that JSON are read again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import partial
from typing import Any

from rich.text import Text
from statesnap.engine import EntryPage, LiveEntry, ServiceStatus
from statesnap.tui.attachment import NO_SERVER, Attachment
from statesnap.tui.context import DashboardContext
from statesnap.tui.rows.entry_cells import entry_search_text
from statesnap.tui.rows.live import MAX_PAGE_ROWS, PAGE_ROWS, LiveMapRows
from statesnap.tui.rows.map_rows import MapCounts, MapRows
from statesnap.tui.rows.snapshots import LIVE_MARK
from statesnap.tui.sources import (
    EntryRequest,
    EntryRows,
    MapsRead,
    PageRequest,
    RefreshRequest,
    SourceRead,
)
from statesnap.tui.text.safe_text import safe_text
from statesnap.tui.text.server_words import FALLBACK, mode_words

__all__ = ["LIVE_REFRESH_S", "LiveSource", "live_heading"]

LIVE_REFRESH_S = 2.0
"""How often the live browser reads the counts, the rows on screen and the JSON again."""


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


class LiveSource:
    """The live state of the attached server (whichever it is at each call: a restarted
    server is picked up again), read through the control channel."""

    no_maps_text = "The server holds no maps."
    refresh_every: float | None = LIVE_REFRESH_S
    heading_follows_server = True

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

    def _maps(self) -> list[MapCounts]:
        return [MapCounts(item.name, item.count, None) for item in self._attachment().maps()]

    def rows_for(self, summary: MapCounts) -> LiveMapRows:
        return LiveMapRows(summary.name, summary.keys, page_rows=self.page_rows)

    def page_requests(self, rows: EntryRows, first: int, last: int) -> tuple[PageRequest, ...]:
        """The pages of a live map's rows not read yet (rows filtered are held whole)."""
        if not isinstance(rows, LiveMapRows):
            return ()
        return tuple(
            PageRequest(rows, offset, partial(self.read_page, rows.name, offset))
            for offset in rows.missing_pages(first, last)
        )

    def read_page(self, map_name: str, offset: int) -> EntryPage:
        """The page of `map_name` at `offset` (blocking; raises with a readable message)."""
        return self._attachment().entries(map_name, offset, self.page_rows)

    def entry_request(self, rows: EntryRows, row: int) -> EntryRequest | None:
        """A live map's entry, read in full as the server has it now (a page holds it as it
        was; rows filtered are a still picture, held whole)."""
        label = rows.label(row) if row >= 0 else None
        if not isinstance(rows, LiveMapRows) or label is None:
            return None
        return EntryRequest((rows.name, label), partial(self.read_entry, rows.name, label))

    def read_entry(self, map_name: str, key: str) -> LiveEntry:
        """One entry in full (blocking; raises with a readable message)."""
        return LiveEntry(map_name, key, self._attachment().entry(map_name, key))

    def refresh_request(
        self,
        rows: EntryRows | None,
        window: tuple[int, int] | None,
        shown: tuple[str, str] | None,
    ) -> RefreshRequest:
        """The maps, and for a live map's rows, those in `window` and the entry `shown`; rows
        filtered are a still picture, left alone until the filter is cleared."""
        if not isinstance(rows, LiveMapRows):
            return RefreshRequest(None, partial(self.read_refresh, None, None))
        return RefreshRequest(rows, partial(self.read_refresh, rows.name, window, shown))

    def read_refresh(
        self,
        map_name: str | None,
        window: tuple[int, int] | None,
        shown: tuple[str, str] | None = None,
    ) -> SourceRead:
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
            return SourceRead([], problem=str(exc))
        entry = None
        if shown is not None:
            with contextlib.suppress(Exception):  # gone since: its row shows what is there now
                entry = self.read_entry(*shown)
        return SourceRead(maps, rows, entry)

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

    def browses_file(self, name: str) -> bool:
        """Never: the live state is no file."""
        return False

    def unavailable_reason(self, action: str) -> str | None:
        return None

    def close(self) -> None:
        """Nothing to let go of: pages are held by the rows that read them."""

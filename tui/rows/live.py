"""A live map's entries as table rows, read from the server a page at a time as they come
into view (the control channel caps a page at 1000 entries; a map may hold 100,000).

`LiveMapRows` is a `VirtualTable` row source that holds only the rows read so far: a row not
read yet shows as a placeholder, and `missing_pages` says which pages the rows on screen need.
The browser reads those pages in a thread worker and hands them back with `add_page`; its
periodic refresh reads the rows around the screen again and swaps them in with `replace_rows`
(dropping the rest, which would be stale). One row per key: the server pages keys, so the
records of per-key lists are counted per row (`key_layout_for`).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from statesnap.engine import EntryPage
from statesnap.tui.rows.columns import Column
from statesnap.tui.rows.entry_cells import entry_cells
from statesnap.tui.rows.map_layouts import MapLayout, key_layout_for, layout_columns

__all__ = ["MAX_PAGE_ROWS", "PAGE_ROWS", "LiveMapRows"]

PAGE_ROWS = 200
"""Entries per page read: a few screens' worth, well under the channel's cap of 1000, so the
first rows of any map arrive in one short round trip."""
MAX_PAGE_ROWS = 1000
"""The most entries the control channel sends in one reply."""


class LiveMapRows:
    """One live map's rows: `total` keys, of which the pages read so far are known."""

    def __init__(self, name: str, total: int, *, page_rows: int = PAGE_ROWS) -> None:
        self.name = name
        self.layout: MapLayout = key_layout_for(name)
        self.page_rows = page_rows
        self.total = total
        self._items: dict[int, tuple[str, Any]] = {}
        """Row -> (key, value), for the rows read."""
        self._requested: set[int] = set()
        """Offsets of the pages being read."""

    def __len__(self) -> int:
        return self.total

    @property
    def columns(self) -> list[Column]:
        return layout_columns(self.layout)

    @property
    def key_count(self) -> int:
        return self.total

    @property
    def rows_held(self) -> int:
        """How many rows have been read (and not dropped since)."""
        return len(self._items)

    def _item(self, row: int) -> tuple[str, Any] | None:
        return self._items.get(row)

    def key(self, row: int) -> str | None:
        """The row's key, or None while its page is being read."""
        item = self._item(row)
        return None if item is None else item[0]

    def label(self, row: int) -> str | None:
        return self.key(row)

    def entry(self, row: int) -> Any:
        """The row's value as its page had it; LookupError while the page is being read."""
        item = self._item(row)
        if item is None:
            raise LookupError(row)
        return item[1]

    def cells(self, row: int) -> list[Text]:
        item = self._item(row)
        if item is None:
            return [Text("…", "dim")]
        return entry_cells(self.layout, item[0], item[1])

    def pages_covering(self, first: int, last: int) -> tuple[int, ...]:
        """The offsets of the pages that hold rows `first` to `last` (within the map)."""
        first = max(first, 0)
        last = min(last, self.total - 1)
        if last < first:
            return ()
        start = first - first % self.page_rows
        return tuple(range(start, last + 1, self.page_rows))

    def missing_pages(self, first: int, last: int) -> tuple[int, ...]:
        """The pages rows `first` to `last` need (some of their rows there not read) that are
        not being read; they count as being read from now on (until `add_page` or
        `page_failed`)."""
        last = min(last, self.total - 1)
        missing = []
        for offset in self.pages_covering(first, last):
            if offset in self._requested:
                continue
            wanted = range(max(first, offset), min(last, offset + self.page_rows - 1) + 1)
            if any(row not in self._items for row in wanted):
                missing.append(offset)
        self._requested.update(missing)
        return tuple(missing)

    def add_page(self, page: EntryPage) -> None:
        """A page read from the server (its `total` is the map's size now)."""
        self._requested.discard(page.offset)
        self._add(page)
        self._set_total(page.total)

    def page_failed(self, offset: int) -> None:
        """Reading the page at `offset` failed: the next look at those rows asks again."""
        self._requested.discard(offset)

    def replace_rows(self, page: EntryPage) -> None:
        """Fresh rows from a refresh (any offset, any length): they replace every row held
        (the others would be stale), and its total counts."""
        self._items = {}
        self._add(page)
        self._set_total(page.total)

    def _add(self, page: EntryPage) -> None:
        for index, item in enumerate(page.items):
            self._items[page.offset + index] = item

    def _set_total(self, total: int) -> None:
        if total < self.total:
            self._items = {row: item for row, item in self._items.items() if row < total}
        self.total = total

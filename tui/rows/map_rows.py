"""A snapshot's maps as table rows: the list of maps with their counts, and one map's
entries (one row per entry, or per record for maps of per-key lists), held in memory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from statesnap.engine.format.map_entries import map_entries
from statesnap.engine.format.schema import entry_count
from statesnap.tui.rows.columns import Column
from statesnap.tui.rows.entry_cells import entry_cells, entry_search_text
from statesnap.tui.rows.map_layouts import MapLayout, layout_columns, layout_for
from statesnap.tui.text.safe_text import safe_text

__all__ = ["MAP_COLUMNS", "MapCounts", "MapCountsRows", "MapRows", "count_maps"]

MAP_COLUMNS = (Column("map", 0), Column("entries", 12, "right"))
"""The columns of the list of maps."""


class MapRows:
    """One map's rows for the entries table: (key, position in the key's list or None)."""

    def __init__(
        self,
        name: str,
        entries: dict[str, Any],
        rows: Sequence[tuple[str, int | None]] | None = None,
        layout: MapLayout | None = None,
    ) -> None:
        self.name = name
        self.layout = layout or layout_for(name)
        self._entries = entries
        self._rows = list(rows) if rows is not None else self._all_rows()

    @classmethod
    def of_map(cls, name: str, value: Any) -> MapRows:
        return cls(name, map_entries(value))

    def _all_rows(self) -> list[tuple[str, int | None]]:
        if not self.layout.per_key_lists:
            return [(key, None) for key in self._entries]
        rows: list[tuple[str, int | None]] = []
        for key, value in self._entries.items():
            if isinstance(value, list):
                rows.extend((key, index) for index in range(len(value)))
            else:
                rows.append((key, None))
        return rows

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def columns(self) -> list[Column]:
        return layout_columns(self.layout)

    @property
    def key_count(self) -> int:
        return len(self._entries)

    def key(self, row: int) -> str:
        return self._rows[row][0]

    def label(self, row: int) -> str:
        """The row's address: `sess_a1` or, for one record of a list, `sess_a1 [3]`."""
        key, index = self._rows[row]
        return key if index is None else f"{key} [{index}]"

    def entry(self, row: int) -> Any:
        key, index = self._rows[row]
        value = self._entries[key]
        return value if index is None else value[index]

    def cells(self, row: int) -> list[Text]:
        return entry_cells(self.layout, self.key(row), self.entry(row))

    def matching(self, query: str, keep_going: Callable[[], bool]) -> MapRows | None:
        """The rows whose key or JSON contains `query` (any case); None if stopped early."""
        needle = query.lower()
        found = []
        for row, address in enumerate(self._rows):
            if row % 1024 == 0 and not keep_going():
                return None
            if needle in entry_search_text(address[0], self.entry(row)):
                found.append(address)
        return MapRows(self.name, self._entries, found, self.layout)


@dataclass(frozen=True)
class MapCounts:
    """One map of a snapshot: its entries, and for maps of per-key lists, their records."""

    name: str
    keys: int
    records: int | None


def count_maps(data: Any) -> list[MapCounts]:
    """Every map of a `data` object, in file order."""
    if not isinstance(data, dict):
        return []
    summaries = []
    for name, value in data.items():
        keys = entry_count(value)
        records = None
        if layout_for(name).per_key_lists and isinstance(value, dict):
            records = sum(len(item) if isinstance(item, list) else 1 for item in value.values())
        summaries.append(MapCounts(name, keys, records))
    return summaries


class MapCountsRows:
    """Row source for the list of maps."""

    def __init__(self, summaries: Sequence[MapCounts]) -> None:
        self.summaries = summaries

    def __len__(self) -> int:
        return len(self.summaries)

    def cells(self, row: int) -> list[Text]:
        """The map's name, and how many rows its table has: its entries, or for per-key lists
        their records (the crumbs of an open map say both: `15 entries · 752 records`)."""
        summary = self.summaries[row]
        dim = "" if summary.keys else "dim"
        rows = summary.keys if summary.records is None else summary.records
        return [safe_text(summary.name, dim), Text(f"{rows:,}", dim)]

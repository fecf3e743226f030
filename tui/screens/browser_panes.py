"""The browser's panes and what they show: the list of maps, a map's entries with the filter
box above them, the selected entry's JSON, and the crumbs that say where one is. The screen
(`statesnap.tui.screens.browser`) adds the keys, the reads from the source and the filter."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from statesnap.tui.context import DashboardContext
from statesnap.tui.rows.map_rows import MAP_COLUMNS, MapCounts, MapCountsRows
from statesnap.tui.screens.base import DashboardScreen
from statesnap.tui.sources import BrowseSource, EntryRows
from statesnap.tui.text.safe_text import escape_controls, safe_text
from statesnap.tui.widgets.footer import DashboardFooter
from statesnap.tui.widgets.json_view import JsonView
from statesnap.tui.widgets.read_only_banner import ReadOnlyBanner
from statesnap.tui.widgets.virtual_table import VirtualTable
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Input, Static

__all__ = ["BrowserPanes", "BrowserPlace"]


@dataclass(frozen=True)
class BrowserPlace:
    """Where one is in the browser: the open map, the selected entry (its row's label, None
    if the entries were not entered) and the filter."""

    map: str | None
    entry: str | None = None
    query: str = ""


class BrowserPanes(DashboardScreen):
    """The browser's layout, its state (the open map's rows, the filter), and how each pane is
    brought up to date."""

    def __init__(
        self, context: DashboardContext, source: BrowseSource, *, place: BrowserPlace | None = None
    ) -> None:
        """`place`: where to go once the maps are read (as far as it is still there)."""
        super().__init__(context)
        self.source = source
        self._place = place
        self._summaries: list[MapCounts] = []
        self._map_rows: EntryRows | None = None
        """The open map's rows, unfiltered."""
        self._rows: EntryRows | None = None
        """The rows the entries table shows (the open map's, or those matching the filter)."""
        self._query = ""
        self._rows_query = ""
        """The filter `_rows` match ("" for the whole map)."""
        self._shown: tuple[str, str] | None = None
        """The entry (map, key) whose JSON is shown as read in full, or None."""
        self._read_problem: str | None = None
        """Why the last read of the source failed (shown after the crumbs)."""

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield ReadOnlyBanner()
        yield Static(id="crumbs")
        with Horizontal(id="browser-body"):
            yield VirtualTable(MAP_COLUMNS, id="maps", empty_text="Loading…")
            with Vertical(id="entries-pane"):
                yield Input(
                    placeholder="filter: any text in the key or JSON · enter: keep · escape: clear",
                    id="filter",
                )
                yield VirtualTable(id="entries", empty_text="")
                yield Static(id="entry-title")
                yield JsonView(id="entry")
        yield DashboardFooter()

    @property
    def maps(self) -> VirtualTable:
        return self.query_one("#maps", VirtualTable)

    @property
    def entries(self) -> VirtualTable:
        return self.query_one("#entries", VirtualTable)

    @property
    def json_view(self) -> JsonView:
        return self.query_one("#entry", JsonView)

    def on_unmount(self) -> None:
        """Left: let go of everything read, so that a whole snapshot goes at once (the tables
        and the JSON view let go of their rows and value as they are removed)."""
        self.source.close()
        self._map_rows = self._rows = None

    def _show_crumbs(self, *tail: Text) -> None:
        crumbs = Text.assemble(self.source.heading(), (" ▸ ", "dim"), *tail)
        if self._read_problem:
            crumbs.append_text(safe_text(f"  ⚠ {self._read_problem}", "bold yellow"))
        self.query_one("#crumbs", Static).update(crumbs)

    def _show_rows(self, rows: EntryRows) -> None:
        empty = f"No entry matches {self._query!r}." if self._query else "This map is empty."
        self._rows = rows
        self._rows_query = self._query
        self._shown = None
        self.entries.set_rows(
            rows, columns=rows.columns, empty_text=escape_controls(empty, keep_newlines=False)
        )
        self._show_map_crumbs()
        self._go_on_to_place()

    def place(self) -> BrowserPlace:
        """Where one is now."""
        rows, row = self._rows, self.entries.cursor_row
        entered = self.entries.has_focus or self.json_view.has_focus
        label = rows.label(row) if rows is not None and row >= 0 and entered else None
        name = self._map_rows.name if self._map_rows is not None else None
        return BrowserPlace(name, label, self._query)

    def _go_on_to_place(self) -> None:
        """The next step to the place asked for, once rows are shown (each step shows others,
        and so calls this again): its map, its filter, its entry. Where one is not there any
        more, the trip ends there, and a note says so."""
        place = self._place
        if place is None or self._map_rows is None:
            return
        if self._map_rows.name != place.map:
            names = [summary.name for summary in self._summaries]
            if place.map in names:
                self.maps.move_cursor(names.index(place.map))
            else:
                self._arrived(f"map {place.map} is not in it any more")
            return
        if place.query and self._rows_query != place.query:
            box = self.query_one("#filter", Input)
            box.display = True
            box.value = place.query  # filters, then shows the rows matching
            return
        rows = self._rows
        if place.entry is None or rows is None:
            self._arrived(None)
            return
        found = next((row for row in range(len(rows)) if rows.label(row) == place.entry), None)
        if found is None:
            self._arrived(f"entry {place.entry} is not in {place.map} any more")
            return
        self.entries.focus()
        self.entries.move_cursor(found)
        self._arrived(None)

    def _arrived(self, missing: str | None) -> None:
        self._place = None
        if missing is not None:
            note = f"Where you were: {missing}."
            self.notify(escape_controls(note, keep_newlines=False), markup=False, timeout=4)

    def _show_map_crumbs(self) -> None:
        base, rows = self._map_rows, self._rows
        if base is None or rows is None:
            self._show_crumbs()
            return
        counts = f"  {base.key_count:,} entries"
        if len(base) != base.key_count:
            counts += f" · {len(base):,} records"
        tail = [safe_text(base.name, "bold"), Text(counts, "dim")]
        if self._query:
            found = f"{len(rows):,} matching" if self._rows_query == self._query else "searching…"
            tail += [
                Text("  filter ", "dim"),
                safe_text(self._query, "bold"),
                Text(f" · {found}", "dim"),
            ]
        self._show_crumbs(*tail)

    def _update_maps(self, summaries: list[MapCounts]) -> None:
        """Fresh counts: the cursor stays on its map; a map that went away closes."""
        current = self.maps.cursor_row
        name = self._summaries[current].name if 0 <= current < len(self._summaries) else None
        names = [summary.name for summary in summaries]
        self._summaries = summaries
        if name in names:
            self.maps.swap_rows(MapCountsRows(summaries), cursor=names.index(name))
        else:
            self.maps.set_rows(MapCountsRows(summaries), cursor=current)

    def _set_query(self, query: str) -> None:
        self._query = query
        box = self.query_one("#filter", Input)
        if box.value != query:
            box.value = query
        box.display = bool(query) or box.has_focus

    def _entry_key(self) -> str | None:
        """The key of the entry under the cursor (None: none, or its row is being read)."""
        rows, row = self._rows, self.entries.cursor_row
        return rows.key(row) if rows is not None and 0 <= row < len(rows) else None

    def _entry_label(self) -> str:
        rows, row = self._rows, self.entries.cursor_row
        label = rows.label(row) if rows is not None and row >= 0 else None
        return "entry" if rows is None or label is None else f"{rows.name} {label}"

"""The browser: one snapshot's maps with their counts, a map's entries, an entry's JSON."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, Static
from textual.worker import get_current_worker

from engine import CatalogEntry
from tui.clipboard import copy_text, save_text
from tui.context import DashboardContext
from tui.map_layouts import MapRows, MapSummaryRows, summarize_maps
from tui.messages import EntriesFiltered, MapsLoaded
from tui.safe_text import escape_controls, safe_text
from tui.screens.base import DashboardScreen
from tui.snapshot_rows import snapshot_title, verdict_text, verdict_words
from tui.widgets.json_view import JsonView
from tui.widgets.virtual_table import Column, VirtualTable

__all__ = ["BrowserScreen"]

MAP_COLUMNS = (Column("map", 0), Column("entries", 12, "right"))


class BrowserScreen(DashboardScreen):
    CSS_PATH = "browser.tcss"
    AUTO_FOCUS = "#maps"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "back",
            "Back",
            id="browser.back",
            tooltip="Clear the filter, leave the entries, or go back to the snapshots",
        ),
        Binding(
            "enter",
            "open",
            "Open",
            id="browser.open",
            tooltip="One level in: from a map to its entries, from an entry to its JSON",
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            id="browser.filter",
            tooltip="Show only the entries whose key or JSON contains some text (any case)",
        ),
        Binding(
            "y",
            "copy",
            "Copy JSON",
            id="browser.copy",
            tooltip="Copy the selected entry's JSON to the clipboard (OSC 52)",
        ),
        Binding(
            "w",
            "save",
            "Save JSON",
            show=False,
            id="browser.save",
            tooltip="Write the selected entry's JSON to a private temp file",
        ),
    ]

    def __init__(self, context: DashboardContext, entry: CatalogEntry) -> None:
        super().__init__(context)
        self.entry = entry
        self._data: dict[str, object] | None = None
        self._map_rows: MapRows | None = None
        """The open map's rows, unfiltered."""
        self._query = ""

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
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
        yield Footer()

    @property
    def maps(self) -> VirtualTable:
        return self.query_one("#maps", VirtualTable)

    @property
    def entries(self) -> VirtualTable:
        return self.query_one("#entries", VirtualTable)

    @property
    def json_view(self) -> JsonView:
        return self.query_one("#entry", JsonView)

    def on_mount(self) -> None:
        self._show_crumbs(Text("loading…", "dim italic"))
        self.maps.loading = True
        self._load()

    def _show_crumbs(self, *tail: Text) -> None:
        crumbs = Text.assemble(snapshot_title(self.entry), (" ▸ ", "dim"), *tail)
        self.query_one("#crumbs", Static).update(crumbs)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        self.post_message(MapsLoaded(self.context.load(self.entry)))

    @on(MapsLoaded)
    def _loaded(self, message: MapsLoaded) -> None:
        self.maps.loading = False
        found = message.found
        if not found.is_valid or not isinstance(found.data, dict):
            self._show_crumbs(verdict_text(found))
            self.maps.set_rows(MapSummaryRows([]), empty_text="Nothing to browse.")
            self.json_view.clear(
                escape_controls(f"Nothing to browse: {verdict_words(found)}", keep_newlines=False)
            )
            return
        self._data = found.data
        summaries = summarize_maps(found.data)
        self.maps.set_rows(MapSummaryRows(summaries), empty_text="This snapshot has no maps.")

    # -- maps and entries --------------------------------------------------------------------

    @on(VirtualTable.CursorMoved, "#maps")
    def _map_highlighted(self, message: VirtualTable.CursorMoved) -> None:
        if self._data is None or message.row < 0:
            return
        source = self.maps.source
        assert isinstance(source, MapSummaryRows)
        name = source.summaries[message.row].name
        self._map_rows = MapRows.of_map(name, self._data[name])
        self._set_query("")
        self._show_rows(self._map_rows)

    def _show_rows(self, rows: MapRows) -> None:
        empty = f"No entry matches {self._query!r}." if self._query else "This map is empty."
        self.entries.set_rows(
            rows, columns=rows.columns, empty_text=escape_controls(empty, keep_newlines=False)
        )
        self._show_map_crumbs(rows)

    def _show_map_crumbs(self, rows: MapRows) -> None:
        base = self._map_rows or rows
        counts = f"  {base.key_count:,} entries"
        if len(base) != base.key_count:
            counts += f" · {len(base):,} records"
        tail = [safe_text(base.name, "bold"), Text(counts, "dim")]
        if self._query:
            tail += [
                Text("  filter ", "dim"),
                safe_text(self._query, "bold"),
                Text(f" · {len(rows):,} matching", "dim"),
            ]
        self._show_crumbs(*tail)

    @on(VirtualTable.CursorMoved, "#entries")
    def _entry_highlighted(self, message: VirtualTable.CursorMoved) -> None:
        rows = self.entries.source
        title = self.query_one("#entry-title", Static)
        if not isinstance(rows, MapRows) or message.row < 0:
            title.update("")
            self.json_view.clear("No entry selected.")
        else:
            title.update(
                Text.assemble(
                    safe_text(rows.name, "bold"), " ▸ ", safe_text(rows.label(message.row))
                )
            )
            self.json_view.show_value(rows.entry(message.row))
        self.refresh_bindings()

    # -- filter ------------------------------------------------------------------------------

    def _set_query(self, query: str) -> None:
        self._query = query
        box = self.query_one("#filter", Input)
        if box.value != query:
            box.value = query
        box.display = bool(query) or box.has_focus

    @on(Input.Changed, "#filter")
    def _filter_changed(self, message: Input.Changed) -> None:
        if self._map_rows is None or message.value == self._query:
            return
        self._query = message.value
        if not message.value:
            self._show_rows(self._map_rows)
        else:
            self._filter(self._map_rows, message.value)

    @work(thread=True, exclusive=True, group="filter", exit_on_error=False)
    def _filter(self, rows: MapRows, query: str) -> None:
        worker = get_current_worker()
        found = rows.matching(query, lambda: not worker.is_cancelled)
        if found is not None:
            self.post_message(EntriesFiltered(query, found))

    @on(EntriesFiltered)
    def _filtered(self, message: EntriesFiltered) -> None:
        current = self._map_rows
        if current is not None and (message.query, message.rows.name) == (
            self._query,
            current.name,
        ):
            self._show_rows(message.rows)

    @on(Input.Submitted, "#filter")
    def _filter_kept(self) -> None:
        self.entries.focus()

    # -- actions -----------------------------------------------------------------------------

    def unavailable_reason(self, action: str) -> str | None:
        if action in {"copy", "save"} and not self.json_view.line_count:
            return "no entry selected"
        if action == "filter" and self._map_rows is None:
            return "no map open"
        if action == "open" and self._open_target() is None:
            return "nothing further to open here"
        return None

    def _open_target(self) -> VirtualTable | JsonView | None:
        if self.maps.has_focus and self._map_rows is not None:
            return self.entries
        if self.entries.has_focus and self.json_view.line_count:
            return self.json_view
        return None

    def action_open(self) -> None:
        if (target := self._open_target()) is not None:
            target.focus()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus or self._query:
            self._set_query("")
            if self._map_rows is not None:
                self._show_rows(self._map_rows)
            box.display = False
            self.entries.focus()
        elif self.entries.has_focus or self.json_view.has_focus:
            self.maps.focus()
        else:
            self.dismiss()

    def _entry_label(self) -> str:
        rows = self.entries.source
        if isinstance(rows, MapRows) and rows and self.entries.cursor_row >= 0:
            return f"{rows.name} {rows.label(self.entries.cursor_row)}"
        return "entry"

    def action_copy(self) -> None:
        self.notify(copy_text(self.app, self.json_view.text, self._entry_label()), markup=False)

    def action_save(self) -> None:
        path = save_text(self.json_view.text, self._entry_label())
        self.notify(f"Saved the entry's JSON to {path}", markup=False)

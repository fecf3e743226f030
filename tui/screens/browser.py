"""The browser: the maps with their counts, a map's entries, an entry's JSON; of one snapshot
file, or of the attached server's live state, alike (`statesnap.tui.sources`).

What differs between the two, the source says: live, the entries are read a page at a time as
they come into view, the selected entry's JSON is read in full, and every few seconds the
counts, the pages on screen and that JSON are read again, keeping the selection and the scroll
position; a file's are all in memory, and do not change.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from statesnap.engine import CatalogChange, LiveEntry
from statesnap.tui.clipboard import copy_text, save_text
from statesnap.tui.messages import EntriesFiltered, EntryRead, MapsLoaded, PageRead, SourceRefreshed
from statesnap.tui.rows.map_rows import MapCountsRows
from statesnap.tui.screens.browser_panes import BrowserPanes
from statesnap.tui.screens.history import HistoryScreen
from statesnap.tui.sources import EntryRequest, EntryRows, PageRequest, RefreshRequest
from statesnap.tui.text.safe_text import escape_controls, safe_text
from statesnap.tui.widgets.json_view import JsonView
from statesnap.tui.widgets.read_only_banner import ReadOnlyBanner
from statesnap.tui.widgets.virtual_table import VirtualTable
from textual import on, work
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static
from textual.worker import get_current_worker

__all__ = ["BrowserScreen"]


class BrowserScreen(BrowserPanes):
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
            tooltip="Copy the selected entry's JSON to the clipboard (OSC 52), and to a file "
            "when the terminal may not take it",
        ),
        Binding(
            "w",
            "save",
            "Save JSON",
            id="browser.save",
            tooltip="Write the selected entry's JSON to a private temp file",
        ),
        Binding(
            "h",
            "history",
            "History",
            priority=True,
            id="browser.history",
            tooltip="The selected entry in every snapshot and the live state, and what changed",
        ),
    ]

    def on_mount(self) -> None:
        self._show_crumbs(Text("loading…", "dim italic"))
        self.maps.loading = True
        self._load()
        if (every := self.source.refresh_every) is not None:
            self.set_interval(every, self._refresh)

    def server_changed(self) -> None:
        super().server_changed()
        if self.source.heading_follows_server:
            self._show_map_crumbs()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        self.post_message(MapsLoaded(self.source.read_maps()))

    @on(MapsLoaded)
    def _loaded(self, message: MapsLoaded) -> None:
        self.maps.loading = False
        if message.read.verdict is not None:
            self.query_one(ReadOnlyBanner).show_verdicts([("", message.read.verdict)])
        problem = message.read.problem
        if problem is not None:
            self._show_crumbs(problem)
            self.maps.set_rows(MapCountsRows([]), empty_text="Nothing to browse.")
            self.json_view.clear(
                escape_controls(f"Nothing to browse: {problem.plain}", keep_newlines=False)
            )
            return
        self._summaries = message.read.summaries
        self.maps.set_rows(MapCountsRows(self._summaries), empty_text=self.source.no_maps_text)

    # -- maps and entries --------------------------------------------------------------------

    @on(VirtualTable.CursorMoved, "#maps")
    def _map_highlighted(self, message: VirtualTable.CursorMoved) -> None:
        if not 0 <= message.row < len(self._summaries):
            return
        self._map_rows = self.source.rows_for(self._summaries[message.row])
        self._set_query("")
        self._show_rows(self._map_rows)

    @on(VirtualTable.CursorMoved, "#entries")
    def _entry_highlighted(self, message: VirtualTable.CursorMoved) -> None:
        self._show_entry(message.row)

    def _show_entry(self, row: int) -> None:
        """The row's address above the JSON, and its JSON: as its rows hold it, then, if the
        source reads it in full, as it is now. A row still being read shows when its page
        arrives."""
        rows = self._rows
        title = self.query_one("#entry-title", Static)
        label = rows.label(row) if rows is not None and row >= 0 else None
        self._shown = None
        if rows is None or row < 0:
            title.update("")
            self.json_view.clear("No entry selected.")
        elif label is None:
            title.update(Text("loading…", "dim italic"))
            self.json_view.clear("Loading…")
        else:
            title.update(Text.assemble(safe_text(rows.name, "bold"), " ▸ ", safe_text(label)))
            self.json_view.show_value(rows.entry(row))
            if (request := self.source.entry_request(rows, row)) is not None:
                self._shown = request.address
                self._read_entry(request)
        self.refresh_bindings()

    # -- reading as it comes into view: pages, entries, refresh -----------------------------

    @on(VirtualTable.RowsShown, "#entries")
    def _rows_shown(self, message: VirtualTable.RowsShown) -> None:
        rows = self._rows
        if rows is None:
            return
        margin = message.last - message.first + 1
        for request in self.source.page_requests(
            rows, message.first - margin, message.last + margin
        ):
            self._read_page(request)

    @work(thread=True, group="pages", exit_on_error=False)
    def _read_page(self, request: PageRequest) -> None:
        try:
            page = request.read()
        except Exception as exc:  # the source's errors say what happened, in words
            self.post_message(PageRead(request, None, str(exc)))
        else:
            self.post_message(PageRead(request, page))

    @on(PageRead)
    def _page_read(self, message: PageRead) -> None:
        rows = message.request.rows
        if message.page is None:
            rows.page_failed(message.request.offset)
            self._read_problem = message.problem
            self._show_map_crumbs()
            return
        rows.add_page(message.page)
        if rows is not self._rows:
            return
        self.entries.swap_rows(rows)
        self._show_map_crumbs()
        if self._shown is None and rows.label(self.entries.cursor_row) is not None:
            self._show_entry(self.entries.cursor_row)

    @work(thread=True, exclusive=True, group="entry", exit_on_error=False)
    def _read_entry(self, request: EntryRequest) -> None:
        try:
            entry = request.read()
        except Exception:  # gone since: the next refresh shows what is there now
            return
        self.post_message(EntryRead(entry))

    @on(EntryRead)
    def _entry_read(self, message: EntryRead) -> None:
        entry = message.entry
        if (entry.map, entry.key) == self._shown:
            self.json_view.show_value(entry.value, keep_position=True)

    def _refresh(self) -> None:
        """Read again what is shown: the maps' counts, the rows on screen and a screen's
        worth either side, and the entry whose JSON is shown if those rows miss it."""
        rows = self._rows
        window = shown = None
        if rows is not None:
            first, last = self.entries.rows_on_screen
            margin = last - first + 1
            window = (max(first - margin, 0), last + margin)
            if not window[0] <= self.entries.cursor_row <= window[1]:
                shown = self._shown
        if (request := self.source.refresh_request(rows, window, shown)) is not None:
            self._read_refresh(request)

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def _read_refresh(self, request: RefreshRequest) -> None:
        self.post_message(SourceRefreshed(request.rows, request.read()))

    @on(SourceRefreshed)
    def _refreshed(self, message: SourceRefreshed) -> None:
        read = message.read
        self._read_problem = read.problem
        if read.problem is None:
            self._update_maps(read.maps)
            rows = message.rows
            if rows is not None and rows is self._rows and read.rows is not None:
                rows.replace_rows(read.rows)
                self._update_entries(rows, read.entry)
        self._show_map_crumbs()

    def _update_entries(self, rows: EntryRows, entry: LiveEntry | None) -> None:
        """Fresh rows on screen: the cursor and the scroll stay; the JSON follows the entry
        under the cursor, fresh (or another entry, if that one went away)."""
        self.entries.swap_rows(rows)
        row = self.entries.cursor_row
        label = rows.label(row) if row >= 0 else None
        if label is not None and (rows.name, label) == self._shown:
            self.json_view.show_value(rows.entry(row), keep_position=True)
        elif entry is not None and (entry.map, entry.key) == self._shown:
            self.json_view.show_value(entry.value, keep_position=True)
        elif label is not None or row < 0:
            self._show_entry(row)

    # -- filter ------------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, message: Input.Changed) -> None:
        if self._map_rows is None or message.value == self._query:
            return
        self._query = message.value
        if not message.value:
            self._show_rows(self._map_rows)
        else:
            self._filter(message.value)
            self._show_map_crumbs()

    @work(thread=True, exclusive=True, group="filter", exit_on_error=False)
    def _filter(self, query: str) -> None:
        """Filter the open map's rows (taken as the worker starts, not passed to it: a finished
        worker lingers until the garbage collector's next pass, and must not keep a map of the
        snapshot alive meanwhile)."""
        rows = self._map_rows
        if rows is None:
            return
        worker = get_current_worker()
        try:
            found = self.source.matching(rows, query, lambda: not worker.is_cancelled)
        except Exception as exc:  # the source's errors say what happened, in words
            self.post_message(EntriesFiltered(query, rows.name, None, str(exc)))
            return
        if found is not None:
            self.post_message(EntriesFiltered(query, rows.name, found))

    @on(EntriesFiltered)
    def _filtered(self, message: EntriesFiltered) -> None:
        current = self._map_rows
        if current is None or (message.query, message.map_name) != (self._query, current.name):
            return
        if message.rows is None:
            problem = f"Cannot filter {message.map_name}: {message.problem}"
            self.notify(escape_controls(problem), severity="error", markup=False)
        else:
            self._show_rows(message.rows)

    @on(Input.Submitted, "#filter")
    def _filter_kept(self) -> None:
        self.entries.focus()

    # -- actions -----------------------------------------------------------------------------

    def files_changed(self, changes: tuple[CatalogChange, ...]) -> None:
        """Say so at once when the file browsed is deleted or rewritten on disk."""
        for change in changes:
            if self.source.browses_file(change.name):
                self.query_one(ReadOnlyBanner).show_changed(change)

    def unavailable_reason(self, action: str) -> str | None:
        if (reason := self.source.unavailable_reason(action)) is not None:
            return reason
        if action in {"copy", "save"} and not self.json_view.line_count:
            return "no entry selected"
        if action == "history" and self._entry_key() is None:
            return "no entry selected"
        if action == "filter" and self._map_rows is None:
            return "no map open"
        if action == "open" and self._open_target() is None:
            return "nothing further to open here"
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`h` is typed into the filter box while it has the focus."""
        if action == "history" and self.query_one("#filter", Input).has_focus:
            return False
        return super().check_action(action, parameters)

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

    def action_history(self) -> None:
        if self._rows is not None and (key := self._entry_key()) is not None:
            self.app.push_screen(HistoryScreen(self.context, self._rows.name, key))

    def action_copy(self) -> None:
        self.notify(copy_text(self.app, self.json_view.text, self._entry_label()), markup=False)

    def action_save(self) -> None:
        path = save_text(self.json_view.text, self._entry_label())
        self.notify(f"Saved the entry's JSON to {path}", markup=False)

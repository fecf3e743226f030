"""The results of a search across snapshots: the files holding matches, newest first, with
their counts per map (and the files that could not be searched, with why), streaming in as a
thread worker reads them; below, the selected file's matches. Enter opens the browser on a
match (`statesnap.tui.screens.search_browser`); `n`/`N` go to the next/previous match here and
in that browser. Leaving the screen cancels the search."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from statesnap.engine import FileMatches, SearchMatch, SnapshotSearch
from statesnap.tui.context import DashboardContext
from statesnap.tui.rows.search import (
    FILE_COLUMNS,
    MATCH_COLUMNS,
    FileRows,
    MatchRows,
    SearchOptions,
    SearchPosition,
)
from statesnap.tui.screens.base import DashboardScreen
from statesnap.tui.screens.search_browser import SearchBrowserScreen, open_match
from statesnap.tui.travel_messages import SearchStepRead
from statesnap.tui.widgets.footer import DashboardFooter
from statesnap.tui.widgets.virtual_table import VirtualTable
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Header, Static
from textual.worker import get_current_worker

__all__ = ["SearchResultsScreen"]


class SearchResultsScreen(DashboardScreen):
    CSS_PATH = "search.tcss"
    AUTO_FOCUS = "#search-files"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "back",
            "Back",
            id="search.back",
            tooltip="Leave the matches, or go back to the snapshots",
        ),
        Binding(
            "enter",
            "open",
            "Browse",
            id="search.open",
            tooltip="Open the browser on the selected match (a file's first match)",
        ),
        *SearchBrowserScreen.STEP_BINDINGS,
    ]

    def __init__(
        self, context: DashboardContext, search: SnapshotSearch, options: SearchOptions
    ) -> None:
        super().__init__(context)
        self.search = search
        self.options = options
        self.position = SearchPosition()
        self.file_rows = FileRows()

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield Static(id="crumbs")
        yield VirtualTable(FILE_COLUMNS, id="search-files", empty_text="Searching…")
        yield VirtualTable(MATCH_COLUMNS, id="search-matches", empty_text="")
        yield DashboardFooter()

    @property
    def files(self) -> VirtualTable:
        return self.query_one("#search-files", VirtualTable)

    @property
    def matches(self) -> VirtualTable:
        return self.query_one("#search-matches", VirtualTable)

    def on_mount(self) -> None:
        self._show_crumbs()
        self._search()

    def on_unmount(self) -> None:
        self.workers.cancel_node(self)

    def on_screen_resume(self) -> None:
        """Back from a browser opened on a match: show the match last looked at there."""
        if (match := self.position.current) is not None:
            self.show_match(match)

    def _show_crumbs(self) -> None:
        progress = self.position.progress() if self.position.total else "searching…"
        self.query_one("#crumbs", Static).update(
            Text.assemble(self.options.describe(), ("   ", ""), (progress, "dim"))
        )

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self) -> None:
        worker = get_current_worker()
        try:
            for step in self.search:
                if worker.is_cancelled:
                    return
                self.post_message(SearchStepRead(step))
        except Exception as exc:  # the directory went away, or cannot be read
            self.post_message(SearchStepRead(None, str(exc)))

    @on(SearchStepRead)
    def _step_read(self, message: SearchStepRead) -> None:
        if message.step is None:
            self.notify(f"The search stopped: {message.problem}", severity="error", markup=False)
            return
        self.position.add(message.step)
        if self.file_rows.add(message.step.file):
            if self.files.source is self.file_rows:
                self.files.swap_rows(self.file_rows)
            else:
                self.files.set_rows(self.file_rows)
        if message.step.done == message.step.total and not self.file_rows:
            self.files.empty_text = "No snapshot holds a match."
            self.files.refresh()
        self._show_crumbs()
        self.refresh_bindings()

    @on(VirtualTable.CursorMoved, "#search-files")
    def _file_highlighted(self, message: VirtualTable.CursorMoved) -> None:
        if 0 <= message.row < len(self.file_rows):
            self._show_matches(self.file_rows.files[message.row])

    def _show_matches(self, found: FileMatches) -> None:
        """The file's matches below (left as they are if they are shown already)."""
        source = self.matches.source
        if not isinstance(source, MatchRows) or source.found is not found:
            empty = "No entries: the file could not be searched." if found.skipped else ""
            self.matches.set_rows(MatchRows(found), empty_text=empty)

    def _selected_match(self) -> SearchMatch | None:
        """The match under the cursor of the matches, else the selected file's first."""
        source = self.matches.source
        if not isinstance(source, MatchRows) or not len(source):
            return None
        row = self.matches.cursor_row if self.matches.has_focus else 0
        return source.found.matches[max(row, 0)]

    def show_match(self, match: SearchMatch) -> None:
        """Select `match` in both tables (the current match of `n`/`N`)."""
        row = self.file_rows.row_of(match.file)
        if row is None:
            return
        found = self.file_rows.files[row]
        self._show_matches(found)
        self.files.move_cursor(row)
        self.matches.move_cursor(found.matches.index(match))
        self.matches.focus()

    def unavailable_reason(self, action: str) -> str | None:
        if action == "open" and self._selected_match() is None:
            return "no match selected"
        if action in {"next_match", "previous_match"} and not self.position.result.matches:
            return "no matches" if self.position.done == self.position.total else "none yet"
        return None

    def action_open(self) -> None:
        if (match := self._selected_match()) is not None:
            self.position.go_to(match)
            open_match(self, self.position, match, replace=False)

    def action_next_match(self) -> None:
        if (match := self.position.step(1)) is not None:
            self.show_match(match)

    def action_previous_match(self) -> None:
        if (match := self.position.step(-1)) is not None:
            self.show_match(match)

    def action_back(self) -> None:
        if self.matches.has_focus:
            self.files.focus()
        else:
            self.dismiss()

"""The browser opened from a search's results: the file of a match, with the match's map and
entry selected, and `n`/`N` to go to the next/previous match (in this file, or in another: the
browser then opens that file in its place). The search's position is shared with the results
(`statesnap.tui.rows.search.SearchPosition`), so they show the match last looked at."""

from __future__ import annotations

from typing import ClassVar

from statesnap.engine import SearchMatch
from statesnap.tui.context import DashboardContext
from statesnap.tui.messages import MapsLoaded
from statesnap.tui.rows.search import SearchPosition
from statesnap.tui.screens.base import DashboardScreen
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.sources import EntryRows, FileSource
from statesnap.tui.text.safe_text import escape_controls
from textual import on
from textual.binding import Binding, BindingType

__all__ = ["SearchBrowserScreen", "open_match"]


def open_match(
    screen: DashboardScreen, position: SearchPosition, match: SearchMatch, *, replace: bool
) -> None:
    """Open the browser on `match`'s file, in place of `screen` (`replace`) or over it."""
    entry = screen.context.catalog.entry(match.file)
    if entry is None:
        text = f"{match.file} is no longer in the directory"
        screen.notify(escape_controls(text), severity="warning", markup=False)
        return
    browser = SearchBrowserScreen(screen.context, FileSource(screen.context, entry), position)
    if replace:
        screen.app.switch_screen(browser)
    else:
        screen.app.push_screen(browser)


class SearchBrowserScreen(BrowserScreen):
    STEP_BINDINGS: ClassVar[tuple[Binding, ...]] = (
        Binding(
            "n",
            "next_match",
            "Next match",
            id="search.next",
            tooltip="Go to the next match of the search (newest file first; round at the end)",
        ),
        Binding(
            "N",
            "previous_match",
            "Previous match",
            id="search.previous",
            tooltip="Go to the previous match of the search",
        ),
    )
    BINDINGS: ClassVar[list[BindingType]] = [*BrowserScreen.BINDINGS, *STEP_BINDINGS]

    def __init__(
        self, context: DashboardContext, source: FileSource, position: SearchPosition
    ) -> None:
        super().__init__(context, source)
        self.position = position
        self._target: SearchMatch | None = position.current
        """The match to select once its map's rows are shown."""

    @on(MapsLoaded)
    def _select_target_map(self) -> None:
        """Once the maps are listed (by the browser's own handler, which runs after this one):
        move to the target's map."""
        self.call_later(self._go_to_target)

    def _go_to_target(self) -> None:
        target = self._target
        if target is None:
            return
        names = [summary.name for summary in self._summaries]
        if target.map not in names:
            self._target = None
            return
        if self._map_rows is not None and self._map_rows.name == target.map:
            self._set_query("")
            self._show_rows(self._map_rows)
        else:
            self.maps.move_cursor(names.index(target.map))

    def _show_rows(self, rows: EntryRows) -> None:
        """The rows of the target's map are shown: select its entry."""
        super()._show_rows(rows)
        target = self._target
        if target is None or rows.name != target.map or self._query:
            return
        self._target = None
        row = next((row for row in range(len(rows)) if rows.key(row) == target.key), None)
        if row is not None:
            self.entries.move_cursor(row)
            self.entries.focus()

    def _step(self, direction: int) -> None:
        match = self.position.step(direction)
        if match is None:
            return
        if not self.source.browses_file(match.file):
            open_match(self, self.position, match, replace=True)
            return
        self._target = match
        self._go_to_target()

    def unavailable_reason(self, action: str) -> str | None:
        if action in {"next_match", "previous_match"} and not self.position.result.matches:
            return "no matches"
        return super().unavailable_reason(action)

    def action_next_match(self) -> None:
        self._step(1)

    def action_previous_match(self) -> None:
        self._step(-1)

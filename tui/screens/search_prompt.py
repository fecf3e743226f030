"""The prompt of a search across snapshots: the pattern (plain text, any case, by default) and
two switches, regular expression and match case; a pattern that cannot be searched for says
why in one line, and the prompt stays. Enter starts the search and shows its results
(`statesnap.tui.screens.search_results`) in place of the prompt."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from statesnap.engine import SearchError, SnapshotSearch
from statesnap.tui.context import DashboardContext
from statesnap.tui.rows.search import SearchOptions
from statesnap.tui.screens.search_results import SearchResultsScreen
from statesnap.tui.text.safe_text import safe_text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Static

__all__ = ["SearchPromptScreen"]


class SearchPromptScreen(ModalScreen[None]):
    CSS_PATH = "search.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="search-prompt.cancel", tooltip="Search nothing"),
    ]

    def __init__(self, context: DashboardContext) -> None:
        super().__init__()
        self.context = context

    def compose(self) -> ComposeResult:
        with Vertical(id="search-dialog") as dialog:
            dialog.border_title = "Search every snapshot"
            dialog.border_subtitle = "enter: search · tab: switches · esc: cancel"
            yield Input(placeholder="text in a key or an entry's JSON", id="pattern")
            with Horizontal(id="search-switches"):
                yield Checkbox("regular expression", id="regex")
                yield Checkbox("match case", id="case")
            yield Static(id="search-problem")

    def options(self) -> SearchOptions:
        return SearchOptions(
            self.query_one("#pattern", Input).value,
            regex=self.query_one("#regex", Checkbox).value,
            case_sensitive=self.query_one("#case", Checkbox).value,
        )

    @on(Input.Submitted, "#pattern")
    def _submitted(self) -> None:
        options = self.options()
        try:
            search = SnapshotSearch(
                self.context.directory,
                options.pattern,
                regex=options.regex,
                case_sensitive=options.case_sensitive,
            )
        except (SearchError, OSError) as exc:
            problem = safe_text(str(exc), "bold red")
            self.query_one("#search-problem", Static).update(problem)
            return
        self.app.switch_screen(SearchResultsScreen(self.context, search, options))

    @on(Input.Changed, "#pattern")
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        self.query_one("#search-problem", Static).update(Text(""))

    def action_cancel(self) -> None:
        self.dismiss()

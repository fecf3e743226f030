"""Two versions of one entry side by side: the older on the left, the newer on the right, the
lines that differ marked as the diff view marks a changed entry's, and which of the entry's
fields changed (`statesnap.engine.diff_versions`, the comparison the snapshot diff uses)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from statesnap.engine import HistoryRow, VersionKind, diff_versions
from statesnap.tui.context import DashboardContext
from statesnap.tui.rows.history import VersionLines, history_heading, source_words, version_lines
from statesnap.tui.screens.base import DashboardScreen
from statesnap.tui.text.safe_text import safe_text
from statesnap.tui.widgets.footer import DashboardFooter
from statesnap.tui.widgets.json_view import JsonView
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Static

__all__ = ["VersionDiffScreen", "changed_fields"]


def changed_fields(key: str, before: HistoryRow, after: HistoryRow) -> Text:
    """`3 fields changed: status, user, cwd`, `identical`, or the entry's own change."""
    diff = diff_versions(key, before, after)
    if diff.change is None:
        return Text("identical", "dim")
    if VersionKind.ABSENT in (before.kind, after.kind):
        return Text(diff.change.kind.value, "yellow")
    names = [change.key for change in diff.fields.changes]
    if not names:
        return Text("changed", "yellow")
    text = Text(f"{len(names)} field{'s' if len(names) != 1 else ''} changed: ", "yellow")
    for index, name in enumerate(names):
        if index:
            text.append(", ", "dim")
        text.append_text(safe_text(name))
    return text


class VersionDiffScreen(DashboardScreen):
    CSS_PATH = "history.tcss"
    AUTO_FOCUS = "#older-version"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="version-diff.back", tooltip="Back to the history"),
    ]

    def __init__(
        self,
        context: DashboardContext,
        map_name: str,
        key: str,
        before: HistoryRow,
        after: HistoryRow,
    ) -> None:
        super().__init__(context)
        self.map_name = map_name
        self.key = key
        self.before = before
        self.after = after

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield Static(id="crumbs")
        yield Static(id="fields")
        with Horizontal(id="version-sides"):
            for side, row in (("older", self.before), ("newer", self.after)):
                with Vertical():
                    title = Text.assemble((f"{side} ", "bold"), source_words(row.first))
                    yield Static(title, classes="side-title")
                    yield JsonView(id=f"{side}-version")
        yield DashboardFooter()

    def on_mount(self) -> None:
        self.query_one("#crumbs", Static).update(history_heading(self.map_name, self.key))
        self.query_one("#fields", Static).update(changed_fields(self.key, self.before, self.after))
        old, new = version_lines(self.before, self.after)
        self._show("older", self.before, old)
        self._show("newer", self.after, new)

    def _show(self, side: str, row: HistoryRow, shown: VersionLines) -> None:
        view = self.query_one(f"#{side}-version", JsonView)
        if row.kind is VersionKind.ABSENT:
            view.clear("(absent: no such entry here)")
        else:
            view.show_lines(shown.lines, shown.marks.lines, shown.marks.first)

    def action_back(self) -> None:
        self.dismiss()

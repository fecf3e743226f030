"""The history of one entry: its versions in every snapshot of the directory, oldest first, and
in the attached server's live state; the selected version's JSON with the lines changed from
the version before it marked; and the diff between any two versions
(`statesnap.tui.screens.version_diff`).

The files are read by `statesnap.engine.EntryHistory` in a thread worker that posts each step
as it comes (rows stream in, the crumbs count the files read); leaving the screen cancels it.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from rich.text import Text
from statesnap.engine import EntryHistory, VersionKind
from statesnap.tui.context import DashboardContext
from statesnap.tui.rows.history import (
    HISTORY_COLUMNS,
    HistoryRows,
    history_heading,
    live_entry_value,
    source_words,
    version_lines,
)
from statesnap.tui.screens.base import DashboardScreen
from statesnap.tui.screens.version_diff import VersionDiffScreen
from statesnap.tui.text.safe_text import escape_controls
from statesnap.tui.travel_messages import HistoryStepRead
from statesnap.tui.widgets.footer import DashboardFooter
from statesnap.tui.widgets.json_view import JsonView
from statesnap.tui.widgets.virtual_table import VirtualTable
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Header, Static
from textual.worker import get_current_worker

__all__ = ["HistoryScreen"]


class HistoryScreen(DashboardScreen):
    CSS_PATH = "history.tcss"
    AUTO_FOCUS = "#versions"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="history.back", tooltip="Back to the browser"),
        Binding(
            "enter,d",
            "diff",
            "Diff",
            id="history.diff",
            tooltip="Compare this version with the one marked (space), else with the one before",
        ),
        Binding(
            "space",
            "mark",
            "Mark",
            priority=True,
            id="history.mark",
            tooltip="Mark this version for a diff (space on it again forgets the mark)",
        ),
    ]

    def __init__(self, context: DashboardContext, map_name: str, key: str) -> None:
        super().__init__(context)
        self.map_name = map_name
        self.key = key
        self.rows = HistoryRows()
        self._progress = "reading…"

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield Static(id="crumbs")
        yield VirtualTable(HISTORY_COLUMNS, id="versions", empty_text="Reading the snapshots…")
        yield Static(id="version-title")
        yield JsonView(id="version")
        yield DashboardFooter()

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#versions", VirtualTable)

    @property
    def json_view(self) -> JsonView:
        return self.query_one("#version", JsonView)

    def on_mount(self) -> None:
        self._show_crumbs()
        self._read()

    def on_unmount(self) -> None:
        self.workers.cancel_node(self)

    def _show_crumbs(self) -> None:
        self.query_one("#crumbs", Static).update(
            Text.assemble(
                history_heading(self.map_name, self.key), ("   ", ""), (self._progress, "dim")
            )
        )

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def _read(self) -> None:
        """Every snapshot, oldest first, then the live state if a server is attached."""
        worker = get_current_worker()
        attachment = self.context.attachment
        live = None
        if attachment is not None:
            live = partial(live_entry_value, attachment.entry, self.map_name, self.key)
        try:
            history = EntryHistory(self.context.directory, self.map_name, self.key, live=live)
            for step in history:
                if worker.is_cancelled:
                    return
                self.post_message(HistoryStepRead(step))
        except Exception as exc:  # the directory went away, or cannot be listed
            self.post_message(HistoryStepRead(None, str(exc)))

    @on(HistoryStepRead)
    def _step_read(self, message: HistoryStepRead) -> None:
        step = message.step
        if step is None:
            self._progress = f"stopped: {message.problem}"
            self._show_crumbs()
            return
        self.rows.add(step)
        versions = sum(row.kind is not VersionKind.SKIPPED for row in self.rows.rows)
        self._progress = (
            f"reading {step.done}/{step.total}…"
            if step.done < step.total
            else f"{step.total} sources · {versions} versions"
        )
        self._show_crumbs()
        if self.table.source is self.rows:
            self.table.swap_rows(self.rows)
            if step.folded and self.table.cursor_row == len(self.rows) - 1:
                self._show_version(self.table.cursor_row)
        else:
            self.table.set_rows(self.rows)

    @on(VirtualTable.CursorMoved, "#versions")
    def _version_highlighted(self, message: VirtualTable.CursorMoved) -> None:
        self._show_version(message.row)

    def _show_version(self, row: int) -> None:
        """The version's JSON, its lines changed from the version before it marked."""
        title = self.query_one("#version-title", Static)
        self.refresh_bindings()
        if not 0 <= row < len(self.rows):
            title.update("")
            self.json_view.clear("")
            return
        version = self.rows.rows[row]
        before = self.rows.previous_version(row)
        heading = Text.assemble((source_words(version.first), "bold"))
        if before is not None and version.kind is not VersionKind.SKIPPED:
            heading.append(f"  changes from {source_words(self.rows.rows[before].last)}", "dim")
        title.update(heading)
        if version.kind is VersionKind.SKIPPED:
            self.json_view.clear(escape_controls(version.state, keep_newlines=False))
        elif version.kind is VersionKind.ABSENT:
            self.json_view.clear("(absent: no such entry here)")
        else:
            previous = self.rows.rows[before] if before is not None else None
            _, shown = version_lines(previous, version)
            self.json_view.show_lines(shown.lines, shown.marks.lines, shown.marks.first)

    def unavailable_reason(self, action: str) -> str | None:
        row = self.table.cursor_row
        if action in {"diff", "mark"} and not 0 <= row < len(self.rows):
            return "no version selected"
        if action == "mark" and self.rows.rows[row].kind is VersionKind.SKIPPED:
            return "a skipped file has no version to mark"
        if action == "diff" and self.rows.diff_pair(row) is None:
            return "nothing to compare with: mark another version with space"
        return None

    def action_mark(self) -> None:
        self.rows.toggle_mark(self.table.cursor_row)
        self.table.refresh_rows()
        self.refresh_bindings()

    def action_diff(self) -> None:
        pair = self.rows.diff_pair(self.table.cursor_row)
        if pair is not None:
            self.app.push_screen(VersionDiffScreen(self.context, self.map_name, self.key, *pair))

    def action_back(self) -> None:
        self.dismiss()

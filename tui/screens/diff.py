"""The diff view: what changed from an older snapshot to a newer one, or to the attached
server's live state, map by map, entry by entry.

The comparison is `statesnap.engine.diff_data` (`diff_live` for the live state, read a page at
a time with its progress shown), the same code as `statesnap diff` and `statesnap diff --live`.
It runs in a thread worker, stopped between pages when the view is left.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from rich.text import Text
from statesnap.engine import (
    CatalogChange,
    CatalogEntry,
    ChangeKind,
    LiveDiffProgress,
    SnapshotRead,
    diff_data,
    diff_live,
)
from statesnap.tui.attachment import NO_SERVER
from statesnap.tui.context import DashboardContext
from statesnap.tui.live_source import live_heading
from statesnap.tui.messages import DiffReady
from statesnap.tui.rows.diff import (
    CHANGE_COLUMNS,
    DIFF_MAP_COLUMNS,
    ChangeRows,
    DiffMapRows,
    changed_lines,
    diff_totals,
)
from statesnap.tui.rows.snapshots import snapshot_title
from statesnap.tui.screens.base import DashboardScreen
from statesnap.tui.text.json_lines import pretty_json_lines
from statesnap.tui.text.safe_text import escape_controls, safe_text
from statesnap.tui.widgets.footer import DashboardFooter
from statesnap.tui.widgets.json_view import JsonView
from statesnap.tui.widgets.read_only_banner import ReadOnlyBanner
from statesnap.tui.widgets.virtual_table import VirtualTable
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Header, Static
from textual.worker import get_current_worker

__all__ = ["DiffProgress", "DiffScreen"]

Verdicts = tuple[tuple[str, SnapshotRead], ...]


@dataclass
class DiffProgress(Message):
    """How far the comparison with the live state got."""

    step: LiveDiffProgress


class DiffScreen(DashboardScreen):
    CSS_PATH = "diff.tcss"
    AUTO_FOCUS = "#diff-maps"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "back",
            "Back",
            id="diff.back",
            tooltip="Leave the changes, or go back to the snapshots",
        ),
        Binding(
            "enter",
            "open",
            "Changes",
            id="diff.open",
            tooltip="Move to the highlighted map's changed entries",
        ),
    ]

    def __init__(
        self, context: DashboardContext, older: CatalogEntry, newer: CatalogEntry | None
    ) -> None:
        """Compare `older` with `newer`, or with the attached server's live state if None."""
        super().__init__(context)
        self.older = older
        self.newer = newer
        self.newer_word = "newer" if newer is not None else "live"
        self.newer_absent = (
            "(not in the newer snapshot)" if newer is not None else "(not in the live state)"
        )

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield ReadOnlyBanner()
        yield Static(id="crumbs")
        with Horizontal(id="diff-body"):
            yield VirtualTable(DIFF_MAP_COLUMNS, id="diff-maps", empty_text="Comparing…")
            with Vertical(id="changes-pane"):
                yield VirtualTable(CHANGE_COLUMNS, id="changes", empty_text="")
                with Horizontal(id="sides"):
                    with Vertical():
                        yield Static(Text("older", "bold"), classes="side-title", id="before-title")
                        yield JsonView(id="before")
                    with Vertical():
                        yield Static(
                            Text(self.newer_word, "bold"), classes="side-title", id="after-title"
                        )
                        yield JsonView(id="after")
        yield DashboardFooter()

    @property
    def map_table(self) -> VirtualTable:
        return self.query_one("#diff-maps", VirtualTable)

    @property
    def changes(self) -> VirtualTable:
        return self.query_one("#changes", VirtualTable)

    def on_mount(self) -> None:
        self._show_crumbs(Text("comparing…", "dim italic"))
        self.map_table.loading = True
        self._compare()

    def on_unmount(self) -> None:
        """Left: the tables and JSON views let go of the changes as they are removed."""
        self.context.release()

    def _show_crumbs(self, tail: Text) -> None:
        self.query_one("#crumbs", Static).update(
            Text.assemble(
                snapshot_title(self.older),
                (" → ", "bold"),
                self._newer_title(),
                ("   ", ""),
                tail,
            )
        )

    def _newer_title(self) -> Text:
        if self.newer is None:
            return live_heading(self.context.attachment, self.context.server_status)
        return snapshot_title(self.newer)

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False)
    def _compare(self) -> None:
        """Compare any two files whose data objects can be read, valid or not (read-only), or
        such a file with the live state."""
        entries = (self.older,) if self.newer is None else (self.older, self.newer)
        reads = [self.context.load(entry) for entry in entries]
        for entry, read in zip(entries, reads, strict=True):
            if (problem := read.unreadable_reason) is not None:
                self.post_message(DiffReady(None, f"cannot compare: {entry.name}: {problem}"))
                return
        sides = ("older", "newer")[: len(reads)]
        verdicts = tuple(
            (side, replace(read, data=None)) for side, read in zip(sides, reads, strict=True)
        )
        data = [read.data_object for read in reads]
        before, after = data[0], data[-1]
        assert before is not None and after is not None
        if self.newer is None:
            self._compare_live(before, verdicts)
        else:
            self.post_message(DiffReady(diff_data(before, after), verdicts=verdicts))

    def _compare_live(self, before: dict[str, Any], verdicts: Verdicts) -> None:
        """(In the worker.) `before` against the live state, a page at a time, its progress
        posted; stopped between pages once the worker is cancelled (the view was left)."""
        attachment = self.context.attachment
        if attachment is None:
            self.post_message(DiffReady(None, f"cannot compare: {NO_SERVER}"))
            return
        worker = get_current_worker()

        def progress(step: LiveDiffProgress) -> None:
            self.post_message(DiffProgress(step))

        try:
            result = diff_live(
                before, attachment, progress=progress, keep_going=lambda: not worker.is_cancelled
            )
        except Exception as exc:  # the attachment's errors say what happened, in words
            self.post_message(DiffReady(None, f"cannot read the live state: {exc}"))
            return
        if result is not None:
            self.post_message(DiffReady(result, verdicts=verdicts))

    @on(DiffProgress)
    def _progress(self, message: DiffProgress) -> None:
        self._show_crumbs(safe_text(f"comparing… {message.step.words()}", "dim italic"))

    @on(DiffReady)
    def _ready(self, message: DiffReady) -> None:
        self.map_table.loading = False
        self.query_one(ReadOnlyBanner).show_verdicts(message.verdicts)
        if message.diff is None:
            problem = escape_controls(message.problem or "", keep_newlines=False)
            self._show_crumbs(Text(problem, "bold red"))
            self.notify(problem, severity="error", markup=False)
            self.map_table.set_rows(DiffMapRows(diff_data({}, {})), empty_text="Cannot compare.")
            return
        self._show_crumbs(Text(diff_totals(message.diff), "dim"))
        first_changed = next(
            (index for index, map_diff in enumerate(message.diff.maps) if map_diff.changes), 0
        )
        self.map_table.set_rows(
            DiffMapRows(message.diff), cursor=first_changed, empty_text="No maps in either."
        )

    @on(VirtualTable.CursorMoved, "#diff-maps")
    def _map_highlighted(self, message: VirtualTable.CursorMoved) -> None:
        source = self.map_table.source
        if not isinstance(source, DiffMapRows) or message.row < 0:
            return
        map_diff = source.diff.maps[message.row]
        self.changes.set_rows(ChangeRows(map_diff), empty_text="No changes in this map.")

    @on(VirtualTable.CursorMoved, "#changes")
    def _change_highlighted(self, message: VirtualTable.CursorMoved) -> None:
        before, after = self.query_one("#before", JsonView), self.query_one("#after", JsonView)
        source = self.changes.source
        if not isinstance(source, ChangeRows) or message.row < 0:
            before.clear("")
            after.clear("")
            return
        change = source.map_diff.changes[message.row]
        key = safe_text(change.key)
        self.query_one("#before-title", Static).update(Text.assemble(("older ", "bold"), key))
        self.query_one("#after-title", Static).update(
            Text.assemble((f"{self.newer_word} ", "bold"), key)
        )
        if change.kind is ChangeKind.ADDED:
            before.clear("(not in the older snapshot)")
            after.show_value(change.after)
        elif change.kind is ChangeKind.REMOVED:
            before.show_value(change.before)
            after.clear(self.newer_absent)
        else:
            old, new = pretty_json_lines(change.before), pretty_json_lines(change.after)
            old_marks, new_marks = changed_lines(old, new)
            before.show_lines(old, old_marks.lines, old_marks.first)
            after.show_lines(new, new_marks.lines, new_marks.first)

    def files_changed(self, changes: tuple[CatalogChange, ...]) -> None:
        """Say so at once when either file compared is deleted or rewritten on disk."""
        sides = {self.older.name: "older"}
        if self.newer is not None:
            sides[self.newer.name] = "newer"
        for change in changes:
            if change.name in sides:
                self.query_one(ReadOnlyBanner).show_changed(change, sides[change.name])

    def unavailable_reason(self, action: str) -> str | None:
        if action == "open" and not (self.map_table.has_focus and len(self.changes.source)):
            return "no changed entries here"
        return None

    def action_open(self) -> None:
        self.changes.focus()

    def action_back(self) -> None:
        if self.map_table.has_focus:
            self.dismiss()
        else:
            self.map_table.focus()

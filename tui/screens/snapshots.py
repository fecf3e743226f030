"""The snapshots view: every file newest first, its verdict filling in as it is verified, and
the directory watched so that new, rewritten and deleted files show without a key press; above
them, while a server is attached, its live state (browsable like a file)."""

from __future__ import annotations

import threading
from datetime import UTC
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from statesnap.engine import (
    CatalogChange,
    CatalogChangeKind,
    CatalogEntry,
    CatalogUpdate,
    DirectoryState,
    list_snapshot_names,
    promote_snapshot,
)
from statesnap.tui.attachment import NO_SERVER
from statesnap.tui.context import DashboardContext
from statesnap.tui.live_source import LiveSource
from statesnap.tui.messages import (
    DirectoryWatched,
    ServerStatusRead,
    SnapshotsVerified,
    TaskFinished,
)
from statesnap.tui.rows.snapshots import (
    DIFF_MARK,
    SNAPSHOT_COLUMNS,
    LiveRow,
    SnapshotRows,
    short_name,
    snapshot_title,
    verdict_words,
)
from statesnap.tui.screens.base import DashboardScreen, FollowsFiles
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.screens.confirm import ConfirmScreen
from statesnap.tui.screens.diff import DiffScreen
from statesnap.tui.sources import FileSource
from statesnap.tui.text.rollback_plan import plan_rollback, plan_undo
from statesnap.tui.text.safe_text import escape_controls
from statesnap.tui.text.server_words import takes_no_snapshots
from statesnap.tui.widgets.footer import DashboardFooter
from statesnap.tui.widgets.snapshot_detail import SnapshotDetail
from statesnap.tui.widgets.virtual_table import VirtualTable
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Header, Static
from textual.worker import get_current_worker

__all__ = ["SnapshotsScreen"]

AGE_TICK_S = 1.0
"""How often the ages of files less than a minute old (shown in seconds) are redrawn."""
AGE_REFRESH_S = 30.0
"""How often every age is redrawn (minutes, hours and days move slowly)."""
NOT_WATCHING = "not watching"
LIVE_NO_DIFF = (
    "the live state cannot be diffed here: press s to snapshot it, then diff the new file"
)
LIVE_NO_ROLLBACK = "this is the server's live state itself: select a snapshot file to roll back to"
IN_THE_BROWSER = {
    "filter": "/ filters the entries of a map: enter opens the selected snapshot's maps",
    "copy": "y copies an entry's JSON: enter opens the selected snapshot, then pick an entry",
}
"""Keys of the browser pressed here: what they do, and how to get there."""
NOTHING_TO_UNDO = (
    "nothing to undo: the server has not rolled back since it started, or the roll-back was "
    "undone already"
)
HOLD_S = 60
"""How long the server keeps a file out of rotation per request while its roll-back dialog is
open (renewed every HOLD_RENEW_S)."""
HOLD_RENEW_S = 20.0


def describe_changes(changes: tuple[CatalogChange, ...], *, named: bool = True) -> str:
    """What changed, in words: `new 2026-02-14 09:00:00.000 · deleted …`, with counts instead
    of names when several files changed the same way, or always (`1 new · 1 deleted`) unless
    `named`."""
    words = {
        CatalogChangeKind.ADDED: "new",
        CatalogChangeKind.MODIFIED: "rewritten",
        CatalogChangeKind.DELETED: "deleted",
    }
    parts = []
    for kind, word in words.items():
        names = [change.name for change in changes if change.kind is kind]
        if len(names) == 1 and named:
            parts.append(f"{word} {escape_controls(short_name(names[0]), keep_newlines=False)}")
        elif names:
            parts.append(f"{len(names)} {word}")
    return " · ".join(parts)


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def watch_words(update: CatalogUpdate, directory: Path, *, first: bool) -> str:
    """What the watcher is doing, for the status line: `watching for changes`, `directory gone
    · waiting for it to come back`, … (`first`: the first thing it found)."""
    if update.state is DirectoryState.LISTED:
        return "watching for changes"
    if update.state is DirectoryState.MISSING and first:
        return f"waiting for {directory} to be created"
    if update.state is DirectoryState.MISSING:
        return "directory gone · waiting for it to come back"
    return f"cannot read the directory ({update.problem}) · trying again"


class SnapshotsScreen(DashboardScreen):
    AUTO_FOCUS = "#snapshots"
    HIDDEN_WHEN_UNAVAILABLE = frozenset({"clear_mark"})

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open",
            "Open",
            id="snapshots.open",
            tooltip="Browse the selected snapshot's maps and entries (or the live state's)",
        ),
        Binding(
            "d",
            "diff",
            "Diff",
            id="snapshots.diff",
            tooltip="Mark for a diff; d on another file compares the two",
        ),
        Binding(
            "D",
            "diff_older",
            "Diff with older",
            show=False,
            id="snapshots.diff-older",
            tooltip="Compare the selected snapshot with the next older one",
        ),
        Binding(
            "r",
            "rollback",
            "Roll back",
            id="snapshots.rollback",
            tooltip="Make the selected snapshot's state current (asks first)",
        ),
        Binding(
            "s",
            "snapshot_now",
            "Snapshot now",
            id="snapshots.snapshot-now",
            tooltip="Ask the attached server to write a snapshot now",
        ),
        Binding(
            "u",
            "undo",
            "Undo roll-back",
            id="snapshots.undo",
            tooltip="Ask the attached server to undo its last roll-back, once (asks first)",
        ),
        Binding(
            "R",
            "rescan",
            "Rescan",
            id="snapshots.rescan",
            tooltip="List the directory again and verify every file afresh",
        ),
        Binding(
            "escape",
            "clear_mark",
            "Clear mark",
            id="snapshots.clear-mark",
            tooltip="Forget the snapshot marked for a diff",
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            show=False,
            id="snapshots.filter",
            tooltip="In a snapshot's entries (enter opens it): show only those holding some text",
        ),
        Binding(
            "y",
            "copy",
            "Copy JSON",
            show=False,
            id="snapshots.copy",
            tooltip="In a snapshot's entries (enter opens it): copy the selected entry's JSON",
        ),
    ]

    def __init__(self, context: DashboardContext, *, watch: bool) -> None:
        super().__init__(context)
        self._watch = watch
        self._marked: str | None = None
        self._problem: str | None = None
        """Why the directory cannot be listed, if it cannot."""
        self._watch_state = NOT_WATCHING
        """What the watcher is doing, in words (for the status line)."""
        self._stop_watching = threading.Event()
        self._rows = SnapshotRows((), self.context.catalog.cached, self.context.clock(), None)
        """What the table shows."""
        self._age_ticks = 0
        self._last_change: str | None = None
        """What the watcher saw change last, and when (for the status line)."""

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        with Vertical(id="snapshots-body"):
            yield VirtualTable(SNAPSHOT_COLUMNS, id="snapshots")
            with VerticalScroll(id="detail-pane"):
                yield SnapshotDetail(id="detail")
        yield Static(id="status-line")
        yield DashboardFooter()

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#snapshots", VirtualTable)

    def on_mount(self) -> None:
        self._relist()
        if self._watch:
            self._watch_directory()
        self.set_interval(AGE_TICK_S, self.refresh_ages)

    def on_unmount(self) -> None:
        self._stop_watching.set()

    # -- the listing -------------------------------------------------------------------------

    @property
    def entries(self) -> tuple[CatalogEntry, ...]:
        return self.context.catalog.entries

    def selected(self) -> CatalogEntry | None:
        """The selected file (None on the live row)."""
        shown = self._rows.entries
        index = self.table.cursor_row - self._rows.first_file
        return shown[index] if 0 <= index < len(shown) else None

    def live_selected(self) -> bool:
        return self._rows.is_live(self.table.cursor_row)

    def _live_row(self) -> LiveRow | None:
        attachment, status = self.context.attachment, self.context.server_status
        if attachment is None:
            return None
        if status is None:
            return LiveRow(attachment.pid, attachment.mode)
        return LiveRow(status.pid, status.mode, status.counts)

    def _relist(self, *, forget_verdicts: bool = False) -> tuple[CatalogChange, ...]:
        """List the directory again; show it; verify what is new (with `forget_verdicts`,
        everything). Returns the changes."""
        update = self.context.catalog.rescan(forget_verdicts=forget_verdicts)
        self._show_update(update)
        return update.changes

    def _show_update(self, update: CatalogUpdate) -> None:
        """Show what a look at the directory found: its files, or why it cannot be listed;
        tell the screens that act on a changed file, and say if the diff mark went away (the
        selected file going is no news: rotation takes one every save, and the cursor stays
        where it was)."""
        for screen in self.app.screen_stack:
            if isinstance(screen, FollowsFiles) and update.changes:
                screen.files_changed(update.changes)
        gone = {change.name for change in update.changes if change.entry is None}
        if self._marked in gone:
            self.notify(
                escape_controls(
                    f"{self._marked}, marked for a diff, was deleted: the mark is cleared."
                ),
                severity="warning",
                markup=False,
            )
        self._problem = None
        if update.state is DirectoryState.UNREADABLE:
            self._problem = f"Cannot list {self.context.directory}: {update.problem}"
        self._show_entries()

    def _cursor_after_relist(self, rows: SnapshotRows) -> int:
        """The selected row's new row (the live state's, or the selected file's); if it went
        away, the row where it was."""
        if self.live_selected() and rows.live is not None:
            return 0
        selected = self.selected()
        if selected is None:
            return 0
        row = rows.row_of(selected.name)
        return row if row is not None else min(self.table.cursor_row, len(rows) - 1)

    def _new_rows(self) -> SnapshotRows:
        return SnapshotRows(
            self.entries,
            self.context.catalog.cached,
            self.context.clock(),
            self._marked,
            self._live_row(),
        )

    def _show_entries(self) -> None:
        """Show the listing (keeping the selection); verify the files not verified yet."""
        names = [entry.name for entry in self.entries]
        if self._marked not in names:
            self._marked = None
        rows = self._new_rows()
        cursor = self._cursor_after_relist(rows)
        self._rows = rows
        empty = self._problem or f"No snapshot files in {self.context.directory} yet."
        self.table.set_rows(
            rows, cursor=cursor, empty_text=escape_controls(empty, keep_newlines=False)
        )
        pending = tuple(entry for entry in self.entries if not self.context.catalog.cached(entry))
        if pending:
            self._verify(pending)
        self._show_status()

    @work(thread=True, exclusive=True, group="verify", exit_on_error=False)
    def _verify(self, entries: tuple[CatalogEntry, ...]) -> None:
        """Verify files newest first, posting the verdicts a batch at a time: one redraw per
        batch, however many small files (a message each made 200 files redraw 200 times)."""
        worker = get_current_worker()
        for batch in self.context.catalog.verify_in_batches(entries):
            if worker.is_cancelled:
                return
            self.post_message(SnapshotsVerified(tuple(entry for entry, _ in batch)))

    @on(SnapshotsVerified)
    def _verified(self, message: SnapshotsVerified) -> None:
        """Verdicts: show them, and move the files whose stored time puts them elsewhere
        (the selected file stays selected)."""
        rows = self._new_rows()
        if rows.entries == self._rows.entries:
            self.table.refresh_rows()
        else:
            self.table.swap_rows(rows, cursor=self._cursor_after_relist(rows))
            self._rows = rows
        if self.selected() in message.entries:
            self._show_detail()  # and what it enables (roll-back needs a valid file)
        self._show_status()

    @on(VirtualTable.CursorMoved, "#snapshots")
    def _show_detail(self) -> None:
        """The selected row's detail, and the keys it enables."""
        self._update_detail()
        self.refresh_bindings()

    def _update_detail(self) -> None:
        detail = self.query_one(SnapshotDetail)
        if self.live_selected() and self._rows.live is not None:
            detail.show_live(self._rows.live, self.context.server_status, self.context.clock())
        else:
            entry = self.selected()
            verdict = self.context.catalog.cached(entry) if entry else None
            detail.show(entry, verdict, self.context.clock())

    def refresh_ages(self) -> None:
        """Every `AGE_TICK_S`: move the ages on, redrawing only the rows whose age is in
        seconds (none, mostly) and the selected file's detail if it is one of them; every
        `AGE_REFRESH_S`, every row and the detail."""
        rows = self._rows
        were_young = rows.young_rows()  # a row turning a minute old shows `1m` at once
        rows.now = self.context.clock()
        young = range(were_young.start, max(were_young.stop, rows.young_rows().stop))
        self._age_ticks += 1
        if self._age_ticks * AGE_TICK_S >= AGE_REFRESH_S:
            self._age_ticks = 0
            self.table.refresh_rows()
            self._update_detail()
        elif young:
            self.table.refresh_rows(young)
            if self.table.cursor_row in young:
                self._update_detail()

    def server_changed(self) -> None:
        """A server attached or went away (the live row comes or goes: the selection stays),
        or told its status (the live row's counts, in place)."""
        super().server_changed()
        rows = self._new_rows()
        if (rows.live is None) != (self._rows.live is None):
            self._show_entries()
            return
        self._rows = rows
        self.table.swap_rows(rows)
        if self.live_selected():
            self._show_detail()

    def _show_status(self) -> None:
        pending = sum(self.context.catalog.cached(entry) is None for entry in self.entries)
        parts = [f"{len(self.entries)} snapshot file{'s' if len(self.entries) != 1 else ''}"]
        if pending:
            parts.append(f"verifying {pending}…")
        parts.append(self._watch_state)
        if self._last_change is not None:
            parts.append(self._last_change)
        line = Text(" · ".join(parts), style="dim")
        marked = self.context.catalog.entry(self._marked) if self._marked else None
        if marked is not None:
            line = Text.assemble(
                (f"{DIFF_MARK} ", "bold cyan"),
                "marked ",
                snapshot_title(marked),
                " for a diff: press d on another snapshot "
                "(d on this one: compare with the next older · escape: clear)",
            )
        self.query_one("#status-line", Static).update(line)

    # -- watching ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _watch_directory(self) -> None:
        """Follow the directory through anything (gone, replaced, unreadable, back again)
        until the screen goes away."""
        for update in self.context.catalog.follow(self._stop_watching):
            self.post_message(DirectoryWatched(update))

    @on(DirectoryWatched)
    def _watched(self, message: DirectoryWatched) -> None:
        """What the watcher saw. Files come and go as the server saves and rotates: that
        goes in the status line; a toast only for what needs the user (the file they
        marked for a diff gone, the directory gone or back)."""
        update = message.update
        self._show_update(update)
        if update.changes:
            when = self.context.clock().astimezone(UTC)
            changed = describe_changes(update.changes, named=False)
            self._last_change = f"{changed} at {when:%H:%M:%S}"
        first = self._watch_state == NOT_WATCHING
        words = escape_controls(
            watch_words(update, self.context.directory, first=first), keep_newlines=False
        )
        if not first and words != self._watch_state:
            back = update.state is DirectoryState.LISTED
            self.notify(
                capitalized(words), severity="information" if back else "warning", markup=False
            )
        self._watch_state = words
        self._show_status()

    # -- actions -----------------------------------------------------------------------------

    def _next_older(self, entry: CatalogEntry) -> CatalogEntry | None:
        shown = self._rows.entries
        index = shown.index(entry) + 1
        return shown[index] if index < len(shown) else None

    def unavailable_reason(self, action: str) -> str | None:
        if action in IN_THE_BROWSER:
            return IN_THE_BROWSER[action]
        entry = self.selected()
        if self.live_selected():
            if action in {"diff", "diff_older"}:
                return LIVE_NO_DIFF
            if action == "rollback":
                return LIVE_NO_ROLLBACK
        needs_entry = {"open", "diff", "diff_older", "rollback"}
        if action in needs_entry and entry is None and not self.live_selected():
            return "no snapshot selected"
        if action == "clear_mark" and self._marked is None:
            return "no snapshot is marked for a diff"
        if action == "diff_older" and entry and self._next_older(entry) is None:
            return "this is the oldest snapshot: nothing older to compare with"
        if action == "diff" and len(self.entries) < 2:
            return "a diff needs two snapshots"
        if action == "rollback" and entry and (problem := self._rollback_problem(entry)):
            return problem
        if action in {"snapshot_now", "undo"} and self.context.attachment is None:
            return NO_SERVER
        if action in {"snapshot_now", "undo", "rollback"} and (off := self._snapshots_off()):
            return off
        status = self.context.server_status
        if action == "undo" and (status is None or status.last_rollback is None):
            return NOTHING_TO_UNDO
        return None

    def _snapshots_off(self) -> str | None:
        """Why the attached server takes no snapshots (its state lives in Redis), if so."""
        attachment, status = self.context.attachment, self.context.server_status
        if attachment is None:
            return None
        if status is None and not takes_no_snapshots(attachment.mode):
            return None
        if status is not None and status.enabled:
            return None
        return (
            "the server keeps its state in Redis, not in files: it takes no snapshots and "
            "rolls back to none"
        )

    def _rollback_problem(self, entry: CatalogEntry) -> str | None:
        verdict = self.context.catalog.cached(entry)
        name = escape_controls(entry.name)
        if verdict is None:
            return f"still verifying {name}"
        if not verdict.is_valid:
            return f"cannot roll back to {name}: {verdict_words(verdict)}"
        return None

    def action_open(self) -> None:
        if self.live_selected():
            self.app.push_screen(BrowserScreen(self.context, LiveSource(self.context)))
        elif (entry := self.selected()) is not None:
            self.app.push_screen(BrowserScreen(self.context, FileSource(self.context, entry)))

    def action_diff(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        marked = self.context.catalog.entry(self._marked) if self._marked else None
        if marked is None:
            self._marked = entry.name
            self._show_entries()
            self.refresh_bindings()
            return
        if marked == entry:
            self.action_diff_older()
            return
        older, newer = sorted((marked, entry), key=self._rows.entries.index, reverse=True)
        self._open_diff(older, newer)

    def action_diff_older(self) -> None:
        entry = self.selected()
        older = self._next_older(entry) if entry else None
        if entry is not None and older is not None:
            self._open_diff(older, entry)

    def _open_diff(self, older: CatalogEntry, newer: CatalogEntry) -> None:
        self._marked = None
        self._show_entries()
        self.app.push_screen(DiffScreen(self.context, older, newer))

    def action_clear_mark(self) -> None:
        self._marked = None
        self._show_entries()
        self.refresh_bindings()

    def action_rollback(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        name = entry.name
        listed = list_snapshot_names(self.context.directory)
        status = self.context.server_status if self.context.attachment is not None else None
        self._hold(name, HOLD_S)
        renew = self.set_interval(HOLD_RENEW_S, lambda: self._hold(name, HOLD_S))

        def closed(yes: bool | None) -> None:
            renew.stop()
            if yes:
                self._roll_back(name)  # the server's roll-back keeps the file from then on
            else:
                self._hold(name, 0)

        plan = plan_rollback(name, listed, status)
        self.app.push_screen(ConfirmScreen(plan, "roll back", target=name), closed)

    @work(thread=True, group="hold", exit_on_error=False)
    def _hold(self, name: str, seconds: int) -> None:
        """Keep `name` out of the attached server's rotation for `seconds` (0: let it go)."""
        attachment = self.context.attachment
        if attachment is not None:
            try:
                attachment.hold(name, seconds)
            except Exception as exc:  # an older server, or one going away: nothing to hold
                self.log.warning(f"could not hold {name}: {exc}")

    @work(thread=True, exclusive=True, group="server", exit_on_error=False)
    def _roll_back(self, name: str) -> None:
        attachment = self.context.attachment
        shown = escape_controls(name)
        try:
            if attachment is not None:
                text = attachment.rollback(name)
            else:
                path = promote_snapshot(self.context.directory, name)
                text = (
                    f"Rolled back: {escape_controls(path.name)} now holds the state of {shown} "
                    "(the next server start loads it); nothing was deleted."
                )
        except Exception as exc:
            self.post_message(TaskFinished(f"Roll-back to {shown} failed: {exc}", ok=False))
        else:
            self.post_message(TaskFinished(text, ok=True))
        self._reread_status()

    def action_rescan(self) -> None:
        changes = self._relist(forget_verdicts=True)
        if self._problem is not None:
            self.notify(escape_controls(self._problem), severity="warning", markup=False)
            return
        found = describe_changes(changes) if changes else "no changes"
        text = f"Rescanned {self.context.directory} ({found}): verifying every file again"
        self.notify(escape_controls(text, keep_newlines=False), markup=False, timeout=4)

    def action_snapshot_now(self) -> None:
        self._ask_server("snapshot_now")

    def action_undo(self) -> None:
        status = self.context.server_status
        if status is None or status.last_rollback is None:
            return

        def closed(yes: bool | None) -> None:
            if yes:
                self._ask_server("undo")

        self.app.push_screen(ConfirmScreen(plan_undo(status), "undo"), closed)

    @work(thread=True, exclusive=True, group="server", exit_on_error=False)
    def _ask_server(self, request: str) -> None:
        attachment = self.context.attachment
        if attachment is None:
            self.post_message(TaskFinished(NO_SERVER, ok=False))
            return
        try:
            text = attachment.snapshot_now() if request == "snapshot_now" else attachment.undo()
        except Exception as exc:
            self.post_message(TaskFinished(f"The server refused: {exc}", ok=False))
        else:
            self.post_message(TaskFinished(text, ok=True))
        self._reread_status()

    def _reread_status(self) -> None:
        """After a request (from its worker): what the server says now, so that what it allows
        next (an undo, only once) shows at once instead of at the next poll."""
        attachment = self.context.attachment
        if attachment is not None:
            self.post_message(ServerStatusRead.read(attachment))

    @on(TaskFinished)
    def _task_finished(self, message: TaskFinished) -> None:
        changes = self._relist()
        text = escape_controls(message.text)
        if changes:
            text += f" ({describe_changes(changes)})"
        self.notify(text, severity="information" if message.ok else "error", markup=False)

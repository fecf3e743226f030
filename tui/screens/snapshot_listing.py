"""The snapshots view's listing: every file newest first, its verdict filling in as it is
verified, the directory watched so that new, rewritten and deleted files show without a key
press, ages kept current, and the status line; above the files, while a server is attached,
its live state. The screen (`statesnap.tui.screens.snapshots`) adds the keys and what they do.
"""

from __future__ import annotations

import threading
from datetime import UTC
from pathlib import Path

from rich.text import Text
from statesnap.engine import (
    CatalogChange,
    CatalogChangeKind,
    CatalogEntry,
    CatalogUpdate,
    DirectoryState,
    PinInfo,
    list_pins,
)
from statesnap.tui.context import DashboardContext
from statesnap.tui.messages import DirectoryWatched, PinsRead, SnapshotsVerified
from statesnap.tui.rows.snapshots import (
    DIFF_MARK,
    SNAPSHOT_COLUMNS,
    LiveRow,
    SnapshotRows,
    pin_entry,
    short_name,
    snapshot_title,
)
from statesnap.tui.screens.base import DashboardScreen, FollowsFiles
from statesnap.tui.text.safe_text import escape_controls
from statesnap.tui.widgets.footer import DashboardFooter
from statesnap.tui.widgets.snapshot_detail import SnapshotDetail
from statesnap.tui.widgets.virtual_table import VirtualTable
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Header, Static
from textual.worker import get_current_worker

__all__ = ["AGE_REFRESH_S", "AGE_TICK_S", "SnapshotListing", "describe_changes"]

AGE_TICK_S = 1.0
"""How often the ages of files less than a minute old (shown in seconds) are redrawn."""
AGE_REFRESH_S = 30.0
"""How often every age is redrawn (minutes, hours and days move slowly)."""
NOT_WATCHING = "not watching"
PIN_CHECK_S = 2.0
"""How often the pins are listed again (they live in a folder the watcher does not see)."""


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


class SnapshotListing(DashboardScreen):
    """The listing's layout and state, and how it is kept up to date."""

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
        self._pins: tuple[PinInfo, ...] = ()

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
        self.read_pins()
        if self._watch:
            self.set_interval(PIN_CHECK_S, self.read_pins)

    def on_unmount(self) -> None:
        self._stop_watching.set()

    @property
    def entries(self) -> tuple[CatalogEntry, ...]:
        return self.context.catalog.entries

    def selected(self) -> CatalogEntry | None:
        """The selected file, or pin as a file (`pin_entry`); None on the live row."""
        if (info := self.selected_pin()) is not None:
            return pin_entry(info)
        shown = self._rows.entries
        index = self.table.cursor_row - self._rows.first_file
        return shown[index] if 0 <= index < len(shown) else None

    def selected_pin(self) -> PinInfo | None:
        return self._rows.pin_at(self.table.cursor_row)

    def entry_named(self, name: str) -> CatalogEntry | None:
        """The listed file, or the pin (`pin_entry`), named `name`."""
        pins = (pin_entry(info) for info in self._pins)
        return self.context.catalog.entry(name) or next((p for p in pins if p.name == name), None)

    @work(thread=True, exclusive=True, group="pins", exit_on_error=False)
    def read_pins(self) -> None:
        """List the pins again (in a worker: each copy is verified)."""
        self.post_message(PinsRead(tuple(list_pins(self.context.directory))))

    @on(PinsRead)
    def _pins_read(self, message: PinsRead) -> None:
        if message.pins != self._pins:
            self._pins = message.pins
            self._show_entries()

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
            pins=self._pins,
        )

    def _show_entries(self) -> None:
        """Show the listing (keeping the selection); verify the files not verified yet."""
        names = [entry.name for entry in self.entries]
        names += [pin_entry(info).name for info in self._pins]
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
        if (info := self.selected_pin()) is not None:
            detail.show_pin(info, self.context.clock())
        elif self.live_selected() and self._rows.live is not None:
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
        if self._pins:
            parts.append(f"{len(self._pins)} pin{'s' if len(self._pins) != 1 else ''}")
        if pending:
            parts.append(f"verifying {pending}…")
        parts.append(self._watch_state)
        if self._last_change is not None:
            parts.append(self._last_change)
        line = Text(" · ".join(parts), style="dim")
        marked = self.entry_named(self._marked) if self._marked else None
        if marked is not None:
            line = Text.assemble(
                (f"{DIFF_MARK} ", "bold cyan"),
                "marked ",
                snapshot_title(marked),
                " for a diff: press d on another snapshot "
                "(d on this one: compare with the next older · escape: clear)",
            )
        self.query_one("#status-line", Static).update(line)

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

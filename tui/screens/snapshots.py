"""The snapshots view: its keys and what they do (browse, diff, roll back, pin, unpin, snapshot
now, undo, rescan), each enabled or not with a reason; the listing they act on is
`statesnap.tui.screens.snapshot_listing`, the pins' own actions
`statesnap.tui.screens.pin_actions`."""

from __future__ import annotations

from typing import ClassVar

from statesnap.engine import (
    CatalogEntry,
    list_snapshot_names,
    pin_label,
    promote_pin,
    promote_snapshot,
)
from statesnap.tui.attachment import NO_SERVER
from statesnap.tui.messages import ServerStatusRead, TaskFinished
from statesnap.tui.rows.snapshots import verdict_words
from statesnap.tui.screens.confirm import ConfirmScreen
from statesnap.tui.screens.diff import DiffScreen
from statesnap.tui.screens.pin_actions import HOLD_RENEW_S, HOLD_S, PIN_ACTIONS
from statesnap.tui.screens.reopen import ReopensWhereLeft
from statesnap.tui.screens.search_prompt import SearchPromptScreen
from statesnap.tui.screens.snapshot_listing import describe_changes
from statesnap.tui.text.rollback_plan import plan_rollback, plan_undo
from statesnap.tui.text.safe_text import escape_controls
from statesnap.tui.text.server_words import takes_no_snapshots
from textual import on, work
from textual.binding import Binding, BindingType

__all__ = ["SnapshotsScreen"]

LIVE_NO_DIFF = "no snapshot to compare the live state with: press s to write one"
LIVE_NO_ROLLBACK = "this is the server's live state itself: select a snapshot file to roll back to"
IN_THE_BROWSER = {
    "copy": "y copies an entry's JSON: enter opens the selected snapshot, then pick an entry",
}
"""Keys of the browser pressed here: what they do, and how to get there."""
NOTHING_TO_UNDO = (
    "nothing to undo: the server has not rolled back since it started, or the roll-back was "
    "undone already"
)


class SnapshotsScreen(ReopensWhereLeft):
    AUTO_FOCUS = "#snapshots"
    HIDDEN_WHEN_UNAVAILABLE = frozenset({"clear_mark", "unpin"})

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
            tooltip="Mark for a diff; d on another file (or the live state) compares the two",
        ),
        Binding(
            "D",
            "diff_older",
            "Diff with older",
            show=False,
            id="snapshots.diff-older",
            tooltip="Compare the selected snapshot (or live state) with the next older one",
        ),
        Binding(
            "r",
            "rollback",
            "Roll back",
            id="snapshots.rollback",
            tooltip="Make the selected snapshot's (or pin's) state current (asks first)",
        ),
        Binding(
            "p",
            "pin",
            "Pin",
            id="snapshots.pin",
            tooltip="Keep a copy of the selected snapshot under a name; rotation never deletes it",
        ),
        Binding(
            "x,delete",
            "unpin",
            "Unpin",
            id="snapshots.unpin",
            tooltip="Delete the selected pin's copy, and nothing else (asks first)",
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
            "search",
            "Search",
            id="snapshots.search",
            tooltip="Which snapshots hold entries whose key or JSON matches some text",
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

    # -- the listing -------------------------------------------------------------------------

    # -- watching ----------------------------------------------------------------------------

    # -- actions -----------------------------------------------------------------------------

    def _next_older(self, entry: CatalogEntry) -> CatalogEntry | None:
        shown = self._rows.entries
        if entry not in shown:  # a pin
            return None
        index = shown.index(entry) + 1
        return shown[index] if index < len(shown) else None

    def unavailable_reason(self, action: str) -> str | None:
        if action in IN_THE_BROWSER:
            return IN_THE_BROWSER[action]
        if action in PIN_ACTIONS:
            return self.pin_unavailable_reason(action)
        entry = self.selected()
        if self.live_selected():
            if action in {"diff", "diff_older"}:
                return None if self._rows.entries else LIVE_NO_DIFF
            if action == "rollback":
                return LIVE_NO_ROLLBACK
        needs_entry = {"open", "diff", "diff_older", "rollback"}
        if action in needs_entry and entry is None and not self.live_selected():
            return "no snapshot selected"
        if action == "search" and not self.entries:
            return "no snapshots to search"
        if action == "clear_mark" and self._marked is None:
            return "no snapshot is marked for a diff"
        if action == "diff_older" and self.selected_pin() is not None:
            return "a pin has no next older snapshot: d marks it, d on another compares the two"
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
        if self.selected_pin() is not None:
            return self.pin_problem()
        verdict = self.context.catalog.cached(entry)
        name = escape_controls(entry.name)
        if verdict is None:
            return f"still verifying {name}"
        if not verdict.is_valid:
            return f"cannot roll back to {name}: {verdict_words(verdict)}"
        return None

    def action_open(self) -> None:
        self.open_browser()

    def action_search(self) -> None:
        self.app.push_screen(SearchPromptScreen(self.context))

    def action_diff(self) -> None:
        entry = self.selected()
        marked = self.entry_named(self._marked) if self._marked else None
        if self.live_selected():
            if marked is None:
                self.action_diff_older()
            else:
                self._open_diff(marked, None)
            return
        if entry is None:
            return
        if marked is None:
            self._marked = entry.name
            self._show_entries()
            self.refresh_bindings()
            return
        if marked == entry:
            self.action_diff_older()
            return
        older, newer = sorted((marked, entry), key=self.taken)
        self._open_diff(older, newer)

    def action_diff_older(self) -> None:
        if self.live_selected():
            if self._rows.entries:  # what changed since the newest snapshot
                self._open_diff(self._rows.entries[0], None)
            return
        entry = self.selected()
        older = self._next_older(entry) if entry else None
        if entry is not None and older is not None:
            self._open_diff(older, entry)

    def _open_diff(self, older: CatalogEntry, newer: CatalogEntry | None) -> None:
        """Compare `older` with `newer`, or with the live state if None."""
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
        if (info := self.selected_pin()) is not None:  # out of rotation's reach: no hold

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._roll_back(info.name, pin=True)

            plan = plan_rollback(info.name, listed, status, pin=True)
            self.app.push_screen(ConfirmScreen(plan, "roll back"), confirmed)
            return
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

    @work(thread=True, exclusive=True, group="server", exit_on_error=False)
    def _roll_back(self, name: str, *, pin: bool = False) -> None:
        attachment = self.context.attachment
        shown = escape_controls(pin_label(name) if pin else name)
        promote = promote_pin if pin else promote_snapshot
        try:
            if attachment is not None:
                text = attachment.rollback(name, pin=pin)
            else:
                path = promote(self.context.directory, name)
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
        self.read_pins()
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
        self.read_pins()
        text = escape_controls(message.text)
        if changes:
            text += f" ({describe_changes(changes)})"
        self.notify(text, severity="information" if message.ok else "error", markup=False)

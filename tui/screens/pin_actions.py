"""What the snapshots view does with pins: `p` pins the selected snapshot under a name it asks
for, `x` unpins the selected pin once a dialog naming it is confirmed, and when a pin can be
rolled back to. Browsing, diffing and rolling back to a pin are the files' own keys
(`statesnap.tui.screens.snapshots`): a pin is selected as a file (`pin_entry`)."""

from __future__ import annotations

from datetime import datetime

from statesnap.engine import CatalogEntry, PinError, newest_first, pin, pin_path, unpin
from statesnap.tui.messages import TaskFinished
from statesnap.tui.rows.snapshots import pin_entry, pin_time, short_name, snapshot_title
from statesnap.tui.screens.confirm import ConfirmScreen
from statesnap.tui.screens.pin_name import PinNameScreen
from statesnap.tui.screens.snapshot_listing import SnapshotListing
from statesnap.tui.text.rollback_plan import plan_unpin
from statesnap.tui.text.safe_text import escape_controls
from textual import work

__all__ = ["HOLD_RENEW_S", "HOLD_S", "PIN_ACTIONS", "PinActions"]

PIN_ACTIONS = frozenset({"pin", "unpin"})
HOLD_S = 60
"""How long the server keeps a file out of rotation per request while a dialog about it (roll
back to it, pin it) is open (renewed every HOLD_RENEW_S)."""
HOLD_RENEW_S = 20.0
NO_PIN_SELECTED = "no pin selected: the pins are listed under the live state, marked ▲"


class PinActions(SnapshotListing):
    """The listing, with the pin keys' actions (their bindings are the screen's)."""

    def pin_unavailable_reason(self, action: str) -> str | None:
        """Why `pin` or `unpin` cannot run now; None if it can."""
        if action == "unpin":
            return NO_PIN_SELECTED if self.selected_pin() is None else None
        if self.selected_pin() is not None:
            return "this is a pin already: p pins a snapshot file"
        entry = self.selected()
        if entry is None:
            return "select a snapshot file to pin (the live state: s snapshots it first)"
        verdict = self.context.catalog.cached(entry)
        name = escape_controls(entry.name)
        if verdict is None:
            return f"still verifying {name}"
        if not verdict.is_valid:
            return f"cannot pin {name}: {verdict.summary}"
        return None

    def pin_problem(self) -> str | None:
        """Why the selected pin cannot be rolled back to (None: it can, or it is no pin)."""
        info = self.selected_pin()
        if info is None or info.is_valid:
            return None
        return escape_controls(f"cannot roll back to pin {info.name}: {info.status}: {info.reason}")

    def taken(self, entry: CatalogEntry) -> tuple[datetime, str]:
        """Where the file or pin `entry` goes, oldest first, by when it was taken (as the
        listing orders files; a pin by its snapshot's time)."""
        for info in self._pins:
            if pin_entry(info) == entry:
                return newest_first(info.source, pin_time(info))
        return newest_first(entry.name, entry.time(self.context.catalog.cached(entry)))

    def action_pin(self) -> None:
        entry = self.selected()
        if entry is None:
            return

        self._hold(entry.name, HOLD_S)
        renew = self.set_interval(HOLD_RENEW_S, lambda: self._hold(entry.name, HOLD_S))

        def named(name: str | None) -> None:
            renew.stop()
            if name:
                self._pin(entry.name, name)  # which lets the file go once it is copied
            else:
                self._hold(entry.name, 0)

        taken = [info.name for info in self._pins]
        self.app.push_screen(PinNameScreen(snapshot_title(entry), taken), named)

    @work(thread=True, group="hold", exit_on_error=False)
    def _hold(self, name: str, seconds: int) -> None:
        """Keep `name` out of the attached server's rotation for `seconds` (0: let it go)."""
        self._hold_now(name, seconds)

    def _hold_now(self, name: str, seconds: int) -> None:
        """`_hold`, in this (worker's) thread."""
        attachment = self.context.attachment
        if attachment is not None:
            try:
                attachment.hold(name, seconds)
            except Exception as exc:  # an older server, or one going away: nothing to hold
                self.log.warning(f"could not hold {name}: {exc}")

    @work(thread=True, exclusive=True, group="pinning", exit_on_error=False)
    def _pin(self, file_name: str, name: str) -> None:
        shown = escape_controls(short_name(file_name))
        try:
            info = pin(self.context.directory, file_name, name)
        except (PinError, OSError) as exc:
            self.post_message(TaskFinished(f"Not pinned: {exc}", ok=False))
        else:
            text = f"Pinned {shown} as {info.name}: rotation never deletes it."
            self.post_message(TaskFinished(text, ok=True))
        self._hold_now(file_name, 0)

    def action_unpin(self) -> None:
        info = self.selected_pin()
        if info is None:
            return
        try:
            copy = pin_path(self.context.directory, info.name)
        except PinError as exc:
            self.notify(escape_controls(str(exc)), severity="warning", markup=False)
            self.read_pins()
            return

        def closed(yes: bool | None) -> None:
            if yes:
                self._unpin(info.name)

        self.app.push_screen(ConfirmScreen(plan_unpin(info.name, copy), "unpin"), closed)

    @work(thread=True, exclusive=True, group="pinning", exit_on_error=False)
    def _unpin(self, name: str) -> None:
        try:
            unpin(self.context.directory, name)
        except (PinError, OSError) as exc:
            self.post_message(TaskFinished(f"Not unpinned: {exc}", ok=False))
        else:
            self.post_message(TaskFinished(f"Unpinned {name}; no snapshot file was touched.", True))

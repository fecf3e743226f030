"""The snapshots view reopening where the dashboard was left on this directory
(`statesnap.tui.remembered`): the file, pin or live state selected, and the browser on its
map, entry and filter. What is not there any more gives way to the nearest thing that is (the
newest file, the list of maps), with a note; never a dialog. The pin waits for the pins to be
listed, the live state for a server (up to `LIVE_WAIT_S`)."""

from __future__ import annotations

from statesnap.tui.context import DashboardContext
from statesnap.tui.live_source import LiveSource
from statesnap.tui.messages import PinsRead
from statesnap.tui.remembered import Position
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.screens.browser_panes import BrowserPlace
from statesnap.tui.screens.pin_actions import PinActions
from statesnap.tui.sources import FileSource
from statesnap.tui.text.safe_text import escape_controls
from textual import on

__all__ = ["LIVE_WAIT_S", "ReopensWhereLeft"]

LIVE_WAIT_S = 5.0
"""How long the live state, selected when the dashboard was left, is waited for."""


class ReopensWhereLeft(PinActions):
    """The listing with its pins, going back to a remembered `Position` once it can."""

    def __init__(
        self, context: DashboardContext, *, watch: bool, remembered: Position | None = None
    ) -> None:
        super().__init__(context, watch=watch)
        self._remembered = remembered
        self._pins_listed = False
        self._live_waited = False

    def on_mount(self) -> None:
        if self._remembered is not None and self._remembered.kind == "live":
            self.set_timer(LIVE_WAIT_S, self._stop_waiting_for_live)

    def position(self) -> Position:
        """Where the user is: what is selected and, if a browser is open on it, where in it."""
        info = self.selected_pin()
        entry = self.selected()
        if info is not None:
            kind, name = "pin", info.name
        elif self.live_selected():
            kind, name = "live", None
        else:
            kind, name = "file", entry.name if entry else None
        browsers = [screen for screen in self.app.screen_stack if isinstance(screen, BrowserScreen)]
        place = browsers[-1].place() if browsers else BrowserPlace(None)
        return Position(kind, name, place.map, place.entry, place.query)

    def open_browser(self, place: BrowserPlace | None = None) -> None:
        """Browse what is selected (at `place`, as far as it is still there)."""
        if self.live_selected():
            source: LiveSource | FileSource = LiveSource(self.context)
        elif (entry := self.selected()) is not None:
            source = FileSource(self.context, entry)
        else:
            return
        self.app.push_screen(BrowserScreen(self.context, source, place=place))

    # -- when the remembered place can be found ---------------------------------------------

    def _show_entries(self) -> None:
        super()._show_entries()
        self._reopen()

    @on(PinsRead)
    def _pins_known(self) -> None:
        self._pins_listed = True
        self.call_later(self._reopen)  # once the listing has shown them

    def server_changed(self) -> None:
        super().server_changed()
        self._reopen()

    def _stop_waiting_for_live(self) -> None:
        self._live_waited = True
        self._reopen()

    def _remembered_row(self, position: Position) -> int | bool | None:
        """The row of what was selected; None if it is gone; False while it may yet come."""
        rows = self._rows
        if position.kind == "file":
            return rows.row_of(position.name) if position.name else None
        if position.kind == "pin":
            if not self._pins_listed:
                return False
            names = [info.name for info in rows.pins]
            return rows.first_pin + names.index(position.name) if position.name in names else None
        if rows.live is not None:
            return 0
        return None if self._live_waited else False

    def _reopen(self) -> None:
        position = self._remembered
        if position is None or not self.is_mounted:
            return
        row = self._remembered_row(position)
        if row is False:
            return
        self._remembered = None
        if row is None:
            what = "the live state" if position.kind == "live" else position.name
            note = f"Where you were: {what} is not here any more; showing the newest file."
            self.notify(escape_controls(note, keep_newlines=False), markup=False, timeout=4)
            return
        self.table.move_cursor(int(row))
        if position.map is not None:
            self.open_browser(BrowserPlace(position.map, position.entry, position.filter))

"""The `statesnap` dashboard: the app, its shared context, and the entry point for the CLI."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import ClassVar

from statesnap.engine import SnapshotCatalog, find_server, why_server_gone
from statesnap.tui.attachment import Attachment, ServerAttachment
from statesnap.tui.context import DashboardContext
from statesnap.tui.messages import ServerFound, ServerStatusRead
from statesnap.tui.palette import ScreenActionsProvider
from statesnap.tui.remembered import load_position, save_position
from statesnap.tui.screens.base import DashboardScreen
from statesnap.tui.screens.help import HelpScreen
from statesnap.tui.screens.snapshots import SnapshotsScreen
from statesnap.tui.text.formatting import middle_cut
from statesnap.tui.text.safe_text import escape_controls
from statesnap.tui.text.server_words import gone_words, mode_change_words, server_words
from statesnap.tui.thread_pool import FreshContextThreadPool
from textual import on, work
from textual.actions import ActionParseResult
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

__all__ = ["StatesnapApp", "run_dashboard"]


SERVER_CHECK_S = 2.0
"""How often a live dashboard looks for the directory's server (a file read and a connect),
and asks the attached one for its status (mode, last save, counts)."""


HEADER_CHROME = 8
"""Cells of the header that the title and sub-title cannot use: its icon, ` — `, margins."""
MIN_DIRECTORY = 10
"""The directory is cut in the middle to fit the header, but never shorter than this."""
NARROW_BELOW = 100
"""Screens narrower than this (80 columns, the default terminal) are `-narrow`: a list the
user has moved on from gives its room to what they read (see `DashboardScreen`)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class StatesnapApp(App[None]):
    """Snapshots of one directory: list, watch, browse, diff, roll back.

    `watch` follows the directory and its server live: new, rewritten and deleted files show
    by themselves, and the app attaches to the server serving the directory whenever one is
    running (tests turn it off, and drive changes themselves). `clock` gives "now" for ages
    (frozen in tests). `attachment` attaches to a given server object instead.

    While a server is attached its status is read every `SERVER_CHECK_S` (in a thread worker)
    into `context.server_status`; the header shows it, and every screen hears of it
    (`DashboardScreen.server_changed`).
    """

    # Textual loads a screen's own CSS_PATH only when the screen is pushed, never for the
    # default screen: the snapshots screen's styles come with the app's.
    CSS_PATH: ClassVar[list[str | PurePath]] = ["app.tcss", "screens/snapshots.tcss"]
    TITLE = "statesnap"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]  # noqa: RUF012 - Textual's
    COMMANDS = App.COMMANDS | {ScreenActionsProvider}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave statesnap"),
        Binding(
            "question_mark", "help", "Help", id="app.help", tooltip="Every key, and what it does"
        ),
    ]

    def __init__(
        self,
        directory: Path,
        *,
        watch: bool = True,
        clock: Callable[[], datetime] | None = None,
        attachment: Attachment | None = None,
    ) -> None:
        super().__init__()
        self.animation_level = "none"
        self.context = DashboardContext(
            directory=Path(directory),
            catalog=SnapshotCatalog(directory),
            clock=clock or _utc_now,
            attachment=attachment,
        )
        self.watch_directory = watch
        self._show_attach_state()

    @property
    def attachment(self) -> Attachment | None:
        """The running server the dashboard drives, or None (then `s` and `u` are disabled)."""
        return self.context.attachment

    @attachment.setter
    def attachment(self, attachment: Attachment | None) -> None:
        self.context.attachment = attachment
        self.context.server_status = None
        self._server_changed()
        if attachment is not None and self.is_running:
            self._read_status(attachment)

    def _server_changed(self) -> None:
        self._show_attach_state()
        if not self.screen_stack:  # closing: a discovery result can still arrive
            return
        self.refresh_bindings()
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen):
                screen.server_changed()

    def _show_attach_state(self) -> None:
        """The header: `DIR · no server attached`, or `DIR · attached: pid 4242 · memory ·
        last save 12s ago ✓` (the mode and save once the server has told its status)."""
        attachment, status = self.attachment, self.context.server_status
        if attachment is None:
            state = "no server attached"
        elif status is None:
            state = f"attached: {attachment.label}"
        else:
            state = f"attached: {server_words(status, self.context.clock())}"
        state = escape_controls(state, keep_newlines=False)
        directory = escape_controls(str(self.context.directory), keep_newlines=False)
        room = self.size.width - HEADER_CHROME - len(self.title) - len(state) - 3
        self.sub_title = f"{middle_cut(directory, max(room, MIN_DIRECTORY))} · {state}"

    def on_resize(self) -> None:
        self._show_attach_state()

    def on_load(self) -> None:
        """Before any worker starts: thread workers run on threads that keep nothing of
        theirs once done (see `FreshContextThreadPool`), so a screen left goes, with its data."""
        asyncio.get_running_loop().set_default_executor(
            FreshContextThreadPool(thread_name_prefix="statesnap-worker")
        )

    def get_default_screen(self) -> Screen[None]:
        remembered = load_position(self.context.directory)
        return SnapshotsScreen(self.context, watch=self.watch_directory, remembered=remembered)

    async def action_quit(self) -> None:
        """Remember where the user was on this directory (`statesnap.tui.remembered`), then
        leave."""
        listing = self.screen_stack[0] if self.screen_stack else None
        if isinstance(listing, SnapshotsScreen):
            try:
                save_position(self.context.directory, listing.position())
            except OSError as exc:  # a read-only home: nothing remembered, nothing else lost
                self.log.warning(f"could not remember where you were: {exc}")
        self.exit()

    def on_mount(self) -> None:
        self._check_server()
        self.set_interval(SERVER_CHECK_S, self._check_server)

    def _check_server(self) -> None:
        """Every few seconds: look for the directory's server (which then reads its status),
        or, when not watching, read the status of the server given."""
        if self.watch_directory:
            self._look_for_server()
        elif self.attachment is not None:
            self._read_status(self.attachment)

    def on_unmount(self) -> None:
        self.context.catalog.close()

    @work(thread=True, exclusive=True, group="discovery", exit_on_error=False)
    def _look_for_server(self) -> None:
        try:
            info = find_server(self.context.directory)
        except OSError:
            info = None
        current = self.attachment
        gone = None
        if info is None and isinstance(current, ServerAttachment):
            gone = why_server_gone(current.info)
        self.post_message(ServerFound(info, gone))

    @on(ServerFound)
    def _server_found(self, message: ServerFound) -> None:
        """Attach to the directory's server when one appears; detach when it goes away.
        An attachment given by the caller is left alone."""
        current = self.attachment
        if not self.screen_stack or (
            current is not None and not isinstance(current, ServerAttachment)
        ):
            return
        if (current.info if current else None) == message.info:
            if current is not None:
                self._read_status(current)
            return
        last_status = self.context.server_status
        self.attachment = ServerAttachment(message.info) if message.info else None
        if self.attachment is not None:
            self.notify(f"Attached to the server ({self.attachment.label}).", markup=False)
        elif current is not None:
            words = gone_words(current.label, message.gone, last_status, self.context.clock())
            self.notify(escape_controls(words), severity="warning", markup=False, timeout=10)

    @work(thread=True, exclusive=True, group="status", exit_on_error=False)
    def _read_status(self, attachment: Attachment) -> None:
        self.post_message(ServerStatusRead.read(attachment))

    @on(ServerStatusRead)
    def _status_read(self, message: ServerStatusRead) -> None:
        """Keep what the server said last; an answer from a server since detached, or a
        failed read (the server may be going away: discovery will tell), changes nothing."""
        if message.attachment is not self.attachment or message.status is None:
            return
        if message.status != self.context.server_status:
            before = self.context.server_status
            self.context.server_status = message.status
            self._server_changed()
            change = mode_change_words(
                message.status.pid,
                before.mode if before else message.attachment.mode,
                message.status.mode,
            )
            if change is not None:
                self.notify(escape_controls(change), severity="warning", markup=False, timeout=10)
        else:
            self._show_attach_state()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Of Textual's own commands, the theme only: quitting and help are statesnap's keys
        (offered by `ScreenActionsProvider`, once each); focus, maximize, screenshots and the
        keys panel mean nothing here."""
        yield SystemCommand("Theme", "Change the colours", self.action_change_theme)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Run an action; if a dashboard screen has it disabled, say why instead."""
        if await super().run_action(action, default_namespace, namespaces):
            return True
        screen = default_namespace
        if not isinstance(screen, DashboardScreen) or not isinstance(action, str):
            return False
        if screen.check_action(action, ()) is not None:
            return False
        reason = screen.unavailable_reason(action) or "not available now"
        self.notify(escape_controls(reason), severity="warning", markup=False, timeout=4)
        self.bell()
        return True


def run_dashboard(directory: Path) -> None:
    """Open the dashboard on `directory` and return when the user quits."""
    StatesnapApp(directory).run()

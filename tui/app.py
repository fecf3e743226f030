"""The `statesnap` dashboard: the app, its shared context, and the entry point for the CLI."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import ClassVar

from textual.actions import ActionParseResult
from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

from engine import SnapshotCatalog
from tui.attachment import Attachment
from tui.context import DashboardContext
from tui.palette import ScreenActionsProvider
from tui.safe_text import escape_controls
from tui.screens.base import DashboardScreen
from tui.screens.help import HelpScreen
from tui.screens.snapshots import SnapshotsScreen

__all__ = ["StatesnapApp", "run_dashboard"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class StatesnapApp(App[None]):
    """Snapshots of one directory: list, watch, browse, diff, roll back."""

    # Textual loads a screen's own CSS_PATH only when the screen is pushed, never for the
    # default screen: the snapshots screen's styles come with the app's.
    CSS_PATH: ClassVar[list[str | PurePath]] = ["app.tcss", "screens/snapshots.tcss"]
    TITLE = "statesnap"
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
        self._show_attach_state()
        self.refresh_bindings()

    def _show_attach_state(self) -> None:
        state = "no server attached" if self.attachment is None else self.attachment.label
        shown = escape_controls(f"{self.context.directory} · {state}", keep_newlines=False)
        self.sub_title = shown

    def get_default_screen(self) -> Screen[None]:
        return SnapshotsScreen(self.context, watch=self.watch_directory)

    def on_unmount(self) -> None:
        self.context.catalog.close()

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

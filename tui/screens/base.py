"""What every dashboard screen shares: actions that can be unavailable, and say why; and what a
screen that acts on a file hears when that file changes."""

from __future__ import annotations

from typing import ClassVar, Protocol, runtime_checkable

from statesnap.engine import CatalogChange
from statesnap.tui.context import DashboardContext
from textual import events
from textual.screen import Screen

__all__ = ["DashboardScreen", "FollowsFiles"]


@runtime_checkable
class FollowsFiles(Protocol):
    """A screen showing or about to act on snapshot files: told when files are rewritten or
    deleted (the snapshots view calls this on every such screen of the stack)."""

    def files_changed(self, changes: tuple[CatalogChange, ...]) -> None: ...


class DashboardScreen(Screen[None]):
    """A screen whose actions are enabled, or shown disabled with a reason.

    `unavailable_reason(action)` is the one place that decides: None means enabled. An
    unavailable action is dimmed in the footer (`check_action` returns None), and pressing its
    key shows the reason (see `StatesnapApp.run_action`). Actions listed in
    `HIDDEN_WHEN_UNAVAILABLE` are hidden instead (escape when there is nothing to go back from).
    """

    HIDDEN_WHEN_UNAVAILABLE: ClassVar[frozenset[str]] = frozenset()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Class `-deep` while the focus is past the list the screen starts on (its
        `AUTO_FOCUS`): a narrow screen (`-narrow`) gives that list's room to what is being
        read (an entry, a change), and shows it again on the way back."""
        start = self.query(self.AUTO_FOCUS).first() if self.AUTO_FOCUS else None
        self.set_class(start is not None and event.widget is not start, "-deep")

    def __init__(self, context: DashboardContext) -> None:
        super().__init__()
        self.context = context

    def unavailable_reason(self, action: str) -> str | None:
        """Why `action` cannot run now, in words; None if it can."""
        return None

    def server_changed(self) -> None:
        """The attached server, or what it says about itself (`context.server_status`),
        changed: show it. (The app calls this on every screen of its stack.)"""
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.unavailable_reason(action) is None:
            return True
        return False if action in self.HIDDEN_WHEN_UNAVAILABLE else None

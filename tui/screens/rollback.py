"""The roll-back confirmation: names the file and says exactly what will happen."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from engine import CatalogEntry, timestamp_from_name
from tui.context import ROLLBACK_KEEP, DashboardContext
from tui.safe_text import safe_text
from tui.snapshot_rows import snapshot_title

__all__ = ["RollbackScreen", "rotated_away"]


def rotated_away(names: list[str], keep: int) -> list[str]:
    """The files an offline roll-back's rotation deletes, given the listed names newest first:
    it adds one newest file, then keeps the `keep` newest timestamp-named files (as
    `engine.rotate_snapshots` does)."""
    dated = [name for name in names if timestamp_from_name(name)]
    return dated[max(keep, 1) - 1 :]


class RollbackScreen(ModalScreen[bool]):
    CSS_PATH = "rollback.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Roll back", id="rollback.confirm", tooltip="Roll back now"),
        Binding("n,escape", "cancel", "Cancel", id="rollback.cancel", tooltip="Leave everything"),
    ]

    def __init__(self, context: DashboardContext, entry: CatalogEntry) -> None:
        super().__init__()
        self.context = context
        self.entry = entry

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            title = Text("Roll back to ", "bold")
            title.append_text(snapshot_title(self.entry))
            title.append("?", "bold")
            yield Static(title, id="dialog-title")
            yield Static(safe_text(self.entry.name, "dim"), id="dialog-file")
            yield Static(self._consequences(), id="dialog-body")
            yield Static(
                Text.assemble(
                    ("y", "bold"),
                    " roll back    ",
                    ("n", "bold"),
                    " / ",
                    ("esc", "bold"),
                    " cancel",
                ),
                id="dialog-keys",
            )

    def _consequences(self) -> Text:
        attachment = self.context.attachment
        if attachment is not None:
            return Text.assemble(
                "The attached server (",
                safe_text(attachment.label),
                ") first saves its current state as a snapshot (u undoes the roll-back), "
                "then loads this snapshot's state and saves it as the newest file.",
            )
        body = Text(
            "No server is attached, so only the files change: this snapshot's state is "
            "written as a new, newest snapshot file, and the next server start loads it.\n\n"
        )
        listed = sorted((entry.name for entry in self.context.catalog.entries), reverse=True)
        doomed = rotated_away(listed, ROLLBACK_KEEP)
        if not doomed:
            body.append(f"Rotation keeps the {ROLLBACK_KEEP} newest files: nothing is deleted.")
            return body
        body.append(f"Rotation then keeps the {ROLLBACK_KEEP} newest files and deletes:\n")
        for name in doomed:
            body.append("  • ")
            body.append_text(safe_text(name, "bold red" if name == self.entry.name else ""))
            body.append("\n")
        if self.entry.name in doomed:
            body.append("(including the file you roll back to: its state lives on in the new file)")
        return body

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

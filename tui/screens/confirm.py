"""The confirmation of a destructive action: what it will change, counts first, then the names
involved, in a dialog that fits any terminal: the body scrolls, the title and the `y`/`n` line
stay in view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from statesnap.engine import CatalogChange, CatalogChangeKind
from statesnap.tui.text.rollback_plan import ChangePlan
from statesnap.tui.text.safe_text import escape_controls, safe_text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["ConfirmScreen"]


def _lines(lines: Sequence[str], style: str = "") -> Text:
    """Lines of text that may hold names from the directory: each made safe, wrapped."""
    text = Text("\n", end="").join(safe_text(line, style) for line in lines)
    text.no_wrap = False
    return text


class ConfirmScreen(ModalScreen[bool]):
    """Shows a ChangePlan; dismisses with True on `y`, False on `n` or escape."""

    CSS_PATH = "confirm.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Confirm", id="confirm.yes", tooltip="Go ahead"),
        Binding("n,escape", "cancel", "Cancel", id="confirm.no", tooltip="Change nothing"),
    ]

    def __init__(self, plan: ChangePlan, confirm_words: str, target: str | None = None) -> None:
        """`target`: the file the action is about; if it is deleted or rewritten while the
        dialog is open, the dialog says so and confirms nothing."""
        super().__init__()
        self.plan = plan
        self.confirm_words = confirm_words
        self.target = target
        self.target_problem: str | None = None

    def compose(self) -> ComposeResult:
        plan = self.plan
        with VerticalScroll(id="dialog"):
            yield Static(safe_text(plan.title, "bold"), id="dialog-title")
            yield Static(
                Text.assemble(
                    ("y", "bold"),
                    f" {self.confirm_words}    ",
                    ("n", "bold"),
                    " / ",
                    ("esc", "bold"),
                    " cancel",
                ),
                id="dialog-keys",
            )
            yield Static(_lines(plan.steps), id="dialog-steps")
            yield Static(_lines([plan.summary]), id="dialog-summary")
            if plan.later_heading:
                yield Static(_lines([plan.later_heading]), id="dialog-later")
            if plan.later_deleted:
                names = [f"  • {name}" for name in plan.later_deleted]
                yield Static(_lines(names, "red"), id="dialog-names")

    def files_changed(self, changes: tuple[CatalogChange, ...]) -> None:
        for change in changes:
            if change.name != self.target or self.target_problem is not None:
                continue
            happened = "deleted" if change.kind is CatalogChangeKind.DELETED else "rewritten"
            self.target_problem = f"{change.name} was {happened} while this was open"
            self.query_one("#dialog-title", Static).update(
                _lines([f"{self.target_problem}: nothing to confirm."], "bold red")
            )
            self.query_one("#dialog-keys", Static).update(Text.assemble(("esc", "bold"), " close"))
            self.notify(escape_controls(self.target_problem), severity="warning", markup=False)

    def action_confirm(self) -> None:
        if self.target_problem is not None:
            self.notify(
                escape_controls(f"Not done: {self.target_problem}."),
                severity="warning",
                markup=False,
            )
            self.app.bell()
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

"""The dialog `p` opens: the name to pin the selected snapshot under, checked as the pins check
it (`statesnap.engine.checked_pin_name`) and against the pins there are, the problem in one
line under the field until the name will do."""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from rich.text import Text
from statesnap.engine import PIN_NAME_RULE, PinError, checked_pin_name
from statesnap.tui.text.safe_text import escape_controls, safe_text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

__all__ = ["PinNameScreen", "pin_name_problem"]


def pin_name_problem(name: str, taken: Collection[str]) -> str | None:
    """Why `name` cannot name a new pin, in one line; None if it can."""
    try:
        checked_pin_name(name)
    except PinError:
        shown = escape_controls(repr(name), keep_newlines=False)
        return f"not a pin name: {shown[:40]}{'…' if len(shown) > 40 else ''}"
    if name in taken:
        return f"a pin named {name!r} exists: pick another name, or unpin it first (x)"
    return None


class PinNameScreen(ModalScreen[str | None]):
    """Asks for a pin's name; dismisses with it on enter (once it will do), None on escape."""

    DEFAULT_CSS = """
    PinNameScreen { align: center middle; }
    PinNameScreen #pin-dialog {
        width: 76; max-width: 100%; height: auto; padding: 0 1;
        border: round $accent; background: $surface;
    }
    PinNameScreen #pin-title { text-style: bold; padding-bottom: 1; }
    PinNameScreen #pin-problem { color: $error; height: 1; }
    PinNameScreen #pin-rule { padding-bottom: 1; }
    PinNameScreen #pin-keys { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="pin-name.cancel", tooltip="Pin nothing"),
    ]

    def __init__(self, title: Text, taken: Collection[str]) -> None:
        """`title`: the snapshot to pin; `taken`: the names of the pins there are."""
        super().__init__()
        self.title_text = title
        self.taken = frozenset(taken)

    def compose(self) -> ComposeResult:
        with Vertical(id="pin-dialog"):
            yield Static(Text.assemble("Pin ", self.title_text, " as:"), id="pin-title")
            yield Input(placeholder="a name, such as before-release", id="pin-name")
            yield Static(id="pin-problem")
            yield Static(Text(PIN_NAME_RULE, "dim"), id="pin-rule")
            yield Static(
                Text.assemble(("enter", "bold"), " pin    ", ("esc", "bold"), " cancel"),
                id="pin-keys",
            )

    @on(Input.Changed, "#pin-name")
    def _changed(self) -> None:
        self.query_one("#pin-problem", Static).update("")

    @on(Input.Submitted, "#pin-name")
    def _submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        problem = pin_name_problem(name, self.taken)
        if problem is None:
            self.dismiss(name)
            return
        self.query_one("#pin-problem", Static).update(safe_text(problem))
        self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(None)

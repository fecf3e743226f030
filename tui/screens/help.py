"""The help screen: every key of the screen beneath, from the same bindings the footer shows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from statesnap.tui.widgets.json_view import JsonView
from statesnap.tui.widgets.virtual_table import VirtualTable
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

__all__ = ["HelpScreen", "help_text"]

_KEY_WIDTH = 12
_NAME_WIDTH = 16


def _bindings(owner: type) -> list[Binding]:
    return [binding for binding in getattr(owner, "BINDINGS", []) if isinstance(binding, Binding)]


def _section(app: App[object], title: str, bindings: Iterable[Binding]) -> Group | None:
    """A title, then a line per binding: its keys, its name, and what it does (wrapped in its
    own column, so a narrow terminal keeps the columns); None without bindings."""
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(min_width=_KEY_WIDTH, no_wrap=True, style="bold cyan")
    grid.add_column(min_width=_NAME_WIDTH, no_wrap=True)
    grid.add_column(ratio=1, style="dim")
    for binding in bindings:
        keys = " ".join(
            app.get_key_display(binding.with_key(key.strip())) for key in binding.key.split(",")
        )
        grid.add_row(keys, binding.description, binding.tooltip)
    return Group(Text(title, "bold underline"), grid) if grid.row_count else None


def _keys(binding: Binding) -> list[str]:
    return [key.strip() for key in binding.key.split(",")]


def _without(bindings: Iterable[Binding], taken: set[str]) -> list[Binding]:
    """The bindings with the keys a screen takes first (priority bindings) left out."""
    kept = []
    for binding in bindings:
        keys = [key for key in _keys(binding) if key not in taken]
        if keys:
            kept.append(binding.with_key(",".join(keys)))
    return kept


def help_text(app: App[object], screen: Screen[object]) -> Group:
    """The keys of `screen`, then moving in tables and JSON (less the keys the screen takes
    first), then the keys that work everywhere."""
    own = _bindings(type(screen))
    taken = {key for binding in own if binding.priority for key in _keys(binding)}
    in_lists = _without(_bindings(VirtualTable), taken)
    list_keys = {binding.key for binding in _bindings(VirtualTable)}
    sections = [
        _section(app, "This screen", own),
        _section(app, "In lists and JSON", in_lists),
        _section(
            app,
            "Also in JSON",
            _without(
                (binding for binding in _bindings(JsonView) if binding.key not in list_keys),
                taken,
            ),
        ),
        _section(
            app,
            "Everywhere",
            [
                *_bindings(type(app)),
                Binding("ctrl+p", "", "Commands", tooltip="Every action, searchable"),
            ],
        ),
    ]
    spaced: list[Group | Text] = []
    for section in filter(None, sections):
        if spaced:
            spaced.append(Text())
        spaced.append(section)
    return Group(*spaced)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,q,question_mark", "close", "Close", id="help.close", tooltip="Close the help"
        ),
    ]

    def __init__(self, about: Screen[object]) -> None:
        super().__init__()
        self.about = about

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog") as dialog:
            dialog.border_title = "Keys"
            dialog.border_subtitle = "esc, q or ? closes"
            yield Static(help_text(self.app, self.about), id="help-text")

    def action_close(self) -> None:
        self.dismiss()

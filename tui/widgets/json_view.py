"""Pretty JSON of any size, drawn a visible line at a time (like Textual's `Log`).

`Static(Syntax(...))` lays out and highlights the whole text on every change and is unusable
past a few hundred KB; here the lines are made once (`statesnap.tui.text.json_lines`) and each
visible line is escaped, highlighted and cached only when drawn, so a 10 MB entry or a 100 KB string
scrolls as freely as a short one.
"""

from __future__ import annotations

from typing import Any, ClassVar

import orjson
from rich.text import Text
from statesnap.engine import js_dumps
from statesnap.tui.text.json_lines import JsonStyles, highlight_json_line, pretty_json_lines
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["JsonView"]

_CONTEXT_LINES = 3
"""Lines shown above the first marked line."""
_NO_VALUE = object()


def _json_bytes(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return js_dumps(value)


class JsonView(ScrollView, can_focus=True):
    """A value as indented JSON, scrollable both ways."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Down", show=False, id="json.down", tooltip="Scroll down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="json.up", tooltip="Scroll up"),
        Binding("h,left", "scroll_left", "Left", show=False, id="json.left", tooltip="Scroll left"),
        Binding(
            "l,right", "scroll_right", "Right", show=False, id="json.right", tooltip="Scroll right"
        ),
        Binding("g,home", "scroll_home", "Top", show=False, id="json.top", tooltip="First line"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="json.bottom", tooltip="Last line"),
        Binding(
            "pagedown,space",
            "page_down",
            "Page down",
            show=False,
            id="json.page-down",
            tooltip="One screen down",
        ),
        Binding(
            "pageup", "page_up", "Page up", show=False, id="json.page-up", tooltip="One screen up"
        ),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "json-view--key",
        "json-view--string",
        "json-view--number",
        "json-view--literal",
        "json-view--placeholder",
        "json-view--marked",
    }

    DEFAULT_CSS = """
    JsonView {
        overflow: auto;
        background: $surface;
        & > .json-view--key { color: $text-primary; text-style: bold; }
        & > .json-view--string { color: $success; }
        & > .json-view--number { color: $warning; }
        & > .json-view--literal { color: $text-secondary; text-style: italic; }
        & > .json-view--placeholder { color: $text-muted; text-style: italic; }
        & > .json-view--marked { background: $warning 20%; }
    }
    """

    def __init__(
        self,
        placeholder: str = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._lines: list[str] = []
        self._marked: frozenset[int] = frozenset()
        self._text = ""
        self._value: Any = _NO_VALUE
        self._cache: LRUCache[int, Strip] = LRUCache(512)
        self.placeholder = placeholder

    def on_unmount(self) -> None:
        """Removed: let go of the value shown (part of a snapshot) and its lines."""
        self._value = _NO_VALUE
        self._lines = []
        self._text = ""
        self._cache.clear()

    @property
    def text(self) -> str:
        """The JSON shown, as text (what `y` copies)."""
        return self._text

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def show_value(self, value: Any, *, keep_position: bool = False) -> None:
        """Show `value`; with `keep_position` (fresher data for the same entry), stay where
        the reader scrolled to, and do nothing if its JSON did not change."""
        if (
            keep_position
            and self._value is not _NO_VALUE
            and _json_bytes(self._value) == _json_bytes(value)
        ):
            return
        self.show_lines(pretty_json_lines(value), keep_position=keep_position)
        self._value = value

    def clear(self, placeholder: str | None = None) -> None:
        if placeholder is not None:
            self.placeholder = placeholder
        self.show_lines([])

    def show_lines(
        self,
        lines: list[str],
        marked: frozenset[int] = frozenset(),
        first: int = 0,
        *,
        keep_position: bool = False,
    ) -> None:
        """Show lines of pretty JSON (`statesnap.tui.text.json_lines`), the `marked` ones
        highlighted, with line `first` (and a few before it) in view, or where the view was
        (`keep_position`)."""
        self._lines = lines
        self._value = _NO_VALUE
        self._marked = marked
        self._text = "\n".join(lines)
        self._cache.clear()
        width = max(map(len, lines), default=0)
        self.virtual_size = Size(width + 1, len(lines))
        if not keep_position:
            self.scroll_to(0, max(0, first - _CONTEXT_LINES), animate=False, force=True)
        self.refresh()

    def _styles(self) -> JsonStyles:
        return JsonStyles(
            key=self.get_component_rich_style("json-view--key", partial=True),
            string=self.get_component_rich_style("json-view--string", partial=True),
            number=self.get_component_rich_style("json-view--number", partial=True),
            literal=self.get_component_rich_style("json-view--literal", partial=True),
        )

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = round(self.scroll_y) + y
        if not self._lines:
            if y == 0 and self.placeholder:
                style = base + self.get_component_rich_style("json-view--placeholder")
                return Strip(Text(self.placeholder).render(self.app.console)).crop_extend(
                    0, width, style
                )
            return Strip.blank(width, base)
        if index >= len(self._lines):
            return Strip.blank(width, base)
        strip = self._cache.get(index)
        if strip is None:
            line = highlight_json_line(self._lines[index], self._styles())
            style = base
            if index in self._marked:
                style += self.get_component_rich_style("json-view--marked")
                line.pad_right(self.virtual_size.width - line.cell_len)
            strip = Strip(line.render(self.app.console)).apply_style(style)
            self._cache[index] = strip
        scroll_x = round(self.scroll_x)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

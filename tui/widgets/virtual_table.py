"""A table that draws only the rows on screen, so 100,000 rows cost what 30 do.

Why not Textual's `DataTable`: it measures every cell as rows are added, so 100,000 rows take
about 9 s and freeze the app. `textual-fastdatatable` is fast but brings pyarrow (~170 MB).
This is the Toolong approach instead: a `ScrollView` whose `render_line` asks its row source
for the cells of the visible rows only, and caches the drawn lines. Columns have declared
widths (one of them takes the remaining width), so nothing is ever measured up front. In a
narrow table the optional columns go first; if the others still do not fit, the table
scrolls sideways (`h`/`l`).

The row source is anything with `__len__` and `cells(row) -> Sequence[Text]` (`RowSource`; it
and the columns are plain data in `statesnap.tui.rows.columns`); cells arrive as `Text` built
from escaped strings (see `statesnap.tui.text.safe_text`), never as markup. A source that reads
its rows lazily (a live map, a page at a time) draws placeholders for rows it does not hold
yet, and learns which rows are on screen from `RowsShown`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from statesnap.tui.rows.columns import (
    COLUMN_GAP,
    LINE_INDENT,
    Column,
    RowSource,
    column_widths,
    line_width,
)
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["VirtualTable"]


class _NoRows:
    def __len__(self) -> int:
        return 0

    def cells(self, row: int) -> Sequence[Text]:
        raise IndexError(row)


class VirtualTable(ScrollView, can_focus=True):
    """Rows from a `RowSource`, a cursor, and vim-like movement keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="table.down", tooltip="Next row"),
        Binding("k,up", "cursor_up", "Up", show=False, id="table.up", tooltip="Previous row"),
        Binding(
            "h,left",
            "scroll_left",
            "Left",
            show=False,
            id="table.left",
            tooltip="Scroll left (a table too wide for its place)",
        ),
        Binding(
            "l,right",
            "scroll_right",
            "Right",
            show=False,
            id="table.right",
            tooltip="Scroll right",
        ),
        Binding("g,home", "top", "Top", show=False, id="table.top", tooltip="First row"),
        Binding("G,end", "bottom", "Bottom", show=False, id="table.bottom", tooltip="Last row"),
        Binding(
            "pagedown,space",
            "page_down",
            "Page down",
            show=False,
            id="table.page-down",
            tooltip="One screen of rows down",
        ),
        Binding(
            "pageup",
            "page_up",
            "Page up",
            show=False,
            id="table.page-up",
            tooltip="One screen of rows up",
        ),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--empty",
    }

    DEFAULT_CSS = """
    VirtualTable {
        overflow-x: auto;
        overflow-y: auto;
        background: $surface;
        & > .virtual-table--header { color: $text-muted; text-style: bold; }
        & > .virtual-table--cursor { background: $boost; }
        &:focus > .virtual-table--cursor { background: $block-cursor-blurred-background; }
        & > .virtual-table--empty { color: $text-muted; text-style: italic; }
    }
    """

    class CursorMoved(Message):
        """The cursor is on another row (or the rows were replaced); `row` is -1 when empty."""

        def __init__(self, table: VirtualTable, row: int) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> VirtualTable:
            return self.table

    class RowsShown(Message):
        """Rows `first` to `last` are on screen now (after a scroll, a resize or new rows),
        so that a source that reads its rows lazily can fetch them."""

        def __init__(self, table: VirtualTable, first: int, last: int) -> None:
            super().__init__()
            self.table = table
            self.first = first
            self.last = last

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column] = (),
        *,
        empty_text: str = "Nothing to show.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._columns: tuple[Column, ...] = tuple(columns)
        self._source: RowSource = _NoRows()
        self._cache: LRUCache[tuple[int, int, bool], Strip] = LRUCache(256)
        self.cursor_row = -1
        self.empty_text = empty_text
        self._shown: tuple[int, int, int] | None = None
        """(source id, first, last) of the last RowsShown posted."""

    def on_unmount(self) -> None:
        """Removed: let go of the rows (they may hold a whole snapshot's entries)."""
        self._source = _NoRows()
        self._cache.clear()

    @property
    def row_count(self) -> int:
        return len(self._source)

    @property
    def source(self) -> RowSource:
        return self._source

    def set_rows(
        self,
        source: RowSource,
        *,
        columns: Sequence[Column] | None = None,
        cursor: int = 0,
        empty_text: str | None = None,
    ) -> None:
        """Show other rows (or the same rows changed); put the cursor on `cursor`."""
        if columns is not None:
            self._columns = tuple(columns)
        if empty_text is not None:
            self.empty_text = empty_text
        self._source = source
        self._cache.clear()
        self._size_to_rows()
        self.cursor_row = min(max(cursor, 0), len(source) - 1)
        self._scroll_to_cursor()
        self.refresh()
        self._shown = None
        self._announce_rows_shown()
        self.post_message(self.CursorMoved(self, self.cursor_row))

    def swap_rows(self, source: RowSource, *, cursor: int | None = None) -> None:
        """Fresher rows for what is shown (a live refresh): keep the scroll position and the
        cursor's row (or move it to `cursor`, where the same item now is), without a
        `CursorMoved`; their number may have changed."""
        self._source = source
        self._cache.clear()
        self._size_to_rows()
        row = self.cursor_row if cursor is None else cursor
        self.cursor_row = min(max(row, 0), len(source) - 1)
        if cursor is not None:
            self._scroll_to_cursor()
        self.refresh()
        self._announce_rows_shown()

    def _size_to_rows(self) -> None:
        """A line per row and the header; as wide as the columns need (wider than the
        table, it scrolls sideways)."""
        width = line_width(column_widths(self._columns, self.scrollable_content_region.width))
        self.virtual_size = Size(width, len(self._source) + 1)

    @property
    def rows_on_screen(self) -> tuple[int, int]:
        """The first and last row the table has room for at its scroll position."""
        first = round(self.scroll_y)
        return first, first + max(self.scrollable_content_region.height - 2, 0)

    def _announce_rows_shown(self) -> None:
        first, last = self.rows_on_screen
        last = min(last, self.row_count - 1)
        shown = (id(self._source), first, last)
        if last >= first and shown != self._shown:
            self._shown = shown
            self.post_message(self.RowsShown(self, first, last))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._announce_rows_shown()

    def on_resize(self) -> None:
        self._size_to_rows()
        self._announce_rows_shown()

    def refresh_rows(self, rows: range | None = None) -> None:
        """Redraw these rows (default: every row): their cells changed, not their number or
        order."""
        if rows is None:
            self._cache.clear()
            self.refresh()
            return
        for row in rows:
            self._refresh_row(row)

    def move_cursor(self, row: int) -> None:
        if not self.row_count:
            return
        row = min(max(row, 0), self.row_count - 1)
        if row == self.cursor_row:
            return
        previous, self.cursor_row = self.cursor_row, row
        self._scroll_to_cursor()
        self._refresh_row(previous)
        self._refresh_row(row)
        self.post_message(self.CursorMoved(self, row))

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_top(self) -> None:
        self.move_cursor(0)

    def action_bottom(self) -> None:
        self.move_cursor(self.row_count - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._page)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._page)

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, force=True)
        elif self.cursor_row >= top + self._page:
            self.scroll_to(y=self.cursor_row - self._page + 1, animate=False, force=True)

    def _refresh_row(self, row: int) -> None:
        self._cache.discard((row, self.scrollable_content_region.width, True))
        self._cache.discard((row, self.scrollable_content_region.width, False))
        line = row - round(self.scroll_y) + 1
        self.refresh(Region(0, line, self.size.width, 1))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def on_focus(self) -> None:
        self._refresh_row(self.cursor_row)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor_row)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and offset.y >= 1:
            self.move_cursor(round(self.scroll_y) + offset.y - 1)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        scroll_x = round(self.scroll_x)
        if y == 0:
            header = self.get_component_rich_style("virtual-table--header")
            titles = [Text(column.title) for column in self._columns]
            strip = self._line(titles, width, base + header)
            return strip.crop_extend(scroll_x, scroll_x + width, base + header)
        row = round(self.scroll_y) + y - 1
        if not self.row_count and y == 1:
            empty = self.get_component_rich_style("virtual-table--empty")
            return Strip(Text(self.empty_text).render(self.app.console)).crop_extend(
                0, width, base + empty
            )
        if row >= self.row_count:
            return Strip.blank(width, base)
        is_cursor = row == self.cursor_row
        style = base
        if is_cursor:
            style += self.get_component_rich_style("virtual-table--cursor")
        key = (row, width, is_cursor)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._line(self._source.cells(row), width, style)
        return cached.crop_extend(scroll_x, scroll_x + width, style)

    def _line(self, cells: Sequence[Text], width: int, style: Style) -> Strip:
        """A row's cells in their columns, for a table `width` cells wide (the line may be
        wider: the table scrolls)."""
        line = Text(no_wrap=True, end="")
        widths = column_widths(self._columns, width)
        shown = [
            (cell, column, cell_width)
            for cell, column, cell_width in zip(cells, self._columns, widths, strict=False)
            if cell_width
        ]
        for index, (cell, column, cell_width) in enumerate(shown):
            if index:
                line.append(" " * COLUMN_GAP)
            piece = cell.copy()
            piece.truncate(cell_width, overflow="ellipsis")
            if column.justify == "right":
                piece.pad_left(cell_width - piece.cell_len)
            else:
                piece.pad_right(cell_width - piece.cell_len)
            line.append_text(piece)
        line.pad_left(LINE_INDENT)
        strip = Strip(line.render(self.app.console)).apply_style(style)
        return strip.crop_extend(0, max(width, line_width(widths)), style)

"""What a table's rows and columns are, as plain data: the columns, how wide each is drawn in a
given width, and the row-source protocol a table reads its rows through (no widget here, so
the row models can use them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from rich.text import Text

__all__ = [
    "COLUMN_GAP",
    "LINE_INDENT",
    "MIN_FLEXIBLE",
    "Column",
    "RowSource",
    "column_widths",
    "line_width",
]

COLUMN_GAP = 2
"""Cells between two columns."""
LINE_INDENT = 1
"""Cells before the first column."""


@dataclass(frozen=True)
class Column:
    """One column of a table: its title, width, alignment, and whether it may be left out."""

    title: str
    width: int = 0
    """Cells wide; 0 takes whatever the other columns leave, at least `MIN_FLEXIBLE`."""
    justify: Literal["left", "right"] = "left"
    optional: bool = False
    """Left out when the table is too narrow for every column."""


MIN_FLEXIBLE = 16
"""The least a flexible column gets: below, optional columns go, then the table scrolls."""


class RowSource(Protocol):
    """What a table draws: how many rows, and the cells of one (escaped `Text`, never markup)."""

    def __len__(self) -> int: ...

    def cells(self, row: int) -> Sequence[Text]: ...


def column_widths(columns: Sequence[Column], width: int) -> list[int]:
    """Each column's width within `width` cells: fixed ones as declared, the flexible ones
    the rest (at least `MIN_FLEXIBLE`); 0 for an optional column left out (the last ones
    first) because the others need the room. With the gaps they may add up to more than
    `width`: the table then scrolls sideways."""
    shown = list(range(len(columns)))
    while True:
        flexible = sum(columns[index].width == 0 for index in shown)
        fixed = (
            LINE_INDENT
            + sum(columns[index].width for index in shown)
            + COLUMN_GAP * (len(shown) - 1)
        )
        room = (width - fixed) // flexible if flexible else width - fixed
        optional = [index for index in shown if columns[index].optional]
        if room >= (MIN_FLEXIBLE if flexible else 0) or not optional:
            break
        shown.remove(optional[-1])
    return [
        (column.width or max(MIN_FLEXIBLE, room)) if index in shown else 0
        for index, column in enumerate(columns)
    ]


def line_width(widths: Sequence[int]) -> int:
    """How wide a line of columns this wide is (the left-out ones, 0, take no gap)."""
    shown = [width for width in widths if width]
    return LINE_INDENT + sum(shown) + COLUMN_GAP * (len(shown) - 1)

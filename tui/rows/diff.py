"""A snapshot diff as table rows: the maps with their counts of changes, and one map's changes."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from rich.text import Text
from statesnap.engine import ChangeKind, MapDiff, SnapshotDiff
from statesnap.tui.rows.columns import Column
from statesnap.tui.rows.entry_cells import entry_summary
from statesnap.tui.rows.map_layouts import ID_FIELDS
from statesnap.tui.text.formatting import middle_cut
from statesnap.tui.text.safe_text import safe_text

__all__ = [
    "CHANGE_COLUMNS",
    "DIFF_MAP_COLUMNS",
    "ChangeRows",
    "ChangedLines",
    "DiffMapRows",
    "changed_lines",
    "diff_totals",
]

DIFF_MAP_COLUMNS = (
    Column("map", 0),
    Column("added", 6, "right"),
    Column("removed", 7, "right"),
    Column("changed", 7, "right"),
)
KEY_WIDTH = 24
CHANGE_COLUMNS = (Column("", 7), Column("key", KEY_WIDTH), Column("entry", 0))

MAX_COMPARED_LINES = 20_000
"""Longer entries are shown side by side without marking the lines that differ (the line
matcher is quadratic in the worst case)."""

KIND_STYLES = {ChangeKind.ADDED: "green", ChangeKind.REMOVED: "red", ChangeKind.CHANGED: "yellow"}


def diff_totals(diff: SnapshotDiff) -> str:
    """`3 maps differ: 12 added · 1 removed · 4 changed`, or `identical data`."""
    if diff.is_empty:
        return "identical data"
    differing = sum(bool(map_diff.changes) for map_diff in diff.maps)
    totals = {
        kind: sum(len(map_diff.keys_of(kind)) for map_diff in diff.maps) for kind in ChangeKind
    }
    counts = " · ".join(f"{count:,} {kind.value}" for kind, count in totals.items() if count)
    return f"{differing} map{'s' if differing != 1 else ''} differ: {counts}"


@dataclass(frozen=True)
class ChangedLines:
    """One side of a changed entry's JSON: the lines that differ, and where the first
    difference is (also on the side where lines were only added to the other)."""

    lines: frozenset[int] = frozenset()
    first: int = 0


def changed_lines(before: list[str], after: list[str]) -> tuple[ChangedLines, ChangedLines]:
    """The lines that differ on each side of a changed entry's JSON."""
    if max(len(before), len(after)) > MAX_COMPARED_LINES:
        return ChangedLines(), ChangedLines()
    old: set[int] = set()
    new: set[int] = set()
    firsts: list[tuple[int, int]] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag != "equal":
            old.update(range(old_start, old_end))
            new.update(range(new_start, new_end))
            firsts.append((old_start, new_start))
    old_first, new_first = firsts[0] if firsts else (0, 0)
    return ChangedLines(frozenset(old), old_first), ChangedLines(frozenset(new), new_first)


def _count(value: int, kind: ChangeKind) -> Text:
    return Text(f"{value:,}", KIND_STYLES[kind]) if value else Text("·", "dim")


class DiffMapRows:
    """Row source: every map of either snapshot; maps without changes dimmed."""

    def __init__(self, diff: SnapshotDiff) -> None:
        self.diff = diff

    def __len__(self) -> int:
        return len(self.diff.maps)

    def cells(self, row: int) -> list[Text]:
        map_diff = self.diff.maps[row]
        return [
            safe_text(map_diff.name, "" if map_diff.changes else "dim"),
            _count(len(map_diff.added), ChangeKind.ADDED),
            _count(len(map_diff.removed), ChangeKind.REMOVED),
            _count(len(map_diff.changed), ChangeKind.CHANGED),
        ]


class ChangeRows:
    """Row source: one map's changed entries."""

    def __init__(self, map_diff: MapDiff) -> None:
        self.map_diff = map_diff

    def __len__(self) -> int:
        return len(self.map_diff.changes)

    def cells(self, row: int) -> list[Text]:
        change = self.map_diff.changes[row]
        shown = change.before if change.kind is ChangeKind.REMOVED else change.after
        return [
            Text(change.kind.value, KIND_STYLES[change.kind]),
            safe_text(middle_cut(change.key, KEY_WIDTH)),
            safe_text(entry_summary(shown, skip=ID_FIELDS), "dim"),
        ]

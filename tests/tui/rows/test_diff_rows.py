"""A diff's rows, directly: the maps with their counts, one map's changes, the lines that
differ in a changed entry, and the totals in words."""

from __future__ import annotations

from statesnap.engine import diff_data
from statesnap.tui.rows.diff import (
    CHANGE_COLUMNS,
    DIFF_MAP_COLUMNS,
    ChangeRows,
    DiffMapRows,
    changed_lines,
    diff_totals,
)

BEFORE = {"sessions": [{"id": "a", "v": 1}, {"id": "b"}], "bookmarks": {"x": {"id": "x"}}}
AFTER = {"sessions": [{"id": "a", "v": 2}, {"id": "c\x1b[2J"}], "bookmarks": {"x": {"id": "x"}}}


def test_the_maps_of_a_diff_with_their_counts() -> None:
    diff = diff_data(BEFORE, AFTER)
    rows = DiffMapRows(diff)
    shown = {
        rows.cells(row)[0].plain: [cell.plain for cell in rows.cells(row)]
        for row in range(len(rows))
    }
    assert shown["sessions"] == ["sessions", "1", "1", "1"]
    assert shown["bookmarks"] == ["bookmarks", "·", "·", "·"]
    assert len(DIFF_MAP_COLUMNS) == 4
    assert diff_totals(diff) == "1 map differ: 1 added · 1 removed · 1 changed"
    assert diff_totals(diff_data(BEFORE, BEFORE)) == "identical data"


def test_one_maps_changes_escaped() -> None:
    sessions = next(item for item in diff_data(BEFORE, AFTER).maps if item.name == "sessions")
    rows = ChangeRows(sessions)
    cells = sorted([cell.plain for cell in rows.cells(row)] for row in range(len(rows)))
    assert [kind for kind, _, _ in cells] == ["added", "changed", "removed"]
    assert all("\x1b" not in key for _, key, _ in cells)
    assert ["changed", "a", "v: 2"] in cells
    assert len(CHANGE_COLUMNS) == 3


def test_the_lines_that_differ_on_each_side() -> None:
    old, new = changed_lines(["{", "a", "b", "}"], ["{", "a", "c", "d", "}"])
    assert (old.lines, old.first) == (frozenset({2}), 2)
    assert (new.lines, new.first) == (frozenset({2, 3}), 2)
    same, _ = changed_lines(["x"], ["x"])
    assert same.lines == frozenset()

"""The history's row model: steps folded into rows, the mark, the pair a diff compares, the
lines changed between two versions, and the live value's missing entry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from statesnap.engine import (
    MISSING,
    ControlError,
    HistoryRow,
    HistorySource,
    HistoryStep,
    NoSuchEntryError,
    VersionKind,
)
from statesnap.tui.rows.history import HistoryRows, live_entry_value, state_words, version_lines

WHEN = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)


def present(name: str, value: object, *, count: int = 1, changed: bool = True) -> HistoryRow:
    source = HistorySource(name, WHEN)
    return HistoryRow(VersionKind.PRESENT, source, source, count, value, b"", "", changed)


def skipped(name: str) -> HistoryRow:
    source = HistorySource(name, WHEN)
    return HistoryRow(VersionKind.SKIPPED, source, source, reason="corrupt: truncated")


def rows_of(*versions: HistoryRow) -> HistoryRows:
    rows = HistoryRows()
    for done, version in enumerate(versions, start=1):
        rows.add(HistoryStep(done, len(versions), version, folded=False))
    return rows


def test_a_folded_step_replaces_the_last_row() -> None:
    rows = rows_of(present("a", {"x": 1}))
    rows.add(HistoryStep(2, 3, present("a", {"x": 1}, count=2), folded=True))
    assert len(rows) == 1
    assert state_words(rows.rows[0]) == "changed · unchanged in 2 snapshots"
    assert [cell.plain for cell in rows.cells(0)][2] == "changed · unchanged in 2 snapshots"


def test_skipped_rows_say_why_and_cannot_be_marked_or_compared() -> None:
    rows = rows_of(present("a", {"x": 1}), skipped("b"), present("c", {"x": 2}))
    assert rows.cells(1)[2].plain == "skipped: corrupt: truncated"
    rows.toggle_mark(1)
    assert rows.marked is None
    assert rows.diff_pair(1) is None
    assert rows.previous_version(2) == 0
    assert rows.diff_pair(2) == (rows.rows[0], rows.rows[2])
    assert rows.diff_pair(0) is None


def test_the_marked_version_is_compared_older_first() -> None:
    rows = rows_of(present("a", 1), present("b", 2), present("c", 3))
    rows.toggle_mark(2)
    assert rows.cells(2)[0].plain == "◆"
    assert rows.diff_pair(0) == (rows.rows[0], rows.rows[2])
    rows.toggle_mark(2)
    assert rows.marked is None


def test_version_lines_mark_what_changed() -> None:
    before, after = present("a", {"x": 1, "y": 2}), present("b", {"x": 1, "y": 3})
    old, new = version_lines(before, after)
    assert new.lines[new.marks.first].strip() == '"y": 3'
    assert old.marks.lines == new.marks.lines == frozenset({2})
    first, only = version_lines(None, after)
    assert first.lines == [] and only.marks.lines == frozenset()


def test_hostile_text_in_a_row_is_literal() -> None:
    source = HistorySource("snapshot-\x1b[31m\u202e.json.gz", None)
    row = HistoryRow(VersionKind.SKIPPED, source, source, reason="[bold]x\x07")
    cells = rows_of(row).cells(0)
    assert cells[2].plain == "skipped: [bold]x\\x07" and not cells[2].spans
    assert "\\x1b[31m\\u202e" in cells[1].plain + cells[3].plain


def test_the_live_value_is_missing_when_the_server_has_no_such_entry() -> None:
    def no_entry(map_name: str, key: str) -> object:
        raise NoSuchEntryError(f"no entry {key!r} in {map_name!r}")

    def down(map_name: str, key: str) -> object:
        raise ControlError("connection refused")

    assert live_entry_value(lambda m, k: {"map": m, "key": k}, "s", "k") == {"map": "s", "key": "k"}
    assert live_entry_value(no_entry, "s", "k") is MISSING
    with pytest.raises(ControlError):
        live_entry_value(down, "s", "k")

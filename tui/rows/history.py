"""One entry's history as table rows: its versions oldest first, as they stream in from
`statesnap.engine.EntryHistory`, the version marked for a diff, and a version's JSON with the
lines changed from the version before it (as the diff view marks a changed entry's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from statesnap.engine import (
    MISSING,
    HistoryRow,
    HistorySource,
    HistoryStep,
    NoSuchEntryError,
    VersionKind,
)
from statesnap.tui.rows.columns import Column
from statesnap.tui.rows.diff import ChangedLines, changed_lines
from statesnap.tui.rows.snapshots import DIFF_MARK, LIVE_MARK, short_name
from statesnap.tui.text.formatting import format_moment
from statesnap.tui.text.json_lines import pretty_json_lines
from statesnap.tui.text.safe_text import safe_text

__all__ = [
    "HISTORY_COLUMNS",
    "HistoryRows",
    "VersionLines",
    "live_entry_value",
    "source_words",
    "state_words",
    "version_lines",
]

HISTORY_COLUMNS = (
    Column(" ", 1),
    Column("taken (UTC)", 23),
    Column("state", 34),
    Column("file", 0, optional=True),
)
"""In 80 columns the file name goes (the time says which snapshot)."""

_KIND_STYLES = {VersionKind.ABSENT: "dim italic", VersionKind.SKIPPED: "bold red"}


def live_entry_value(read: Callable[[str, str], Any], map_name: str, key: str) -> Any:
    """The live value of `key` in `map_name` read by `read(map, key)`, or `MISSING` when the
    server says it holds no such entry (any other error is raised: the history says why)."""
    try:
        return read(map_name, key)
    except NoSuchEntryError:
        return MISSING


def source_words(source: HistorySource) -> str:
    """`2026-02-14 09:00:00.000` (the snapshot's time, or its odd name) or `live state`."""
    if source.live:
        return f"{LIVE_MARK} live state"
    if source.time is not None:
        return format_moment(source.time)
    return short_name(source.name)


def state_words(row: HistoryRow) -> str:
    """`changed`, `unchanged`, `absent` or `skipped: why`, and for a folded row how long it
    stayed: `changed · unchanged in 7 snapshots`."""
    words = row.state
    if row.count > 1:
        words += f" · unchanged in {row.count} snapshots"
    return words


class HistoryRows:
    """Row source: the versions read so far, and the one marked for a diff (or None)."""

    def __init__(self) -> None:
        self.rows: list[HistoryRow] = []
        self.marked: int | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, step: HistoryStep) -> None:
        """A step of the history: a new row, or the last one covering one more source."""
        if step.folded and self.rows:
            self.rows[-1] = step.row
        else:
            self.rows.append(step.row)

    def toggle_mark(self, row: int) -> None:
        """Mark `row` for a diff, or forget the mark if it is on `row` already; a skipped
        row has no version to mark."""
        if self.rows[row].kind is VersionKind.SKIPPED:
            return
        self.marked = None if self.marked == row else row

    def previous_version(self, row: int) -> int | None:
        """The row before `row` that holds a version (present or absent), if any."""
        for index in range(row - 1, -1, -1):
            if self.rows[index].kind is not VersionKind.SKIPPED:
                return index
        return None

    def diff_pair(self, row: int) -> tuple[HistoryRow, HistoryRow] | None:
        """The two versions to compare from `row`: the marked one (else the version before)
        and `row`'s, older first; None when there is no such pair."""
        if self.rows[row].kind is VersionKind.SKIPPED:
            return None
        other = self.marked if self.marked not in (None, row) else self.previous_version(row)
        if other is None:
            return None
        first, second = sorted((other, row))
        return self.rows[first], self.rows[second]

    def cells(self, row: int) -> list[Text]:
        version = self.rows[row]
        mark = Text(DIFF_MARK, "bold magenta") if row == self.marked else Text(" ")
        style = _KIND_STYLES.get(version.kind, "yellow" if version.changed else "dim")
        first = version.first
        return [
            mark,
            safe_text(source_words(first)),
            safe_text(state_words(version), style),
            safe_text("" if first.live else first.name, "dim"),
        ]


@dataclass(frozen=True)
class VersionLines:
    """A version's JSON as lines, with those that differ from the other version marked."""

    lines: list[str]
    marks: ChangedLines


def _lines(row: HistoryRow) -> list[str]:
    return pretty_json_lines(row.value) if row.kind is VersionKind.PRESENT else []


def version_lines(
    before: HistoryRow | None, after: HistoryRow
) -> tuple[VersionLines, VersionLines]:
    """Both versions' JSON, each with its lines that differ from the other marked (none
    marked when there is nothing before, or either side is absent)."""
    old = _lines(before) if before is not None else []
    new = _lines(after)
    if not old or not new:
        return VersionLines(old, ChangedLines()), VersionLines(new, ChangedLines())
    old_marks, new_marks = changed_lines(old, new)
    return VersionLines(old, old_marks), VersionLines(new, new_marks)


def history_heading(map_name: str, key: str) -> Text:
    """`history ▸ map ▸ key`, the map and key shown as literal text."""
    return Text.assemble(
        ("history ▸ ", "bold"), safe_text(map_name, "bold"), (" ▸ ", "dim"), safe_text(key)
    )

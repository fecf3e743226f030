"""The selected snapshot file in full: name, verdict and reason, checksums, every map's count."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from engine import CatalogEntry, SnapshotRead, format_timestamp
from tui.formatting import format_age, format_size
from tui.safe_text import safe_text
from tui.snapshot_rows import status_text, verdict_text

__all__ = ["SnapshotDetail", "snapshot_detail_text"]

_LABEL = 10
_COUNT_NAME = 22
_COUNT_WIDTH = 7
_COUNT_GAP = 3


def _row(label: str, *parts: Text | str) -> Text:
    line = Text.assemble((label.ljust(_LABEL), "bold dim"), no_wrap=True, end="")
    for part in parts:
        line.append_text(part if isinstance(part, Text) else Text(part))
    return line


def _checksum_rows(verdict: SnapshotRead) -> list[Text]:
    expected, actual = verdict.expected_checksum, verdict.actual_checksum
    if expected is None and actual is None:
        return [_row("checksum", Text("—", "dim"))]
    match = expected is not None and expected == actual
    verdict_mark = Text("  ✓ match", "green") if match else Text("  ✗ differs", "bold red")
    rows = [
        _row("checksum", Text("expected ", "dim"), safe_text(expected or "—")),
        _row("", Text("actual   ", "dim"), safe_text(actual or "not computed")),
    ]
    if actual is not None:
        rows[1].append_text(verdict_mark)
    return rows


def _count_rows(counts: dict[str, int], width: int) -> list[Text]:
    if not counts:
        return [_row("maps", Text("—", "dim"))]
    per_line = max(1, (width - _LABEL + _COUNT_GAP) // (_COUNT_NAME + _COUNT_WIDTH + _COUNT_GAP))
    cells = []
    for name, count in counts.items():
        cell = safe_text(name, "" if count else "dim")
        cell.truncate(_COUNT_NAME, overflow="ellipsis", pad=True)
        cell.append(f"{count:>{_COUNT_WIDTH},}", "" if count else "dim")
        cells.append(cell)
    rows = []
    for start in range(0, len(cells), per_line):
        line = Text(" " * _COUNT_GAP).join(cells[start : start + per_line])
        rows.append(_row("maps" if not start else "", line))
    return rows


def snapshot_detail_text(
    entry: CatalogEntry, verdict: SnapshotRead | None, now: datetime, width: int
) -> Text:
    """Everything known about one file, as lines of safe text `width` cells wide."""
    taken = (
        Text(f"{format_timestamp(entry.taken)} · {format_age(entry.taken, now)}")
        if entry.taken
        else Text("not in the name", "dim italic")
    )
    modified = Text(f"   file modified {format_timestamp(entry.modified)}", "dim")
    lines = [safe_text(entry.name, "bold"), _row("taken", taken, modified)]
    if verdict is None:
        lines.append(_row("status", status_text(None)))
        lines.append(_row("size", format_size(entry.size)))
        return Text("\n").join(lines)
    lines.append(_row("status", verdict_text(verdict)))
    size = f"{format_size(entry.size)} on disk"
    if verdict.json_bytes:
        size += f" · {format_size(verdict.json_bytes)} of JSON"
    if verdict.timestamp is not None:
        size += " · file says "
    size_text = Text(size)
    if verdict.timestamp is not None:
        size_text.append_text(safe_text(verdict.timestamp))
    lines.append(_row("size", size_text))
    lines.extend(_checksum_rows(verdict))
    lines.extend(_count_rows(verdict.counts, width))
    return Text("\n").join(lines)


class SnapshotDetail(Static):
    """Shows `snapshot_detail_text` for one file, or a hint when there is none."""

    def show(self, entry: CatalogEntry | None, verdict: SnapshotRead | None, now: datetime) -> None:
        if entry is None:
            self.update(Text("No snapshot selected.", "dim italic"))
        else:
            self.update(snapshot_detail_text(entry, verdict, now, self.size.width or 80))

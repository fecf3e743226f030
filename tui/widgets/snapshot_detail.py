"""The selected row in full: a snapshot file (name, verdict and reason, checksums, every map's
count), or the attached server's live state (mode, saves, restore, undo, every map's count)."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from engine import CatalogEntry, ServiceStatus, SnapshotRead
from tui.formatting import format_age, format_size, time_mark, time_note
from tui.safe_text import safe_text
from tui.server_words import last_save_words
from tui.snapshot_rows import LIVE_MARK, LiveRow, status_text, time_text, verdict_text

__all__ = ["SnapshotDetail", "live_detail_text", "snapshot_detail_text"]

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
    time = entry.time(verdict)
    taken = time_text(time)
    taken.append(f" · {format_age(time.moment, now)}")
    if (note := time_note(time)) is not None:
        taken.append(f" · {time_mark(time)}{note}", "bold yellow" if time_mark(time) else "dim")
    lines = [safe_text(entry.name, "bold"), _row("taken", taken)]
    if verdict is None:
        lines.append(_row("status", status_text(None)))
        lines.append(_row("size", format_size(entry.size)))
        return Text("\n").join(lines)
    lines.append(_row("status", verdict_text(verdict)))
    size = f"{format_size(entry.size)} on disk"
    if verdict.json_bytes:
        size += f" · {format_size(verdict.json_bytes)} of JSON"
    lines.append(_row("size", size))
    lines.extend(_checksum_rows(verdict))
    lines.extend(_count_rows(verdict.counts, width))
    return Text("\n").join(lines)


def _saves_row(status: ServiceStatus, now: datetime) -> Text:
    if not status.enabled:
        return _row("saves", safe_text(last_save_words(status, now), "dim"))
    line = Text(
        f"every {status.interval_s:g} s, keeps {status.max_snapshots} files · ", no_wrap=True
    )
    save = status.last_save
    words = safe_text(last_save_words(status, now))
    if save is not None and not save.ok:
        words.stylize("bold red")
    line.append_text(words)
    if save is not None and save.ok and save.path is not None:
        line.append(" · ", "dim")
        line.append_text(safe_text(save.path.name, "dim"))
    return _row("saves", line)


def live_detail_text(
    live: LiveRow, status: ServiceStatus | None, now: datetime, width: int
) -> Text:
    """Everything the attached server says about itself, as lines of safe text."""
    title = Text.assemble((f"{LIVE_MARK} ", "bold green"), ("live state", "bold"))
    title.append(" of the attached server · enter: browse it · s: snapshot it now", "dim")
    server = Text(f"pid {live.pid} · ")
    server.append_text(safe_text(live.mode, "bold"))
    lines = [title, _row("server", server)]
    if status is None:
        lines.append(_row("status", Text("reading…", "dim italic")))
        return Text("\n").join(lines)
    lines.append(_saves_row(status, now))
    restored = (
        safe_text(status.restored_from)
        if status.restored_from
        else Text("nothing (started empty)", "dim")
    )
    lines.append(_row("restored", restored))
    for skipped in status.skipped:
        lines.append(
            _row("skipped", safe_text(f"{skipped.name}: {skipped.status}: {skipped.reason}"))
        )
    undo = (
        Text("u undoes the last roll-back")
        if status.can_undo
        else Text("no roll-back to undo", "dim")
    )
    lines.append(_row("undo", undo))
    lines.extend(_count_rows(status.counts, width))
    return Text("\n").join(lines)


class SnapshotDetail(Static):
    """Shows `snapshot_detail_text` for one file, `live_detail_text` for the live state, or a
    hint when nothing is selected."""

    def show(self, entry: CatalogEntry | None, verdict: SnapshotRead | None, now: datetime) -> None:
        if entry is None:
            self.update(Text("No snapshot selected.", "dim italic"))
        else:
            self.update(snapshot_detail_text(entry, verdict, now, self.size.width or 80))

    def show_live(self, live: LiveRow, status: ServiceStatus | None, now: datetime) -> None:
        self.update(live_detail_text(live, status, now, self.size.width or 80))

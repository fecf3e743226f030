"""The selected row in a few lines: a snapshot file (name, size, time, verdict and reason,
checksum, what its maps hold), or the attached server's live state (mode, saves, restore,
undo, what its maps hold). Long values wrap under themselves, beside their label."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from io import StringIO

from rich.console import Console
from rich.text import Text
from statesnap.engine import CatalogEntry, PinInfo, ServiceStatus, SnapshotRead
from statesnap.tui.rows.snapshots import (
    LIVE_MARK,
    PIN_MARK,
    PIN_STYLE,
    STATUS_STYLES,
    LiveRow,
    pin_time,
    status_text,
    time_text,
    verdict_text,
)
from statesnap.tui.text.formatting import (
    format_age,
    format_moment,
    format_size,
    time_mark,
    time_note,
)
from statesnap.tui.text.safe_text import safe_text
from statesnap.tui.text.server_words import FALLBACK, last_save_words, mode_words
from textual.widgets import Static

__all__ = ["SnapshotDetail", "live_detail_text", "pin_detail_text", "snapshot_detail_text"]

_LABEL = 10
_WRAPPING = Console(file=StringIO(), width=80)
"""Lends its settings to `Text.wrap` (the width given overrides its own)."""


def _row(label: str, value: Text, width: int) -> Text:
    """`label`, then `value` wrapped to the rest of `width`, its further lines under it."""
    lines = value.wrap(_WRAPPING, max(width - _LABEL, 16), no_wrap=False)
    row = Text(no_wrap=True, end="")
    for index, line in enumerate(lines):
        if index:
            row.append("\n")
        row.append((label if not index else "").ljust(_LABEL), "bold dim")
        row.append_text(line)
    return row


def _checksum_value(verdict: SnapshotRead) -> Text:
    expected, actual = verdict.expected_checksum, verdict.actual_checksum
    if expected is None and actual is None:
        return Text("—", "dim")
    if expected is not None and expected == actual:
        return Text.assemble(safe_text(expected), ("  ✓ matches", "green"))
    value = Text.assemble(("expected ", "dim"), safe_text(expected or "—"), "\n")
    value.append_text(Text.assemble(("actual   ", "dim"), safe_text(actual or "not computed")))
    if actual is not None:
        value.append("  ✗ differs", "bold red")
    return value


def _counts_value(counts: dict[str, int], width: int) -> Text:
    """`sessions 2 · events 12 · … · 13 empty`: the maps that hold entries, as many to a line
    as fit in `width`, then how many are empty."""
    items = [
        Text.assemble(safe_text(name, "dim"), f" {count:,}")
        for name, count in counts.items()
        if count
    ]
    if empty := sum(not count for count in counts.values()):
        items.append(Text(f"{empty} empty", "dim"))
    if not items:
        return Text("—", "dim")
    lines = [Text()]
    for item in items:
        if lines[-1] and lines[-1].cell_len + 3 + item.cell_len > width:
            lines.append(Text())
        if lines[-1]:
            lines[-1].append(" · ", "dim")
        lines[-1].append_text(item)
    return Text("\n").join(lines)


def snapshot_detail_text(
    entry: CatalogEntry, verdict: SnapshotRead | None, now: datetime, width: int
) -> Text:
    """What is known about one file, as lines of safe text `width` cells wide."""
    size = f" · {format_size(entry.size)}"
    if verdict is not None and verdict.json_bytes:
        size += f" ({format_size(verdict.json_bytes)} of JSON)"
    title = Text.assemble(safe_text(entry.name, "bold"), (size, "dim"))
    time = entry.time(verdict)
    taken = time_text(time)
    taken.append(f" · {format_age(time.moment, now)}")
    if (note := time_note(time)) is not None:
        taken.append(f" · {time_mark(time)}{note}", "bold yellow" if time_mark(time) else "dim")
    lines = [*title.wrap(_WRAPPING, width, no_wrap=False), _row("taken", taken, width)]
    if verdict is None:
        lines.append(_row("status", status_text(None), width))
        return Text("\n").join(lines)
    lines.append(_row("status", verdict_text(verdict), width))
    lines.append(_row("checksum", _checksum_value(verdict), width))
    lines.append(_row("maps", _counts_value(verdict.counts, width - _LABEL), width))
    return Text("\n").join(lines)


def pin_detail_text(info: PinInfo, now: datetime, width: int) -> Text:
    """What is known about one pin, as lines of safe text `width` cells wide."""
    title = Text.assemble((f"{PIN_MARK} pin ", PIN_STYLE), safe_text(info.name, "bold"))
    title.append(f" · {format_size(info.size)} · kept out of rotation", "dim")
    time = pin_time(info)
    taken = time_text(time)
    taken.append(f" · {format_age(time.moment, now)}")
    status = safe_text(f"{info.status.value}: {info.reason}", STATUS_STYLES[info.status])
    pinned = Text(f"{format_moment(info.pinned_at)} · {format_age(info.pinned_at, now)}")
    lines = [
        *title.wrap(_WRAPPING, width, no_wrap=False),
        _row("copy of", safe_text(info.source), width),
        _row("taken", taken, width),
        _row("pinned", pinned, width),
        _row("status", status, width),
    ]
    return Text("\n").join(lines)


def _saves_value(status: ServiceStatus, now: datetime) -> Text:
    if not status.enabled:
        return safe_text(last_save_words(status, now), "dim")
    line = Text(f"every {status.interval_s:g} s, keeps {status.max_snapshots} files · ")
    save = status.last_save
    words = safe_text(last_save_words(status, now))
    if save is not None and not save.ok:
        words.stylize("bold red")
    line.append_text(words)
    if save is not None and save.ok and save.path is not None:
        line.append(" · ", "dim")
        line.append_text(safe_text(save.path.name, "dim"))
    return line


def live_detail_text(
    live: LiveRow, status: ServiceStatus | None, now: datetime, width: int
) -> Text:
    """What the attached server says about itself, as lines of safe text."""
    title = Text.assemble((f"{LIVE_MARK} ", "bold green"), ("live state", "bold"))
    title.append(" of the attached server · enter: browse it", "dim")
    if status is not None and status.enabled:
        title.append(" · s: snapshot it now", "dim")
    server = Text(f"pid {live.pid} · ")
    style = "bold yellow" if live.mode == FALLBACK else "bold"
    server.append_text(safe_text(mode_words(live.mode), style))
    lines = [title, _row("server", server, width)]
    if status is None:
        lines.append(_row("status", Text("reading…", "dim italic"), width))
        return Text("\n").join(lines)
    lines.append(_row("saves", _saves_value(status, now), width))
    restored = (
        safe_text(status.restored_from)
        if status.restored_from
        else Text("nothing (started empty)", "dim")
    )
    lines.append(_row("restored", restored, width))
    for skipped in status.skipped:
        text = safe_text(f"{skipped.name}: {skipped.status}: {skipped.reason}")
        lines.append(_row("skipped", text, width))
    undo = (
        Text("u undoes the last roll-back")
        if status.can_undo
        else Text("no roll-back to undo", "dim")
    )
    lines.append(_row("undo", undo, width))
    lines.append(_row("maps", _counts_value(status.counts, width - _LABEL), width))
    return Text("\n").join(lines)


@dataclass(frozen=True)
class _FileShown:
    entry: CatalogEntry
    verdict: SnapshotRead | None
    now: datetime


@dataclass(frozen=True)
class _PinShown:
    info: PinInfo
    now: datetime


@dataclass(frozen=True)
class _LiveShown:
    live: LiveRow
    status: ServiceStatus | None
    now: datetime


class SnapshotDetail(Static):
    """Shows `snapshot_detail_text` for one file, `live_detail_text` for the live state, or a
    hint when nothing is selected; drawn again for a new width."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("No snapshot selected.", "dim italic"), id=id)
        self._shown: _FileShown | _PinShown | _LiveShown | None = None
        self._width = 0
        """The width last drawn for."""

    def show(self, entry: CatalogEntry | None, verdict: SnapshotRead | None, now: datetime) -> None:
        self._shown = _FileShown(entry, verdict, now) if entry is not None else None
        self._draw()

    def show_pin(self, info: PinInfo, now: datetime) -> None:
        self._shown = _PinShown(info, now)
        self._draw()

    def show_live(self, live: LiveRow, status: ServiceStatus | None, now: datetime) -> None:
        self._shown = _LiveShown(live, status, now)
        self._draw()

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self._draw()

    def _draw(self) -> None:
        shown = self._shown
        width = self._width = self.size.width or 80
        if isinstance(shown, _FileShown):
            self.update(snapshot_detail_text(shown.entry, shown.verdict, shown.now, width))
        elif isinstance(shown, _PinShown):
            self.update(pin_detail_text(shown.info, shown.now, width))
        elif isinstance(shown, _LiveShown):
            self.update(live_detail_text(shown.live, shown.status, shown.now, width))
        else:
            self.update(Text("No snapshot selected.", "dim italic"))

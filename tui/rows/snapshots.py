"""The snapshot files as table rows: when taken, age, size, verdict and what each map holds;
above them, while a server is attached, its live state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.text import Text
from statesnap.engine import (
    PINS_DIR,
    CatalogEntry,
    PinInfo,
    SnapshotRead,
    SnapshotStatus,
    SnapshotTime,
    TimeSource,
    newest_first,
    snapshot_time,
    timestamp_from_name,
)
from statesnap.tui.rows.columns import Column
from statesnap.tui.text.formatting import format_age, format_moment, format_size, time_mark
from statesnap.tui.text.safe_text import safe_text

__all__ = [
    "LIVE_MARK",
    "PIN_MARK",
    "PIN_STYLE",
    "SNAPSHOT_COLUMNS",
    "STATUS_STYLES",
    "LiveRow",
    "SnapshotRows",
    "counts_summary",
    "name_stem",
    "pin_cells",
    "pin_entry",
    "pin_time",
    "pinned_name",
    "short_name",
    "snapshot_title",
    "status_text",
    "time_text",
    "verdict_text",
    "verdict_words",
]

SNAPSHOT_COLUMNS = (
    Column(" ", 1),
    Column("taken (UTC)", 24),
    Column("age", 8, "right"),
    Column("size", 9, "right", optional=True),
    Column("status", 19),
    Column("name · maps", 0),
)
"""In 80 columns the size goes (the detail says it), the rest stays."""

STATUS_STYLES = {
    SnapshotStatus.VALID: "green",
    SnapshotStatus.CHECKSUM_MISMATCH: "bold yellow",
    SnapshotStatus.CORRUPT: "bold red",
    SnapshotStatus.UNSUPPORTED_VERSION: "bold magenta",
    SnapshotStatus.TOO_LARGE: "bold yellow",
}
SECONDS_SHOWN = timedelta(minutes=1)
"""Ages under this are shown in seconds (`58s ago`)."""
DIFF_MARK = "◆"
LIVE_MARK = "●"
PIN_MARK = "▲"
PIN_STYLE = "bold magenta"


def status_text(verdict: SnapshotRead | None) -> Text:
    """`valid`, `checksum_mismatch`, … (the words `list --json` prints) in its colour;
    `verifying…` while unknown."""
    if verdict is None:
        return Text("verifying…", style="dim italic")
    return Text(verdict.status.value, style=STATUS_STYLES[verdict.status])


def verdict_words(verdict: SnapshotRead) -> str:
    """The verdict and its reason in one phrase (`SnapshotRead.summary`):
    `checksum_mismatch: file says …`, `corrupt: truncated gzip data`."""
    return verdict.summary


def verdict_text(verdict: SnapshotRead) -> Text:
    """`verdict_words`, safe, in the status colour."""
    return safe_text(verdict_words(verdict), STATUS_STYLES[verdict.status])


def short_name(name: str) -> str:
    """The time a canonical name encodes (`2026-02-14 09:00:00.000`), else the whole name."""
    named = timestamp_from_name(name)
    return name if named is None else format_moment(named)


def pin_entry(info: PinInfo) -> CatalogEntry:
    """A pin as a file to browse or diff: named by where its copy is in the directory
    (`.statesnap-pins/NAME/snapshot-….json.gz`), which no listed file's name can be."""
    pinned_at = int(info.pinned_at.timestamp() * 1e9)
    return CatalogEntry(f"{PINS_DIR}/{info.name}/{info.source}", info.size, pinned_at)


def pinned_name(name: str) -> str | None:
    """The pin a `pin_entry` name is of; None for a listed file's."""
    parts = name.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == PINS_DIR else None


def pin_time(info: PinInfo) -> SnapshotTime:
    """When the pinned snapshot was taken (the file's rule: `snapshot_time` of its source)."""
    return snapshot_time(info.source, info.timestamp, info.pinned_at)


def snapshot_title(entry: CatalogEntry) -> Text:
    """`short_name`, as safe text (italic when it is a whole, odd file name); `pin NAME` for a
    pin."""
    if (pin := pinned_name(entry.name)) is not None:
        return Text.assemble(("pin ", PIN_STYLE), safe_text(pin, "bold"))
    odd = timestamp_from_name(entry.name) is None
    return safe_text(short_name(entry.name), "italic" if odd else "")


def name_stem(name: str) -> str:
    """A listed name without the `snapshot-` and `.json.gz` every listed name has."""
    return name.removeprefix("snapshot-").removesuffix(".json.gz")


def time_text(time: SnapshotTime) -> Text:
    """The time shown for a snapshot (`format_moment`, marked where its name says another),
    italic when it is only the file's modification time."""
    style = "italic" if time.source is TimeSource.MODIFIED else ""
    return Text(format_moment(time.moment) + time_mark(time), style)


def counts_summary(counts: dict[str, int]) -> Text:
    """`sessions 2 · events 2 · …` for the maps that hold something."""
    text = Text(no_wrap=True, end="")
    for name, count in counts.items():
        if not count:
            continue
        if text:
            text.append(" · ", "dim")
        text.append_text(safe_text(name, "dim"))
        text.append(f" {count:,}")
    return text or Text("empty", "dim")


@dataclass(frozen=True)
class LiveRow:
    """The attached server's live state, as the first row: its pid, storage mode and
    per-map counts (None until the server has told them)."""

    pid: int
    mode: str
    counts: dict[str, int] | None = None

    def cells(self) -> list[Text]:
        counts = Text("reading…", "dim italic") if self.counts is None else None
        return [
            Text(LIVE_MARK, "bold green"),
            Text.assemble(("live state", "bold"), f" · pid {self.pid}"),
            Text("now", "dim"),
            Text(""),
            Text.assemble(("live", "bold green"), " · ", safe_text(self.mode)),
            counts or counts_summary(self.counts or {}),
        ]


def pin_cells(info: PinInfo, marked: bool, now: datetime) -> list[Text]:
    """A pin's row: marked `▲` (or for a diff), its snapshot's time, its status, its name."""
    time = pin_time(info)
    return [
        Text(DIFF_MARK, "bold cyan") if marked else Text(PIN_MARK, PIN_STYLE),
        time_text(time),
        Text(format_age(time.moment, now), "dim"),
        Text(format_size(info.size)),
        Text(info.status.value, STATUS_STYLES[info.status]),
        Text.assemble(
            ("pin ", PIN_STYLE),
            safe_text(info.name, "bold"),
            ("  of ", "dim"),
            safe_text(name_stem(info.source), "dim"),
        ),
    ]


class SnapshotRows:
    """Row source for the snapshots table (see `VirtualTable`): the live state first, if a
    server is attached, then the pins by name, then the files, newest first by the time they
    show (a file's place can change once it is verified: the time stored in it may not be
    its name's)."""

    def __init__(
        self,
        entries: Sequence[CatalogEntry],
        verdict: Callable[[CatalogEntry], SnapshotRead | None],
        now: datetime,
        marked: str | None,
        live: LiveRow | None = None,
        *,
        pins: Sequence[PinInfo] = (),
    ) -> None:
        self.entries = sorted(
            entries,
            key=lambda entry: newest_first(entry.name, entry.time(verdict(entry))),
            reverse=True,
        )
        self._verdict = verdict
        self.now = now
        """When the ages are counted from (move it on, then redraw the rows)."""
        self._marked = marked
        self.live = live
        self.pins = tuple(pins)
        self.first_pin = 1 if live is not None else 0
        self.first_file = self.first_pin + len(self.pins)
        """The row of the newest file."""

    def __len__(self) -> int:
        return len(self.entries) + self.first_file

    def is_live(self, row: int) -> bool:
        return self.live is not None and row == 0

    def pin_at(self, row: int) -> PinInfo | None:
        index = row - self.first_pin
        return self.pins[index] if 0 <= index < len(self.pins) else None

    def row_of(self, name: str) -> int | None:
        """The row of the file (or `pin_entry`) named `name`."""
        for index, info in enumerate(self.pins):
            if pin_entry(info).name == name:
                return index + self.first_pin
        for index, entry in enumerate(self.entries):
            if entry.name == name:
                return index + self.first_file
        return None

    def young_rows(self) -> range:
        """The rows of the files less than a minute old (or in the future), whose ages change
        every second: the first ones, newest first as they are."""
        young = 0
        for entry in self.entries:
            if self.now - entry.time(self._verdict(entry)).moment >= SECONDS_SHOWN:
                break
            young += 1
        return range(self.first_file, self.first_file + young)

    def cells(self, row: int) -> list[Text]:
        if self.live is not None and row == 0:
            return self.live.cells()
        if (info := self.pin_at(row)) is not None:
            return pin_cells(info, pin_entry(info).name == self._marked, self.now)
        entry = self.entries[row - self.first_file]
        verdict = self._verdict(entry)
        time = entry.time(verdict)
        contents = counts_summary(verdict.counts) if verdict and verdict.counts else Text("")
        if time.named is None or time.name_disagrees:  # the time shown is not the name's
            contents = Text.assemble(safe_text(name_stem(entry.name), "italic"), "  ", contents)
        return [
            Text(DIFF_MARK, "bold cyan") if entry.name == self._marked else Text(""),
            time_text(time),
            Text(format_age(time.moment, self.now), "dim"),
            Text(format_size(entry.size)),
            status_text(verdict),
            contents,
        ]

"""The history of one entry (a map name and a key) across every snapshot of a directory.

Oldest to newest, then optionally the attached server's live value (supplied by the caller as
a function, so this module knows nothing of the control channel). Consecutive identical
versions fold into one row; a file without the entry gives an `absent` row; a file that is
not valid gives a `skipped` row with the verdict's reason. Rows stream as files are read, and
`diff_versions` says which of the entry's fields changed between any two rows, by the same
comparison the snapshot diff uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

from statesnap.engine.catalog.content_verdicts import judge_and_record
from statesnap.engine.catalog.verdict_store import VerdictStore
from statesnap.engine.format.diff import EntryChange, MapDiff, diff_map
from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.format.map_entries import map_entries
from statesnap.engine.format.process_tuning import collector_paused
from statesnap.engine.format.snapshot_reading import DEFAULT_MAX_BYTES
from statesnap.engine.format.snapshot_time import snapshot_time
from statesnap.engine.travel.reading import ListedFile, listed_files, read_in_order

__all__ = [
    "LIVE_SOURCE",
    "MISSING",
    "EntryHistory",
    "HistoryRow",
    "HistorySource",
    "HistoryStep",
    "Missing",
    "VersionDiff",
    "VersionKind",
    "diff_versions",
    "entry_history",
]

LIVE_SOURCE = "live"
"""The name of the live state's row source."""


class Missing(Enum):
    """What a live-value function returns when the live state has no such entry."""

    ENTRY = "absent"


MISSING = Missing.ENTRY


class VersionKind(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class HistorySource:
    """Where a version was seen: a snapshot file (with its time by the listing's rule) or the
    live state (`live`, no time)."""

    name: str
    time: datetime | None = None
    live: bool = False


@dataclass(frozen=True)
class HistoryRow:
    """One version of the entry, seen in `count` consecutive sources from `first` to `last`.

    `text` is the value's JSON (present rows only); `reason` why a skipped source could not be
    read; `changed` whether this version differs from the version before it (skipped rows
    aside; the first version counts as changed)."""

    kind: VersionKind
    first: HistorySource
    last: HistorySource
    count: int = 1
    value: Any = None
    text: bytes | None = None
    reason: str = ""
    changed: bool = True

    @property
    def state(self) -> str:
        """`changed`, `unchanged`, `absent` or `skipped` in words for one line of output."""
        if self.kind is VersionKind.SKIPPED:
            return f"skipped: {self.reason}"
        if self.kind is VersionKind.ABSENT:
            return "absent"
        return "changed" if self.changed else "unchanged"

    def same_version(self, other: HistoryRow) -> bool:
        return (
            self.kind is not VersionKind.SKIPPED
            and self.kind is other.kind
            and self.text == other.text
        )


@dataclass(frozen=True)
class HistoryStep:
    """Progress: `done` of `total` sources read; `row` is new, or with `folded` the last row
    given again, now covering one more source."""

    done: int
    total: int
    row: HistoryRow
    folded: bool


@dataclass(frozen=True)
class VersionDiff:
    """Between two versions: the entry's own change (added, removed, changed; None if the
    same), and its fields compared as the diff compares a map's entries."""

    change: EntryChange | None
    fields: MapDiff


def _version(
    source: HistorySource, value: Any, kind: VersionKind = VersionKind.PRESENT
) -> HistoryRow:
    if kind is not VersionKind.PRESENT:
        return HistoryRow(kind, source, source)
    return HistoryRow(kind, source, source, value=value, text=js_dumps(value))


def _skipped(source: HistorySource, reason: str) -> HistoryRow:
    return HistoryRow(VersionKind.SKIPPED, source, source, reason=reason, changed=False)


@dataclass(frozen=True)
class _EntryQuery:
    """Which entry to find in each file."""

    map_name: str
    key: str
    max_bytes: int
    verdicts: VerdictStore | None

    def read(self, listed: ListedFile) -> HistoryRow:
        """The entry's version in the file; with the process tuned for large snapshots, the
        collector stays off until the file's parsed document is freed."""
        with collector_paused():
            return self._read(listed)

    def _read(self, listed: ListedFile) -> HistoryRow:
        found = judge_and_record(
            listed.path, max_bytes=self.max_bytes, keep_data=True, store=self.verdicts
        )
        source = HistorySource(
            listed.name, snapshot_time(listed.name, found.timestamp, listed.modified).moment
        )
        if not found.is_valid:
            return _skipped(source, found.summary)
        data = found.data_object
        if data is None:
            return _skipped(source, found.unreadable_reason or "no data")
        entries = map_entries(data.get(self.map_name))
        if self.key not in entries:
            return _version(source, None, VersionKind.ABSENT)
        return _version(source, entries[self.key])


class EntryHistory:
    """The history of `key` in map `map_name`: iterate for `HistoryStep`s (the files are listed
    when this is made, so `total` is known at once), or call `rows()` for the folded rows.

    `live`, if given, is called once after the last file: it returns the live value, or
    `MISSING`; an exception it raises makes a skipped row that gives its message. A file whose
    exact bytes were judged before (the verdict store) is parsed without the JavaScript proof,
    and a file judged here is recorded there."""

    def __init__(
        self,
        directory: Path,
        map_name: str,
        key: str,
        *,
        live: Callable[[], Any] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.directory = Path(directory)
        self.query = _EntryQuery(map_name, key, max_bytes, VerdictStore())
        self.live = live
        self.files = listed_files(self.directory, oldest_first=True)

    @property
    def total(self) -> int:
        """How many sources the history reads: every file, and the live state if given."""
        return len(self.files) + (self.live is not None)

    def _read_live(self, live: Callable[[], Any]) -> HistoryRow:
        source = HistorySource(LIVE_SOURCE, live=True)
        try:
            value = live()
        except Exception as exc:
            return _skipped(source, f"live state unavailable: {exc}")
        if value is MISSING:
            return _version(source, None, VersionKind.ABSENT)
        return _version(source, value)

    def _versions(self) -> Iterator[HistoryRow]:
        yield from read_in_order(self.files, self.query.read)
        if self.live is not None:
            yield self._read_live(self.live)

    def __iter__(self) -> Iterator[HistoryStep]:
        shown: HistoryRow | None = None
        known: HistoryRow | None = None
        for done, version in enumerate(self._versions(), start=1):
            if shown is not None and shown.same_version(version):
                shown = replace(shown, last=version.last, count=shown.count + 1)
                yield HistoryStep(done, self.total, shown, folded=True)
                continue
            shown = version
            if version.kind is not VersionKind.SKIPPED:
                changed = known is None or not known.same_version(version)
                shown = known = replace(version, changed=changed)
            yield HistoryStep(done, self.total, shown, folded=False)

    def rows(self) -> list[HistoryRow]:
        """Every row, folded, oldest first."""
        rows: list[HistoryRow] = []
        for step in self:
            if step.folded:
                rows[-1] = step.row
            else:
                rows.append(step.row)
        return rows


def entry_history(
    directory: Path,
    map_name: str,
    key: str,
    *,
    live: Callable[[], Any] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[HistoryRow]:
    """The folded rows of the entry's history, oldest first (see `EntryHistory`)."""
    return EntryHistory(directory, map_name, key, live=live, max_bytes=max_bytes).rows()


def _as_map(key: str, row: HistoryRow) -> dict[str, Any]:
    return {key: row.value} if row.kind is VersionKind.PRESENT else {}


def diff_versions(key: str, before: HistoryRow, after: HistoryRow) -> VersionDiff:
    """What changed in entry `key` from `before` to `after`; ValueError for a skipped row."""
    if VersionKind.SKIPPED in (before.kind, after.kind):
        raise ValueError("a skipped source has no version to compare")
    entry = diff_map(key, _as_map(key, before), _as_map(key, after))
    fields = diff_map(key, before.value, after.value)
    return VersionDiff(entry.changes[0] if entry.changes else None, fields)

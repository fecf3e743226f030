"""Search across snapshots: which files hold entries whose key or JSON text matches a pattern.

Plain text, case-insensitive by default (or case-sensitive), or a regular expression; over
every map or one. An entry's text is its JSON as `JSON.stringify` prints it, so a plain
pattern is looked for as JSON writes it (a `"` in it matches `\\"` in the text). Files stream
newest first, as the snapshots view lists them, each with its matches per map; a file whose
text cannot hold a plain pattern is passed over after a cheap scan of its decompressed bytes.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from statesnap.engine.format.jsjson import js_dumps
from statesnap.engine.format.map_entries import map_entries
from statesnap.engine.format.snapshot import (
    DEFAULT_MAX_BYTES,
    SnapshotRead,
    SnapshotStatus,
    read_snapshot,
    read_snapshot_bytes,
)
from statesnap.engine.format.snapshot_time import snapshot_time
from statesnap.engine.travel.reading import ListedFile, listed_files, read_in_order, read_raw

__all__ = [
    "FileMatches",
    "SearchError",
    "SearchMatch",
    "SearchResult",
    "SearchStep",
    "SnapshotSearch",
    "search_snapshots",
]

_SYNTHETIC_KEY_CHARS = frozenset("#~0123456789")
"""What the keys `map_entries` makes up for array items (`#3`, `#3~2`) are made of: a plain
pattern of only these may match a key that is nowhere in the file's text."""


class SearchError(ValueError):
    """The pattern cannot be searched for (empty, or a regular expression that does not compile)."""


@dataclass(frozen=True)
class SearchMatch:
    """One matching entry: which file, which map, which key."""

    file: str
    map: str
    key: str


@dataclass(frozen=True)
class FileMatches:
    """What one file holds: its matches in map and key order, counted per map.

    `status` is the file's verdict when it was read in full (None: passed over by the cheap
    scan, so it holds no match); `skipped` says why a file with no data to search was left
    out. A file that is not valid but whose data reads is searched, its status saying so."""

    file: str
    time: datetime
    status: SnapshotStatus | None
    matches: tuple[SearchMatch, ...] = ()
    skipped: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.matches)


@dataclass(frozen=True)
class SearchStep:
    """Progress: `done` of `total` files read; `file` the one just read."""

    done: int
    total: int
    file: FileMatches


@dataclass(frozen=True)
class SearchResult:
    """Every file searched, newest first, and all their matches in that order."""

    files: tuple[FileMatches, ...]

    @property
    def matches(self) -> tuple[SearchMatch, ...]:
        return tuple(match for found in self.files for match in found.matches)

    @property
    def counts(self) -> dict[str, int]:
        """Matches per map over every file."""
        counts: dict[str, int] = {}
        for found in self.files:
            for name, count in found.counts.items():
                counts[name] = counts.get(name, 0) + count
        return counts

    def step(self, index: int, direction: int) -> int:
        """The index of the next (`direction` 1) or previous (-1) match from `index`, going
        round at either end; ValueError when there is none."""
        if not self.matches:
            raise ValueError("no matches")
        return (index + direction) % len(self.matches)


def _compile(
    pattern: str, *, regex: bool, case_sensitive: bool
) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The pattern for keys and the pattern for JSON text."""
    if not pattern:
        raise SearchError("empty pattern")
    flags = 0 if case_sensitive else re.IGNORECASE
    if regex:
        try:
            compiled = re.compile(pattern, flags)
        except re.error as exc:
            raise SearchError(f"not a valid regular expression: {exc}") from None
        return compiled, compiled
    as_json = js_dumps(pattern)[1:-1].decode("utf-8", "surrogatepass")
    return re.compile(re.escape(pattern), flags), re.compile(re.escape(as_json), flags)


def _decompressed(raw: bytes, max_bytes: int) -> str | None:
    """The text of a one-member gzip file, if it decompresses within the bound, is UTF-8 and
    writes no character in a form JSON allows but `JSON.stringify` never prints (`\\u0041`,
    `\\/`): then a plain pattern absent from it is absent from every entry. Else None."""
    decoder = zlib.decompressobj(31)
    try:
        text = decoder.decompress(raw, max_bytes + 1)
    except zlib.error:
        return None
    if not decoder.eof or decoder.unused_data or len(text) > max_bytes:
        return None
    if b"\\u" in text or b"\\/" in text:
        return None
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        return None


class SnapshotSearch:
    """A search over a directory's snapshots: iterate for `SearchStep`s (`total` is known at
    once), or call `result()`. Raises SearchError at once for a pattern it cannot use."""

    def __init__(
        self,
        directory: Path,
        pattern: str,
        *,
        map_name: str | None = None,
        regex: bool = False,
        case_sensitive: bool = False,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.keys, self.text = _compile(pattern, regex=regex, case_sensitive=case_sensitive)
        self.map_name = map_name
        self.max_bytes = max_bytes
        self.scan_first = not regex and not set(pattern) <= _SYNTHETIC_KEY_CHARS
        self.files = listed_files(Path(directory), oldest_first=False)

    @property
    def total(self) -> int:
        return len(self.files)

    def _judge(self, listed: ListedFile) -> SnapshotRead | None:
        """The file's verdict with its data; None if the cheap scan rules out any match."""
        raw = read_raw(listed.path, self.max_bytes)
        if raw is None:
            return read_snapshot(listed.path, max_bytes=self.max_bytes)
        if self.scan_first:
            text = _decompressed(raw, self.max_bytes)
            if text is not None and self.text.search(text) is None:
                return None
        return read_snapshot_bytes(raw, listed.path, max_bytes=self.max_bytes)

    def _matches(self, name: str, data: dict[str, Any]) -> list[SearchMatch]:
        maps = [self.map_name] if self.map_name is not None else list(data)
        found = []
        for map_name in maps:
            for key, value in map_entries(data.get(map_name)).items():
                text = js_dumps(value).decode("utf-8", "surrogatepass")
                if self.keys.search(key) or self.text.search(text):
                    found.append(SearchMatch(name, map_name, key))
        return found

    def _read(self, listed: ListedFile) -> FileMatches:
        found = self._judge(listed)
        stored = found.timestamp if found is not None else None
        time = snapshot_time(listed.name, stored, listed.modified).moment
        if found is None:
            return FileMatches(listed.name, time, None)
        data = found.data_object
        if data is None:
            return FileMatches(
                listed.name, time, found.status, skipped=found.unreadable_reason or ""
            )
        matches = self._matches(listed.name, data)
        counts: dict[str, int] = {}
        for match in matches:
            counts[match.map] = counts.get(match.map, 0) + 1
        return FileMatches(listed.name, time, found.status, tuple(matches), counts=counts)

    def __iter__(self) -> Iterator[SearchStep]:
        for done, found in enumerate(read_in_order(self.files, self._read), start=1):
            yield SearchStep(done, self.total, found)

    def result(self) -> SearchResult:
        return SearchResult(tuple(step.file for step in self))


def search_snapshots(
    directory: Path,
    pattern: str,
    *,
    map_name: str | None = None,
    regex: bool = False,
    case_sensitive: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> SearchResult:
    """Search every snapshot of the directory (see `SnapshotSearch`)."""
    return SnapshotSearch(
        directory,
        pattern,
        map_name=map_name,
        regex=regex,
        case_sensitive=case_sensitive,
        max_bytes=max_bytes,
    ).result()

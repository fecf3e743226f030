"""Search across snapshots: which files hold entries whose key or JSON text matches a pattern.

Plain text, case-insensitive by default (or case-sensitive), or a regular expression; over
every map or one. An entry's text is its JSON as `JSON.stringify` prints it, so a plain
pattern is looked for as JSON writes it (a `"` in it matches `\\"` in the text). Files stream
newest first, as the snapshots view lists them, each with its matches per map; a file whose
text cannot hold a plain pattern is passed over after a cheap scan of its decompressed bytes,
and a map's matches are found in its text as a whole where that gives the same answer
(`map_text`, `patterns`).
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from statesnap.engine.catalog.content_verdicts import judge_bytes_and_record
from statesnap.engine.catalog.verdict_store import VerdictStore
from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.format.map_entries import map_entries
from statesnap.engine.format.process_tuning import collector_paused
from statesnap.engine.format.snapshot_reading import (
    DEFAULT_MAX_BYTES,
    SnapshotRead,
    SnapshotStatus,
    read_snapshot,
)
from statesnap.engine.format.snapshot_time import snapshot_time
from statesnap.engine.travel.map_text import entries_holding, printed_map
from statesnap.engine.travel.patterns import Finder, SearchError, make_finder
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


_NOT_AS_JAVASCRIPT_WRITES = re.compile(rb"\\[u/]")


def _decompressed(raw: bytes, max_bytes: int, *, utf8: bool) -> bytes | None:
    """The text of a one-member gzip file, if it decompresses within the bound, writes no
    character in a form JSON allows but `JSON.stringify` never prints (`\\u0041`, `\\/`)
    and, with `utf8`, is UTF-8 (a plain ASCII pattern is in text read as Node reads it, where
    bytes that are not UTF-8 become U+FFFD, only where it is in the bytes). Else None."""
    decoder = zlib.decompressobj(31)
    try:
        text = decoder.decompress(raw, max_bytes + 1)
    except zlib.error:
        return None
    if not decoder.eof or decoder.unused_data or len(text) > max_bytes:
        return None
    if _NOT_AS_JAVASCRIPT_WRITES.search(text):
        return None
    if utf8 and not text.isascii():
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return text


@dataclass(frozen=True)
class _Query:
    """What each file is searched for, and how."""

    finder: Finder
    map_name: str | None
    max_bytes: int
    made_up_keys: bool
    """Whether the pattern may be in a key made up for an array item (`#3`, `#3~2`), which is
    in no text (every other key of an array's item is in its text: its id, or the item)."""
    verdicts: VerdictStore | None
    seen: dict[bytes, list[str]] = field(default_factory=dict)
    """The matching keys of each map printed so far (`printed_map`), by its text's SHA-256."""

    @property
    def scan_first(self) -> bool:
        """Whether a file whose text (see `_decompressed`) does not hold the pattern is passed
        over unjudged: a plain `token_bound` pattern that may not be in a number (whose text a
        file may write otherwise than JavaScript) nor in a made-up key."""
        finder = self.finder
        return finder.token_bound and not finder.numeric and not self.made_up_keys

    def judge(self, listed: ListedFile) -> tuple[SnapshotRead | None, bool | None]:
        """The file's verdict with its data (None if the cheap scan rules out any match), and
        `folds_bytewise` of its text where the scan found it."""
        raw = read_raw(listed.path, self.max_bytes)
        if raw is None:
            return read_snapshot(listed.path, max_bytes=self.max_bytes), None
        bytewise = None
        finder = self.finder
        if self.scan_first and finder.plain is not None:
            text = _decompressed(raw, self.max_bytes, utf8=not finder.plain.isascii())
            if text is not None:
                bytewise = finder.folds_bytewise(text)
                if not finder.in_text(text, bytewise=bytewise):
                    return None, bytewise
        found = judge_bytes_and_record(
            raw, listed.path, max_bytes=self.max_bytes, keep_data=True, store=self.verdicts
        )
        return found, bytewise

    def matches(self, name: str, data: dict[str, Any], bytewise: bool | None) -> list[SearchMatch]:
        """The matching entries; `bytewise` True if the file's text (written as
        `JSON.stringify` writes it) has none of the characters that fold to the pattern's."""
        maps = [self.map_name] if self.map_name is not None else list(data)
        return [
            SearchMatch(name, map_name, key)
            for map_name in maps
            for key in self.matching_keys(data.get(map_name), bytewise)
        ]

    def matching_keys(self, value: Any, bytewise: bool | None) -> list[str]:
        """The keys of the map's matching entries, in order. A map printed as one seen before
        in this search (the same text, so the same value) has the same ones."""
        printed = printed_map(self.finder, value)
        if printed is None:
            return self.entry_by_entry(value, bytewise)
        digest = hashlib.sha256(printed).digest()
        known = self.seen.get(digest)
        if known is None:
            known = self.seen[digest] = self.in_printed(printed, value, bytewise)
        return known

    def in_printed(self, printed: bytes, value: Any, bytewise: bool | None) -> list[str]:
        holding = entries_holding(self.finder, printed, value, bytewise)
        if holding is None:
            return self.entry_by_entry(value, bytewise)
        if not holding and isinstance(value, list) and not self.made_up_keys:
            return []  # an item's key is in its text: its id, or the item itself
        keys = list(map_entries(value))
        by_key = self.finder.in_some_key(keys)
        return [
            key
            for index, key in enumerate(keys)
            if index in holding or (by_key and self.finder.in_key(key))
        ]

    def entry_by_entry(self, value: Any, bytewise: bool | None) -> list[str]:
        """The keys of the matching entries, each entry's text printed and looked at."""
        finder = self.finder
        entries = map_entries(value)
        if not entries:
            return []
        by_key = finder.in_some_key(list(entries))
        # what a plain pattern (or an assertion-free regular expression) is not in, as a
        # whole, it is in no part of
        map_text = js_dumps(value)
        folds = bytewise if bytewise is not None else finder.folds_bytewise(map_text)
        texts = (finder.plain is None and not finder.assertion_free) or finder.in_text(
            map_text, bytewise=folds
        )
        return [
            key
            for key, item in entries.items()
            if (by_key and finder.in_key(key))
            or (texts and finder.in_text(js_dumps(item), bytewise=folds))
        ]

    def read(self, listed: ListedFile) -> FileMatches:
        """What the file holds; with the process tuned for large snapshots, the collector
        stays off until the file's parsed document is freed (not just while it is parsed:
        a collection right after the parse would walk all of it)."""
        with collector_paused():
            return self._read(listed)

    def _read(self, listed: ListedFile) -> FileMatches:
        found, bytewise = self.judge(listed)
        stored = found.timestamp if found is not None else None
        time = snapshot_time(listed.name, stored, listed.modified).moment
        if found is None:
            return FileMatches(listed.name, time, None)
        data = found.data_object
        if data is None:
            return FileMatches(
                listed.name, time, found.status, skipped=found.unreadable_reason or ""
            )
        matches = self.matches(listed.name, data, bytewise)
        counts: dict[str, int] = {}
        for match in matches:
            counts[match.map] = counts.get(match.map, 0) + 1
        return FileMatches(listed.name, time, found.status, tuple(matches), counts=counts)


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
        self.query = _Query(
            make_finder(pattern, regex=regex, case_sensitive=case_sensitive),
            map_name,
            max_bytes,
            made_up_keys=set(pattern) <= _SYNTHETIC_KEY_CHARS,
            verdicts=VerdictStore(),
        )
        self.files = listed_files(Path(directory), oldest_first=False)

    @property
    def total(self) -> int:
        return len(self.files)

    def __iter__(self) -> Iterator[SearchStep]:
        for done, found in enumerate(read_in_order(self.files, self.query.read), start=1):
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

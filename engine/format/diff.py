"""What changed between two snapshots' data: per map, the entries added, removed and changed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.format.map_entries import map_entries
from statesnap.engine.format.schema import DATA_KEYS

__all__ = [
    "ChangeKind",
    "EntryChange",
    "MapDiff",
    "MapDiffer",
    "SnapshotDiff",
    "diff_data",
    "diff_map",
    "map_names",
]


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class EntryChange:
    """One entry that differs; `before` is None when added, `after` when removed."""

    key: str
    kind: ChangeKind
    before: Any
    after: Any


@dataclass(frozen=True)
class MapDiff:
    """The differences within one map, in key order of the newer snapshot."""

    name: str
    before_count: int
    after_count: int
    changes: tuple[EntryChange, ...]

    def keys_of(self, kind: ChangeKind) -> list[str]:
        return [change.key for change in self.changes if change.kind is kind]

    @property
    def added(self) -> list[str]:
        return self.keys_of(ChangeKind.ADDED)

    @property
    def removed(self) -> list[str]:
        return self.keys_of(ChangeKind.REMOVED)

    @property
    def changed(self) -> list[str]:
        return self.keys_of(ChangeKind.CHANGED)


@dataclass(frozen=True)
class SnapshotDiff:
    """Every map of either snapshot, known maps first in format order."""

    maps: tuple[MapDiff, ...]

    @property
    def is_empty(self) -> bool:
        return not any(diff.changes for diff in self.maps)

    def to_json(self) -> dict[str, Any]:
        """A plain summary for `statesnap diff --json`: per map, the keys by kind."""
        return {
            diff.name: {"added": diff.added, "removed": diff.removed, "changed": diff.changed}
            for diff in self.maps
        }


def map_names(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The maps of either side, in the order a diff lists them: known maps in format order,
    then the others, the newer side's first."""
    names = [name for name in DATA_KEYS if name in before or name in after]
    for source in (after, before):
        names.extend(name for name in source if name not in names)
    return names


def _same(left: Any, right: Any) -> bool:
    """Equal as JavaScript sees them: the same JSON text (`1` and `1.0` are one value, `1` and
    `true` are not); no recursion of our own, so any depth the reader accepts compares."""
    return js_dumps(left) == js_dumps(right)


class MapDiffer:
    """One map's diff, built as the newer side's entries come in (all at once, or a page at a
    time from a live server): added and changed entries in the order they come, then the
    removed ones. A key that comes again (a page read after the map moved) counts once."""

    def __init__(self, name: str, before: Mapping[str, Any]) -> None:
        self.name = name
        self._old = before
        self._seen: set[str] = set()
        self._changes: list[EntryChange] = []

    def add(self, items: Iterable[tuple[str, Any]]) -> None:
        """The newer side's next entries, as (key, value)."""
        old, seen, changes = self._old, self._seen, self._changes
        for key, value in items:
            if key in seen:
                continue
            seen.add(key)
            if key not in old:
                changes.append(EntryChange(key, ChangeKind.ADDED, None, value))
            elif not _same(old[key], value):
                changes.append(EntryChange(key, ChangeKind.CHANGED, old[key], value))

    def finish(self) -> MapDiff:
        """The diff, once every entry of the newer side came in."""
        seen = self._seen
        removed = (
            EntryChange(key, ChangeKind.REMOVED, value, None)
            for key, value in self._old.items()
            if key not in seen
        )
        return MapDiff(self.name, len(self._old), len(seen), (*self._changes, *removed))


def diff_map(name: str, before: Any, after: Any) -> MapDiff:
    """Compare one map of two snapshots' data objects."""
    differ = MapDiffer(name, map_entries(before))
    differ.add(map_entries(after).items())
    return differ.finish()


def diff_data(before: Mapping[str, Any], after: Mapping[str, Any]) -> SnapshotDiff:
    """Compare two snapshots' `data` objects map by map."""
    return SnapshotDiff(
        tuple(
            diff_map(name, before.get(name), after.get(name)) for name in map_names(before, after)
        )
    )

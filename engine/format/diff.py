"""What changed between two snapshots' data: per map, the entries added, removed and changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.format.map_entries import map_entries
from statesnap.engine.format.schema import DATA_KEYS

__all__ = ["ChangeKind", "EntryChange", "MapDiff", "SnapshotDiff", "diff_data"]


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


def _map_names(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    names = [name for name in DATA_KEYS if name in before or name in after]
    for source in (after, before):
        names.extend(name for name in source if name not in names)
    return names


def _same(left: Any, right: Any) -> bool:
    """Equal as JavaScript sees them: the same JSON text (`1` and `1.0` are one value, `1` and
    `true` are not); no recursion of our own, so any depth the reader accepts compares."""
    return js_dumps(left) == js_dumps(right)


def diff_map(name: str, before: Any, after: Any) -> MapDiff:
    old, new = map_entries(before), map_entries(after)
    changes = []
    for key, value in new.items():
        if key not in old:
            changes.append(EntryChange(key, ChangeKind.ADDED, None, value))
        elif not _same(old[key], value):
            changes.append(EntryChange(key, ChangeKind.CHANGED, old[key], value))
    changes.extend(
        EntryChange(key, ChangeKind.REMOVED, value, None)
        for key, value in old.items()
        if key not in new
    )
    return MapDiff(name, len(old), len(new), tuple(changes))


def diff_data(before: Mapping[str, Any], after: Mapping[str, Any]) -> SnapshotDiff:
    """Compare two snapshots' `data` objects map by map."""
    return SnapshotDiff(
        tuple(
            diff_map(name, before.get(name), after.get(name)) for name in _map_names(before, after)
        )
    )

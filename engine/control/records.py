"""What the control channel reports of a server's live state: its maps, a page of one map's
entries, one entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["EntryPage", "LiveEntry", "MapSummary"]


@dataclass(frozen=True)
class MapSummary:
    """One map of the live state: its name, shape (`object`, `array`, `value`) and size."""

    name: str
    kind: str
    count: int


@dataclass(frozen=True)
class EntryPage:
    """A page of one map's entries: `items` are (key, value) pairs, `total` counts them all."""

    map: str
    offset: int
    limit: int
    total: int
    items: tuple[tuple[str, Any], ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.items)


@dataclass(frozen=True)
class LiveEntry:
    """One entry of the live state."""

    map: str
    key: str
    value: Any

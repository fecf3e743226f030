"""Keyed views of a snapshot's maps: every map, array-shaped or not, as key -> entry."""

from __future__ import annotations

from typing import Any

__all__ = ["entry_key", "map_entries"]


def entry_key(item: Any, index: int) -> str:
    """The key an array item is known by: its `id`, else the set member itself, else its index."""
    if isinstance(item, dict):
        ident = item.get("id")
        if isinstance(ident, str | int) and not isinstance(ident, bool):
            return str(ident)
        return f"#{index}"
    if isinstance(item, str):
        return item
    return f"#{index}"


def map_entries(value: Any) -> dict[str, Any]:
    """A map's entries by key. Objects keep their keys; arrays are keyed by `entry_key`
    (a repeated key falls back to the item's index, so no entry is hidden)."""
    if isinstance(value, dict):
        return {str(key): item for key, item in value.items()}
    if not isinstance(value, list):
        return {}
    entries: dict[str, Any] = {}
    for index, item in enumerate(value):
        key = entry_key(item, index)
        fallback, copy = f"#{index}", 1
        while key in entries:
            key, copy = (fallback if copy == 1 else f"{fallback}~{copy}"), copy + 1
        entries[key] = item
    return entries

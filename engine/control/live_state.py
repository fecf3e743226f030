"""The control server's reads of the live state: the maps, a page of one map's entries, one
entry; taken under the storage lock on the loop for an in-memory storage, off the loop through
`read_maps()` for one that keeps its state elsewhere."""

from __future__ import annotations

import asyncio
import itertools
import operator
from collections.abc import Callable
from typing import Any

from statesnap.engine.control.records import EntryPage, LiveEntry, MapSummary
from statesnap.engine.control.wire import DEFAULT_PAGE, MAX_PAGE, NO_ENTRY, RequestError
from statesnap.engine.control.wire_results import encode_entries, encode_entry, encode_maps
from statesnap.engine.format.map_entries import map_entries
from statesnap.engine.format.schema import entry_count
from statesnap.engine.service.capability import snapshot_capable
from statesnap.engine.storage.protocol import Storage

__all__ = ["LiveStateReader"]


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    return "array" if isinstance(value, list) else "value"


def _page_start(entries: dict[str, Any], after: str | None, offset: int) -> int:
    """Where a page begins: just past the key `after` while the map holds it (a map that
    changed since the page before neither skips nor repeats an entry), else at `offset`."""
    if after is None:
        return offset
    if offset > 0 and next(itertools.islice(entries, offset - 1, None), None) == after:
        return offset  # nothing moved: the key is where the page before ended
    if after not in entries:
        return offset
    return list(entries).index(after) + 1


def _same_items(kept: list[Any], value: Any) -> bool:
    """Whether `value` is a list of the very objects `kept` holds, in order."""
    return (
        isinstance(value, list) and len(kept) == len(value) and all(map(operator.is_, kept, value))
    )


class LiveStateReader:
    """Answers the `maps`, `entries` and `entry` requests over one storage."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.memory = snapshot_capable(storage)
        self._keyed: tuple[str, list[Any], dict[str, Any]] | None = None

    def _entries_of(self, maps: dict[str, Any], name: str) -> dict[str, Any]:
        """The map's entries by key; RequestError if there is no such map.

        An object map is its own entries. An array's keys depend on every item before them
        (see map_entries), so it is keyed whole; the keys of the array read last are kept
        while it holds the very same items, so paging through a large array costs each page
        a pass of identity checks, not a keying. (A record whose `id` is changed in place
        keeps its key until the array itself changes; its value is always the live one.)"""
        if name not in maps:
            raise RequestError(f"no map named {name[:80]!r}")
        value = maps[name]
        if isinstance(value, dict):
            return value
        keyed = self._keyed
        if keyed is not None and keyed[0] == name and _same_items(keyed[1], value):
            return keyed[2]
        entries = map_entries(value)
        if isinstance(value, list):
            self._keyed = (name, list(value), entries)
        return entries

    async def _with_maps(self, render: Callable[[dict[str, Any]], bytes]) -> bytes:
        """`render(maps)` over the live maps: under the storage lock, on the loop thread, for
        an in-memory storage; off the loop over `read_maps()` for one kept elsewhere."""
        memory = self.memory
        if memory is not None:
            with memory.lock:
                return render(memory.snapshot_data())
        read_maps = self.storage.read_maps

        def read_and_render() -> bytes:
            return render(read_maps())

        return await asyncio.to_thread(read_and_render)

    async def maps(self, args: dict[str, Any]) -> bytes:
        def render(maps: dict[str, Any]) -> bytes:
            summaries = (
                MapSummary(name, _kind_of(value), entry_count(value))
                for name, value in maps.items()
            )
            return encode_maps(self.storage.mode, summaries)

        return await self._with_maps(render)

    async def entries(self, args: dict[str, Any]) -> bytes:
        name: str = args["map"]
        offset: int = args.get("offset", 0)
        limit: int = min(args.get("limit", DEFAULT_PAGE), MAX_PAGE)
        after: str | None = args.get("after")

        def render(maps: dict[str, Any]) -> bytes:
            entries = self._entries_of(maps, name)
            start = _page_start(entries, after, offset)
            # An object map pages by walking to the start.
            page = itertools.islice(entries.items(), start, start + limit)
            items = tuple((str(key), item) for key, item in page)
            return encode_entries(EntryPage(name, start, limit, len(entries), items))

        return await self._with_maps(render)

    async def entry(self, args: dict[str, Any]) -> bytes:
        name: str = args["map"]
        key: str = args["key"]

        def render(maps: dict[str, Any]) -> bytes:
            entries = self._entries_of(maps, name)
            if key not in entries:
                raise RequestError(f"{NO_ENTRY}{key[:80]!r} in {name[:80]}")
            return encode_entry(LiveEntry(name, key, entries[key]))

        return await self._with_maps(render)

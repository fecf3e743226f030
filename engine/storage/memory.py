"""The dev state in memory: the 19 maps of the snapshot format behind the `Storage` API.

`MemoryStorage` holds what an ActionFlows-style dev server keeps between requests (sessions,
their events, chains, chat, queues, bookmarks, telemetry…) in the shapes of the snapshot
format, so that `snapshot_data()` is the file's `data` object built from references to the
live stored objects, and `load_data()` refills the maps from a file's `data` object.

Every public method holds `storage.lock` (a re-entrant lock). Host code may mutate stored
dicts in place; nothing here caches serialized output, so the next snapshot sees the change.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Final

from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.format.schema import (
    SESSION_LIST_MAPS,
    SESSION_OBJECT_MAPS,
    is_finished,
)
from statesnap.engine.format.snapshot_encoding import data_checksum
from statesnap.engine.format.timestamps import now_iso
from statesnap.engine.storage.memory_maps import MemoryMaps
from statesnap.engine.storage.memory_snapshot import data_of, loaded_maps
from statesnap.engine.storage.records import (
    DEFAULT_MAX_EVENTS_PER_SESSION,
    DEFAULT_MAX_SESSIONS,
    DEFAULT_MAX_TELEMETRY_ENTRIES,
    check_caps,
    check_key,
    events_since,
    extended_ttl,
    record_id,
    session_ids,
    session_keyed,
    session_user,
)

__all__ = ["MemoryStorage"]

log = logging.getLogger(__name__)

_MISSING: Final = object()


class MemoryStorage:
    """The dev state in memory, in the shapes of the snapshot format: a `Storage` whose
    records are the live stored objects (a change made to one is stored).

    Caps (keyword arguments): at most `max_sessions` sessions before the oldest finished one
    is evicted, `max_events_per_session` events per session (oldest dropped), and
    `max_telemetry_entries` telemetry entries (a ring buffer).
    """

    def __init__(
        self,
        *,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        max_events_per_session: int = DEFAULT_MAX_EVENTS_PER_SESSION,
        max_telemetry_entries: int = DEFAULT_MAX_TELEMETRY_ENTRIES,
    ) -> None:
        check_caps(max_sessions, max_events_per_session, max_telemetry_entries)
        self.max_sessions = max_sessions
        self.max_events_per_session = max_events_per_session
        self.max_telemetry_entries = max_telemetry_entries
        self.lock = threading.RLock()
        """Held by every public method; hold it to serialize `snapshot_data()` atomically."""
        self._maps = MemoryMaps(max_telemetry_entries)

    @property
    def mode(self) -> str:
        return "memory"

    # -- sessions -------------------------------------------------------------------------

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        with self.lock:
            return self._maps.sessions.get(session_id)

    def set_session(self, session: dict[str, Any]) -> None:
        session_id = record_id(session)
        with self.lock:
            maps = self._maps
            previous = maps.sessions.get(session_id)
            maps.sessions[session_id] = session
            old_user, user = session_user(previous), session_user(session)
            if old_user is not None and old_user != user:
                maps.drop_member(old_user, session_id)
            if user is not None:
                maps.users.setdefault(user, {})[session_id] = None
            self._stamp(f"session:{session_id}")
            if previous is None and len(maps.sessions) > self.max_sessions:
                self._evict(keep=session_id)

    def list_sessions(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self._maps.sessions.values())

    def delete_session(self, session_id: str) -> bool:
        with self.lock:
            maps = self._maps
            existed = maps.sessions.pop(session_id, None) is not None
            chains = maps.lists["chains"].get(session_id) or []
            for name in SESSION_LIST_MAPS:
                maps.lists[name].pop(session_id, None)
            for name in SESSION_OBJECT_MAPS:
                maps.objects[name].pop(session_id, None)
            maps.followed.pop(session_id, None)
            for user in [user for user, ids in maps.users.items() if session_id in ids]:
                maps.drop_member(user, session_id)
            freshness = maps.objects["resourceFreshness"]
            for stamp in (f"session:{session_id}", f"events:{session_id}"):
                freshness.pop(stamp, None)
            for chain in chains:
                if isinstance(chain, dict) and isinstance(chain.get("id"), str):
                    freshness.pop(f"chain:{chain['id']}", None)
            return existed

    def sessions_for_user(self, user: str) -> list[str]:
        with self.lock:
            return list(self._maps.users.get(user, ()))

    def _evict(self, keep: str) -> None:
        excess = len(self._maps.sessions) - self.max_sessions
        victims = [
            session_id
            for session_id, session in self._maps.sessions.items()
            if session_id != keep and is_finished(session)
        ][:excess]
        for session_id in victims:
            log.info(
                "evicting finished session %s (over %d sessions)", session_id, self.max_sessions
            )
            self.delete_session(session_id)

    # -- per-session arrays ---------------------------------------------------------------

    def _append(self, map_name: str, session_id: str, item: Any) -> list[Any]:
        items = self._maps.lists[map_name].setdefault(session_id, [])
        items.append(item)
        return items

    def _items(self, map_name: str, session_id: str) -> list[Any]:
        """A new list of the live items."""
        return list(self._maps.lists[map_name].get(session_id, ()))

    def append_event(self, session_id: str, event: Any) -> None:
        with self.lock:
            events = self._append("events", session_id, event)
            if len(events) > self.max_events_per_session:
                del events[: len(events) - self.max_events_per_session]
            self._stamp(f"events:{session_id}")

    def get_events(self, session_id: str) -> list[Any]:
        with self.lock:
            return self._items("events", session_id)

    def get_events_since(self, session_id: str, iso_timestamp: str) -> list[Any]:
        with self.lock:
            return events_since(self._maps.lists["events"].get(session_id, ()), iso_timestamp)

    def add_chain(self, session_id: str, chain: dict[str, Any]) -> None:
        with self.lock:
            self._append("chains", session_id, chain)
            chain_id = chain.get("id") if isinstance(chain, dict) else None
            if isinstance(chain_id, str):
                self._stamp(f"chain:{chain_id}")

    def get_chains(self, session_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return self._items("chains", session_id)

    def append_chat_message(self, session_id: str, message: Any) -> None:
        with self.lock:
            self._append("chatHistory", session_id, message)

    def get_chat_history(self, session_id: str) -> list[Any]:
        with self.lock:
            return self._items("chatHistory", session_id)

    def queue_command(self, session_id: str, command: Any) -> None:
        with self.lock:
            self._append("commandsQueue", session_id, command)

    def take_commands(self, session_id: str) -> list[Any]:
        with self.lock:
            return self._maps.lists["commandsQueue"].pop(session_id, [])

    def queue_input(self, session_id: str, value: Any) -> None:
        with self.lock:
            self._append("inputQueue", session_id, value)

    def take_input(self, session_id: str) -> list[Any]:
        with self.lock:
            return self._maps.lists["inputQueue"].pop(session_id, [])

    # -- followed sessions, bookmarks, telemetry, TTL ---------------------------------------

    def follow_session(self, session_id: str) -> None:
        with self.lock:
            self._maps.followed.setdefault(session_id, None)

    def unfollow_session(self, session_id: str) -> bool:
        with self.lock:
            return self._maps.followed.pop(session_id, _MISSING) is not _MISSING

    def followed_sessions(self) -> list[str]:
        with self.lock:
            return list(self._maps.followed)

    def add_bookmark(self, bookmark: dict[str, Any]) -> None:
        bookmark_id = record_id(bookmark, "bookmark")
        with self.lock:
            self._maps.objects["bookmarks"][bookmark_id] = bookmark

    def get_bookmarks(self, session_id: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [
                bookmark
                for bookmark in self._maps.objects["bookmarks"].values()
                if session_id is None
                or (isinstance(bookmark, dict) and bookmark.get("sessionId") == session_id)
            ]

    def delete_bookmark(self, bookmark_id: str) -> bool:
        with self.lock:
            return self._maps.objects["bookmarks"].pop(bookmark_id, _MISSING) is not _MISSING

    def add_telemetry(self, entry: Any) -> None:
        with self.lock:
            self._maps.telemetry.append(entry)

    def telemetry_entries(self) -> list[Any]:
        with self.lock:
            return list(self._maps.telemetry)

    def extend_session_ttl(self, session_id: str, duration_ms: int) -> dict[str, Any]:
        with self.lock:
            extensions = self._maps.objects["sessionTtlExtensions"]
            extensions[session_id] = record = extended_ttl(extensions.get(session_id), duration_ms)
            return record

    def _stamp(self, key: str) -> None:
        self._maps.objects["resourceFreshness"][key] = now_iso()

    # -- any map --------------------------------------------------------------------------

    def get_entry(self, map_name: str, key: str) -> Any:
        """As `Storage.get_entry`, the live value; a `sessionsByUser` entry comes back as a
        new list. TypeError also for an unknown map whose value is not an object."""
        with self.lock:
            if map_name == "sessions":
                return self._maps.sessions.get(key)
            if map_name == "sessionsByUser":
                members = self._maps.users.get(key)
                return None if members is None else list(members)
            container = self._maps.object_map(map_name, create=False)
            return None if container is None else container.get(key)

    def set_entry(self, map_name: str, key: str, value: Any) -> None:
        """As `Storage.set_entry`; the value itself is stored (live)."""
        check_key(key)
        with self.lock:
            if map_name == "sessions":
                self.set_session(session_keyed(value, key))
            elif map_name == "sessionsByUser":
                self._maps.users[key] = dict.fromkeys(session_ids(value))
            else:
                if map_name in self._maps.lists and not isinstance(value, list):
                    raise TypeError(f"{map_name} entries are lists, not {type(value).__name__}")
                container = self._maps.object_map(map_name, create=True)
                assert container is not None
                container[key] = value

    def delete_entry(self, map_name: str, key: str) -> bool:
        with self.lock:
            if map_name == "sessions":
                return self.delete_session(key)
            if map_name == "sessionsByUser":
                return self._maps.users.pop(key, None) is not None
            container = self._maps.object_map(map_name, create=False)
            return container is not None and container.pop(key, _MISSING) is not _MISSING

    def map_names(self) -> list[str]:
        """The last restored file's key order, then any known map it lacked, then unknown
        maps in order of creation."""
        with self.lock:
            return self._maps.names()

    def map_size(self, map_name: str) -> int:
        with self.lock:
            if not self._maps.holds(map_name):
                raise KeyError(map_name)
            return self._maps.size(map_name)

    def count_entries(self) -> dict[str, int]:
        with self.lock:
            return {name: self._maps.size(name) for name in self._maps.names()}

    def read_maps(self) -> dict[str, Any]:
        """`snapshot_data()`: live references."""
        return self.snapshot_data()

    # -- snapshots ------------------------------------------------------------------------

    def snapshot_data(self) -> dict[str, Any]:
        """The snapshot file's `data` object, made of references to the live stored objects.

        Keys in the last restored file's order (unknown keys in place, values as read), then
        any known key it lacked, in format order. Built in O(maps + top-level entries), no
        deep copy: hold `lock` until it is serialized for an atomic snapshot.
        """
        with self.lock:
            return {name: self._maps.rendered(name) for name in self._maps.names()}

    def snapshot(self) -> dict[str, Any]:
        """`{"version": 1, "timestamp": now, "checksum": md5 of the data's JSON, "data": …}`.

        `data` is `snapshot_data()`: live references, so the checksum holds for the state at
        the time of the call.
        """
        with self.lock:
            data = self.snapshot_data()
            checksum = data_checksum(js_dumps(data))
        return {"version": 1, "timestamp": now_iso(), "checksum": checksum, "data": data}

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Replace the whole state with a snapshot's `data` (see `load_data`).

        Raises SnapshotRejectedError, leaving the state untouched, if the version is not 1,
        `data` is not an object, or the checksum is not the MD5 of `data`'s JSON.
        """
        self.load_data(data_of(snapshot))

    def load_data(self, data: dict[str, Any]) -> None:
        """Clear every map, then fill them from a snapshot's `data` object, defensively.

        A value of the wrong type is skipped with a logged warning, never fatal; unknown keys
        are kept verbatim, in place. Top-level containers are copied, so later writes never
        change `data`. Caps are not applied (lossless: a fuller file keeps every entry).
        Raises TypeError if `data` is not a dict.
        """
        maps = loaded_maps(data, self.max_telemetry_entries)
        with self.lock:
            self._maps = maps

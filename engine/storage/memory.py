"""The dev state in memory: the 19 maps of the snapshot format behind a typed, locked API.

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
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final

from statesnap.engine.format.jsjson import JSONInputError, js_dumps
from statesnap.engine.format.snapshot import DATA_KEYS, data_checksum
from statesnap.engine.format.timestamps import now_iso, parse_iso

__all__ = [
    "ARRAY_MAPS",
    "DEFAULT_MAX_EVENTS_PER_SESSION",
    "DEFAULT_MAX_SESSIONS",
    "DEFAULT_MAX_TELEMETRY_ENTRIES",
    "FINISHED_SESSION_STATUSES",
    "LIST_MAPS",
    "OBJECT_MAPS",
    "SESSION_LIST_MAPS",
    "SESSION_OBJECT_MAPS",
    "MemoryStorage",
    "SnapshotRejectedError",
    "check_key",
    "events_since",
    "extension_count",
    "is_finished",
    "record_id",
    "session_user",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_SESSIONS: Final = 1000
DEFAULT_MAX_EVENTS_PER_SESSION: Final = 10_000
DEFAULT_MAX_TELEMETRY_ENTRIES: Final = 10_000

FINISHED_SESSION_STATUSES: Final = frozenset({"completed", "failed", "ended"})
"""Session statuses that make a session eligible for FIFO eviction."""

LIST_MAPS: Final = (
    "events",
    "chains",
    "chatHistory",
    "commandsQueue",
    "inputQueue",
    "harmonyChecks",
    "harmonyChecksByProject",
)
"""Maps of key -> array (appended to, in order)."""

SESSION_LIST_MAPS: Final = tuple(name for name in LIST_MAPS if name != "harmonyChecksByProject")
"""The list maps keyed by session id: deleting a session deletes its entry in each."""

OBJECT_MAPS: Final = (
    "sessionWindowConfigs",
    "frequencies",
    "bookmarks",
    "patterns",
    "dossiers",
    "suggestions",
    "sessionTtlExtensions",
    "resourceFreshness",
)
"""Maps of key -> any JSON value."""

ARRAY_MAPS: Final = ("followedSessions", "telemetryEntries")
"""Known maps that are arrays, not objects: no get_entry/set_entry on them."""

SESSION_OBJECT_MAPS: Final = ("sessionWindowConfigs", "sessionTtlExtensions")
"""The object maps keyed by session id: deleting a session deletes its entry in each."""


class SnapshotRejectedError(ValueError):
    """A snapshot that must not be restored: version other than 1, bad checksum, bad shape."""


def _timestamp_of(item: Any) -> datetime | None:
    stamp = item.get("timestamp") if isinstance(item, dict) else None
    if not isinstance(stamp, str):
        return None
    try:
        return parse_iso(stamp)
    except ValueError:
        return None


def events_since(events: Iterable[Any], since: str) -> list[Any]:
    """The events whose `timestamp` is at or after `since` (events without one are left out).

    Raises ValueError if `since` is not an ISO-8601 time.
    """
    threshold = parse_iso(since)
    return [event for event in events if (moment := _timestamp_of(event)) and moment >= threshold]


def record_id(record: Any, what: str = "session") -> str:
    """The `id` of a record (a session, a bookmark); TypeError/ValueError unless the record
    is a dict with a string `id`."""
    if not isinstance(record, dict):
        raise TypeError(f"a {what} must be a dict, not {type(record).__name__}")
    found = record.get("id")
    if not isinstance(found, str):
        raise ValueError(f'a {what} needs a string "id"')
    return found


def check_key(key: Any) -> str:
    """`key` itself if it is a string; TypeError otherwise (map keys are JSON object keys)."""
    if not isinstance(key, str):
        raise TypeError(f"map keys are strings, not {type(key).__name__}")
    return key


def session_user(session: dict[str, Any] | None) -> str | None:
    """The session's `user` if it is a string."""
    user = session.get("user") if session is not None else None
    return user if isinstance(user, str) else None


def is_finished(session: Any) -> bool:
    """Whether a session record's status makes it eligible for eviction."""
    return isinstance(session, dict) and session.get("status") in FINISHED_SESSION_STATUSES


class MemoryStorage:
    """The dev state in memory, in the shapes of the snapshot format.

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
        if min(max_sessions, max_events_per_session, max_telemetry_entries) < 1:
            raise ValueError("caps must be at least 1")
        self.max_sessions = max_sessions
        self.max_events_per_session = max_events_per_session
        self.max_telemetry_entries = max_telemetry_entries
        self.lock = threading.RLock()
        """Held by every public method; hold it to serialize `snapshot_data()` atomically."""
        self._sessions: dict[str, dict[str, Any]] = {}
        self._lists: dict[str, dict[str, list[Any]]] = {name: {} for name in LIST_MAPS}
        self._users: dict[str, dict[str, None]] = {}
        self._followed: dict[str, None] = {}
        self._telemetry: deque[Any] = deque(maxlen=max_telemetry_entries)
        self._objects: dict[str, dict[str, Any]] = {name: {} for name in OBJECT_MAPS}
        self._extra: dict[str, Any] = {}
        self._file_order: tuple[str, ...] = ()

    @property
    def mode(self) -> str:
        """The storage mode: always `"memory"`."""
        return "memory"

    # -- sessions -------------------------------------------------------------------------

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        """The stored session dict itself (live: changes to it are stored), or None."""
        with self.lock:
            return self._sessions.get(session_id)

    def set_session(self, session: dict[str, Any]) -> None:
        """Insert the session, or replace the one with its `id` (which keeps its place).

        Adds it to `sessionsByUser` under its `user` (and drops it from a previous user's set),
        stamps `session:<id>` fresh, and, when more than `max_sessions` are held after an
        insert, evicts the oldest finished sessions (never the one just inserted).
        Raises TypeError/ValueError unless `session` is a dict with a string `id`.
        """
        session_id = record_id(session)
        with self.lock:
            previous = self._sessions.get(session_id)
            self._sessions[session_id] = session
            old_user, user = session_user(previous), session_user(session)
            if old_user is not None and old_user != user:
                self._drop_member(old_user, session_id)
            if user is not None:
                self._users.setdefault(user, {})[session_id] = None
            self._stamp(f"session:{session_id}")
            if previous is None and len(self._sessions) > self.max_sessions:
                self._evict(keep=session_id)

    def list_sessions(self) -> list[dict[str, Any]]:
        """All stored session dicts (live), oldest insert first."""
        with self.lock:
            return list(self._sessions.values())

    def delete_session(self, session_id: str) -> bool:
        """Delete a session and everything kept for it; return whether the session existed.

        Cascades over events, chains, chat, queues, harmony checks, window config, TTL
        extension, followed sessions, `sessionsByUser` and its freshness stamps.
        """
        with self.lock:
            existed = self._sessions.pop(session_id, None) is not None
            chains = self._lists["chains"].get(session_id) or []
            for name in SESSION_LIST_MAPS:
                self._lists[name].pop(session_id, None)
            for name in SESSION_OBJECT_MAPS:
                self._objects[name].pop(session_id, None)
            self._followed.pop(session_id, None)
            for user in [user for user, ids in self._users.items() if session_id in ids]:
                self._drop_member(user, session_id)
            freshness = self._objects["resourceFreshness"]
            for stamp in (f"session:{session_id}", f"events:{session_id}"):
                freshness.pop(stamp, None)
            for chain in chains:
                if isinstance(chain, dict) and isinstance(chain.get("id"), str):
                    freshness.pop(f"chain:{chain['id']}", None)
            return existed

    def sessions_for_user(self, user: str) -> list[str]:
        """The ids of the user's sessions, in the order they were added."""
        with self.lock:
            return list(self._users.get(user, ()))

    def _drop_member(self, user: str, session_id: str) -> None:
        members = self._users.get(user)
        if members is not None:
            members.pop(session_id, None)
            if not members:
                del self._users[user]

    def _evict(self, keep: str) -> None:
        excess = len(self._sessions) - self.max_sessions
        victims = [
            session_id
            for session_id, session in self._sessions.items()
            if session_id != keep and is_finished(session)
        ][:excess]
        for session_id in victims:
            log.info(
                "evicting finished session %s (over %d sessions)", session_id, self.max_sessions
            )
            self.delete_session(session_id)

    # -- events, chains, chat -------------------------------------------------------------

    def append_event(self, session_id: str, event: Any) -> None:
        """Append an event to the session's events (dropping the oldest beyond the cap) and
        stamp `events:<session_id>` fresh."""
        with self.lock:
            events = self._lists["events"].setdefault(session_id, [])
            events.append(event)
            if len(events) > self.max_events_per_session:
                del events[: len(events) - self.max_events_per_session]
            self._stamp(f"events:{session_id}")

    def get_events(self, session_id: str) -> list[Any]:
        """The session's events, oldest first (a new list of the live event objects)."""
        with self.lock:
            return list(self._lists["events"].get(session_id, ()))

    def get_events_since(self, session_id: str, iso_timestamp: str) -> list[Any]:
        """The session's events whose `timestamp` is at or after `iso_timestamp`, oldest first.

        Raises ValueError if `iso_timestamp` is not an ISO-8601 time.
        """
        with self.lock:
            return events_since(self._lists["events"].get(session_id, ()), iso_timestamp)

    def add_chain(self, session_id: str, chain: dict[str, Any]) -> None:
        """Append a chain record to the session's chains (each update is appended, as the
        original does) and stamp `chain:<chain id>` fresh."""
        with self.lock:
            self._lists["chains"].setdefault(session_id, []).append(chain)
            chain_id = chain.get("id") if isinstance(chain, dict) else None
            if isinstance(chain_id, str):
                self._stamp(f"chain:{chain_id}")

    def get_chains(self, session_id: str) -> list[dict[str, Any]]:
        """The session's chain records, oldest first (a new list of the live records)."""
        with self.lock:
            return list(self._lists["chains"].get(session_id, ()))

    def append_chat_message(self, session_id: str, message: Any) -> None:
        """Append a message to the session's chat history."""
        with self.lock:
            self._lists["chatHistory"].setdefault(session_id, []).append(message)

    def get_chat_history(self, session_id: str) -> list[Any]:
        """The session's chat messages, oldest first (a new list of the live messages)."""
        with self.lock:
            return list(self._lists["chatHistory"].get(session_id, ()))

    # -- queues ---------------------------------------------------------------------------

    def queue_command(self, session_id: str, command: Any) -> None:
        """Queue a command for the session (taken in order by `take_commands`)."""
        with self.lock:
            self._lists["commandsQueue"].setdefault(session_id, []).append(command)

    def take_commands(self, session_id: str) -> list[Any]:
        """Remove and return the session's queued commands, oldest first."""
        with self.lock:
            return self._lists["commandsQueue"].pop(session_id, [])

    def queue_input(self, session_id: str, value: Any) -> None:
        """Queue user input for the session (taken in order by `take_input`)."""
        with self.lock:
            self._lists["inputQueue"].setdefault(session_id, []).append(value)

    def take_input(self, session_id: str) -> list[Any]:
        """Remove and return the session's queued input, oldest first."""
        with self.lock:
            return self._lists["inputQueue"].pop(session_id, [])

    # -- followed sessions, bookmarks, telemetry, TTL ---------------------------------------

    def follow_session(self, session_id: str) -> None:
        """Add the session to the followed set (a session already followed keeps its place)."""
        with self.lock:
            self._followed.setdefault(session_id, None)

    def unfollow_session(self, session_id: str) -> bool:
        """Remove the session from the followed set; return whether it was followed."""
        with self.lock:
            if session_id in self._followed:
                del self._followed[session_id]
                return True
            return False

    def followed_sessions(self) -> list[str]:
        """The followed session ids, in the order they were first followed."""
        with self.lock:
            return list(self._followed)

    def add_bookmark(self, bookmark: dict[str, Any]) -> None:
        """Store a bookmark under its `id` (replacing one with the same id, in place).

        Raises TypeError/ValueError unless it is a dict with a string `id`.
        """
        bookmark_id = record_id(bookmark, "bookmark")
        with self.lock:
            self._objects["bookmarks"][bookmark_id] = bookmark

    def get_bookmarks(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """The stored bookmarks (live), oldest first; only the session's if `session_id`."""
        with self.lock:
            return [
                bookmark
                for bookmark in self._objects["bookmarks"].values()
                if session_id is None
                or (isinstance(bookmark, dict) and bookmark.get("sessionId") == session_id)
            ]

    def delete_bookmark(self, bookmark_id: str) -> bool:
        """Delete a bookmark; return whether it existed."""
        with self.lock:
            return self._objects["bookmarks"].pop(bookmark_id, _MISSING) is not _MISSING

    def add_telemetry(self, entry: Any) -> None:
        """Append a telemetry entry to the ring buffer (the oldest drops out beyond the cap)."""
        with self.lock:
            self._telemetry.append(entry)

    def telemetry_entries(self) -> list[Any]:
        """The telemetry entries held, oldest first."""
        with self.lock:
            return list(self._telemetry)

    def extend_session_ttl(self, session_id: str, duration_ms: int) -> dict[str, Any]:
        """Set the session's expiry to now + `duration_ms` and count the extension.

        Returns the stored record `{"expiresAt": <epoch ms>, "extensionCount": n}`.
        """
        expires_at = int(datetime.now(UTC).timestamp() * 1000) + int(duration_ms)
        with self.lock:
            extensions = self._objects["sessionTtlExtensions"]
            extensions[session_id] = record = {
                "expiresAt": expires_at,
                "extensionCount": extension_count(extensions.get(session_id)) + 1,
            }
            return record

    def _stamp(self, key: str) -> None:
        self._objects["resourceFreshness"][key] = now_iso()

    # -- any map --------------------------------------------------------------------------

    def get_entry(self, map_name: str, key: str) -> Any:
        """The live value stored under `key` in `map_name`, or None (also for an absent map).

        `sessions` is keyed by session id; a `sessionsByUser` entry comes back as a new list.
        Raises TypeError for a map that is an array (followedSessions, telemetryEntries) or
        an unknown map whose value is not an object.
        """
        with self.lock:
            if map_name == "sessions":
                return self._sessions.get(key)
            if map_name == "sessionsByUser":
                members = self._users.get(key)
                return None if members is None else list(members)
            container = self._object_map(map_name, create=False)
            return None if container is None else container.get(key)

    def set_entry(self, map_name: str, key: str, value: Any) -> None:
        """Store `value` (itself, live) under `key` in `map_name`; an unknown map is created.

        `sessions` goes through `set_session` (the value must be a dict whose `id` is `key`);
        list maps take a list, `sessionsByUser` a list of session ids. Raises TypeError or
        ValueError for a value of the wrong shape or a map that is an array.
        """
        check_key(key)
        with self.lock:
            if map_name == "sessions":
                if record_id(value) != key:
                    raise ValueError(f"session id {value['id']!r} does not match key {key!r}")
                self.set_session(value)
            elif map_name == "sessionsByUser":
                self._users[key] = dict.fromkeys(_session_ids(value))
            else:
                if map_name in self._lists and not isinstance(value, list):
                    raise TypeError(f"{map_name} entries are lists, not {type(value).__name__}")
                container = self._object_map(map_name, create=True)
                assert container is not None
                container[key] = value

    def delete_entry(self, map_name: str, key: str) -> bool:
        """Delete `key` from `map_name` (a session: with its cascade); return whether it existed."""
        with self.lock:
            if map_name == "sessions":
                return self.delete_session(key)
            if map_name == "sessionsByUser":
                return self._users.pop(key, None) is not None
            container = self._object_map(map_name, create=False)
            return container is not None and container.pop(key, _MISSING) is not _MISSING

    def _object_map(self, map_name: str, *, create: bool) -> dict[str, Any] | None:
        if map_name in self._lists:
            return self._lists[map_name]
        if map_name in self._objects:
            return self._objects[map_name]
        if map_name in ARRAY_MAPS:
            raise TypeError(f"{map_name} is an array, not a map of entries")
        if map_name not in self._extra:
            if not create:
                return None
            self._extra[map_name] = {}
        container = self._extra[map_name]
        if not isinstance(container, dict):
            raise TypeError(f"{map_name} holds a {type(container).__name__}, not a map of entries")
        return container

    def map_names(self) -> list[str]:
        """Every map held, in snapshot key order (the last restored file's, then the rest)."""
        with self.lock:
            order = list(self._file_order)
            seen = set(order)
            order += [name for name in DATA_KEYS if name not in seen]
            order += [name for name in self._extra if name not in seen]
            return order

    def map_size(self, map_name: str) -> int:
        """Entries in one map (keys of an object, items of an array; 0 for a scalar).

        Raises KeyError for a map that is not held.
        """
        with self.lock:
            if map_name not in DATA_KEYS and map_name not in self._extra:
                raise KeyError(map_name)
            return self._size(map_name)

    def count_entries(self) -> dict[str, int]:
        """Entries per map, in snapshot key order."""
        with self.lock:
            return {name: self._size(name) for name in self.map_names()}

    def _size(self, map_name: str) -> int:
        value = self._render(map_name) if map_name in DATA_KEYS else self._extra[map_name]
        return len(value) if isinstance(value, dict | list) else 0

    # -- snapshots ------------------------------------------------------------------------

    def snapshot_data(self) -> dict[str, Any]:
        """The snapshot file's `data` object, made of references to the live stored objects.

        Keys in the last restored file's order (unknown keys in place, values as read), then
        any known key it lacked, in format order. Built in O(maps + top-level entries), no
        deep copy: hold `lock` until it is serialized for an atomic snapshot.
        """
        with self.lock:
            return {
                name: self._render(name) if name in DATA_KEYS else self._extra[name]
                for name in self.map_names()
            }

    def _render(self, name: str) -> Any:
        if name == "sessions":
            return list(self._sessions.values())
        if name == "sessionsByUser":
            return {user: list(ids) for user, ids in self._users.items()}
        if name == "followedSessions":
            return list(self._followed)
        if name == "telemetryEntries":
            return list(self._telemetry)
        if name in self._lists:
            return self._lists[name]
        return self._objects[name]

    def read_maps(self) -> dict[str, Any]:
        """Every map's content, shaped as in a snapshot's `data`: `snapshot_data()`."""
        return self.snapshot_data()

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
        if not isinstance(snapshot, dict):
            raise SnapshotRejectedError("a snapshot is a JSON object")
        version = snapshot.get("version")
        if isinstance(version, bool) or not isinstance(version, int | float) or version != 1:
            raise SnapshotRejectedError(f"unsupported snapshot version {version!r}")
        data = snapshot.get("data")
        if not isinstance(data, dict):
            raise SnapshotRejectedError('snapshot "data" is not an object')
        checksum = snapshot.get("checksum")
        try:
            actual = data_checksum(js_dumps(data))
        except (TypeError, JSONInputError) as exc:
            raise SnapshotRejectedError(f"snapshot data cannot be serialized: {exc}") from None
        if checksum != actual:
            raise SnapshotRejectedError(
                f"checksum mismatch: snapshot says {checksum!r}, data hashes to {actual}"
            )
        self.load_data(data)

    def load_data(self, data: dict[str, Any]) -> None:
        """Clear every map, then fill them from a snapshot's `data` object, defensively.

        A value of the wrong type is skipped with a logged warning, never fatal; unknown keys
        are kept verbatim, in place. Top-level containers are copied, so later writes never
        change `data`. Caps are not applied (lossless: a fuller file keeps every entry).
        Raises TypeError if `data` is not a dict.
        """
        if not isinstance(data, dict):
            raise TypeError(f"snapshot data must be a dict, not {type(data).__name__}")
        loaded = _Loaded(self.max_telemetry_entries)
        for name, value in data.items():
            loaded.take(name, value)
        with self.lock:
            self._sessions = loaded.sessions
            self._lists = loaded.lists
            self._users = loaded.users
            self._followed = loaded.followed
            self._telemetry = loaded.telemetry
            self._objects = loaded.objects
            self._extra = loaded.extra
            self._file_order = tuple(data)


_MISSING: Final = object()


def extension_count(record: Any) -> int:
    """The `extensionCount` of a TTL extension record (0 if none or not a count)."""
    count = record.get("extensionCount") if isinstance(record, dict) else None
    return count if isinstance(count, int) and not isinstance(count, bool) else 0


def _session_ids(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise TypeError("sessionsByUser entries are lists of session ids")
    return list(value)


class _Loaded:
    """The maps being built from one `data` object by `load_data`."""

    def __init__(self, max_telemetry_entries: int) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.lists: dict[str, dict[str, list[Any]]] = {name: {} for name in LIST_MAPS}
        self.users: dict[str, dict[str, None]] = {}
        self.followed: dict[str, None] = {}
        self.telemetry: deque[Any] = deque(maxlen=max_telemetry_entries)
        self.objects: dict[str, dict[str, Any]] = {name: {} for name in OBJECT_MAPS}
        self.extra: dict[str, Any] = {}

    def take(self, name: str, value: Any) -> None:
        if name not in DATA_KEYS:
            self.extra[name] = _copy_top(value)
        elif name in ARRAY_MAPS or name == "sessions":
            if not isinstance(value, list):
                _skip(name, f"is a {_kind(value)}, not an array")
            elif name == "sessions":
                self._take_sessions(value)
            elif name == "followedSessions":
                self.followed = dict.fromkeys(_strings(name, value))
            else:
                # Restore is lossless: a file holding more than the cap keeps every entry,
                # and new entries then push out the oldest.
                cap = max(self.telemetry.maxlen or 0, len(value))
                self.telemetry = deque(value, maxlen=cap)
        elif not isinstance(value, dict):
            _skip(name, f"is a {_kind(value)}, not an object")
        elif name == "sessionsByUser":
            for user, ids in value.items():
                if isinstance(ids, list):
                    self.users[user] = dict.fromkeys(_strings(f"{name}.{user}", ids))
                else:
                    _skip(f"{name}.{user}", f"is a {_kind(ids)}, not an array")
        elif name in self.lists:
            target = self.lists[name]
            for key, items in value.items():
                if isinstance(items, list):
                    target[key] = list(items)
                else:
                    _skip(f"{name}.{key}", f"is a {_kind(items)}, not an array")
        else:
            self.objects[name] = dict(value)

    def _take_sessions(self, items: list[Any]) -> None:
        for index, session in enumerate(items):
            session_id = session.get("id") if isinstance(session, dict) else None
            if isinstance(session_id, str):
                self.sessions[session_id] = session
            else:
                _skip(f"sessions[{index}]", 'is not an object with a string "id"')


def _strings(where: str, items: list[Any]) -> list[str]:
    kept = [item for item in items if isinstance(item, str)]
    if len(kept) != len(items):
        _skip(where, f"{len(items) - len(kept)} item(s) that are not session ids")
    return kept


def _copy_top(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def _kind(value: Any) -> str:
    """The JSON type name of a value, for log messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def _skip(where: str, why: str) -> None:
    log.warning("restore: skipped %s: %s", where, why)

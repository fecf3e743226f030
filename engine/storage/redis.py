"""Redis mode: the dev state in Redis, with the semantics of `MemoryStorage`.

Layout under the key prefix `p` (default `afw:`); values are JSON as JavaScript prints it:
- `p<map>`: a hash per object-shaped map (sessions by id, bookmarks, frequencies, …, and any
  unknown map, whose name is escaped: `%` -> `%25`, `:` -> `%3A`).
- list maps (events, chains, chatHistory, queues, harmony checks): `p<map>` is a hash naming
  the keys present, each key's items a Redis list `p<map>:<key>`.
- `sessionsByUser`: `p sessionsByUser` names the users; each user's ids a sorted set
  `psessionsByUser:<user>` scored by insertion. `followedSessions`: a sorted set likewise.
- `telemetryEntries`: a list trimmed to the cap.
- bookkeeping under `p:` (never a map's key): `p:seq` (insertion counter), `p:order:sessions`,
  `p:order:bookmarks` (insertion order) and `p:maps` (unknown maps by creation).

Records come back as decoded copies: a change to one is stored by writing it back. Any failure
of Redis, or a stored value that does not decode, raises a `redis.RedisError`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from statesnap.engine.format.jsjson import JSONInputError, js_dumps, js_loads
from statesnap.engine.format.snapshot import DATA_KEYS
from statesnap.engine.format.timestamps import now_iso
from statesnap.engine.storage.memory import (
    ARRAY_MAPS,
    DEFAULT_MAX_EVENTS_PER_SESSION,
    DEFAULT_MAX_SESSIONS,
    DEFAULT_MAX_TELEMETRY_ENTRIES,
    LIST_MAPS,
    SESSION_LIST_MAPS,
    SESSION_OBJECT_MAPS,
    check_key,
    events_since,
    extension_count,
    is_finished,
    record_id,
    session_user,
)

__all__ = ["DEFAULT_REDIS_PREFIX", "DEFAULT_SOCKET_TIMEOUT_S", "RedisStorage"]

log = logging.getLogger(__name__)

DEFAULT_REDIS_PREFIX: Final = "afw:"
DEFAULT_SOCKET_TIMEOUT_S: Final = 1.0

# Remove a member from a sorted set, and the set's name from its index hash once it is empty.
_DROP_MEMBER_LUA: Final = """
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('HDEL', KEYS[2], ARGV[2])
end
return 1
"""


def _text(raw: Any) -> str:
    """A key or member name as Redis returned it (bytes) as text."""
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "surrogatepass")
    if isinstance(raw, str):
        return raw
    raise redis.DataError(f"unexpected reply {type(raw).__name__} where a name was expected")


def _as_bytes(raw: bytes | str) -> bytes:
    return raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")


def _decode(raw: bytes | str, where: str) -> Any:
    """A stored JSON value; redis.DataError if it does not decode."""
    try:
        return js_loads(_as_bytes(raw))
    except (JSONInputError, UnicodeError) as exc:
        raise redis.DataError(f"stored value at {where} is not JSON: {exc}") from None


def _decode_items(raws: Sequence[bytes | str], where: str) -> list[Any]:
    """Stored JSON items of a list, decoded in one parse."""
    if not raws:
        return []
    items = _decode(b"[" + b",".join(_as_bytes(raw) for raw in raws) + b"]", where)
    if not isinstance(items, list) or len(items) != len(raws):
        raise redis.DataError(f"stored items at {where} are not JSON values")
    return items


def _escape_map_name(name: str) -> str:
    return name.replace("%", "%25").replace(":", "%3A")


class RedisStorage:
    """The dev state in Redis (redis-py, synchronous, short socket timeouts).

    Same API, caps and cascades as `MemoryStorage`. Constructing it never connects; the first
    call does. `client` replaces the client built from `url` (its options are then its own).
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = DEFAULT_REDIS_PREFIX,
        socket_timeout_s: float = DEFAULT_SOCKET_TIMEOUT_S,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        max_events_per_session: int = DEFAULT_MAX_EVENTS_PER_SESSION,
        max_telemetry_entries: int = DEFAULT_MAX_TELEMETRY_ENTRIES,
        client: redis.Redis | None = None,
    ) -> None:
        if min(max_sessions, max_events_per_session, max_telemetry_entries) < 1:
            raise ValueError("caps must be at least 1")
        self.prefix = prefix
        self.max_sessions = max_sessions
        self.max_events_per_session = max_events_per_session
        self.max_telemetry_entries = max_telemetry_entries
        self._redis: redis.Redis = client or redis.Redis.from_url(
            url,
            socket_timeout=socket_timeout_s,
            socket_connect_timeout=socket_timeout_s,
            encoding_errors="surrogatepass",
            # One immediate retry on a dropped connection (a pooled socket to a restarted
            # server); a server that is down fails fast, for the circuit breaker to count.
            retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
        )
        self._drop_member_script = self._redis.register_script(_DROP_MEMBER_LUA)
        self._seq = prefix + ":seq"
        self._session_order = prefix + ":order:sessions"
        self._bookmark_order = prefix + ":order:bookmarks"
        self._unknown_maps = prefix + ":maps"

    @property
    def mode(self) -> str:
        """The storage mode: always `"redis"`."""
        return "redis"

    def close(self) -> None:
        """Release the client's connections."""
        self._redis.close()

    def clear(self) -> int:
        """Delete every key under this storage's prefix; return how many were deleted."""
        pattern = "".join("\\" + c if c in "*?[]^-\\" else c for c in self.prefix) + "*"
        deleted = 0
        batch: list[bytes] = []
        for key in self._redis.scan_iter(match=pattern, count=500):
            batch.append(key)
            if len(batch) >= 500:
                deleted += int(self._redis.delete(*batch))
                batch.clear()
        if batch:
            deleted += int(self._redis.delete(*batch))
        return deleted

    # -- key names ------------------------------------------------------------------------

    def _map_key(self, map_name: str) -> str:
        if map_name in DATA_KEYS:
            return self.prefix + map_name
        return self.prefix + _escape_map_name(map_name)

    def _list_key(self, map_name: str, key: str) -> str:
        return f"{self.prefix}{map_name}:{key}"

    def _user_key(self, user: str) -> str:
        return f"{self.prefix}sessionsByUser:{user}"

    def _next_seq(self, count: int = 1) -> int:
        return int(self._redis.incrby(self._seq, count))

    def _drop_member(self, pipe: Any, user: str, session_id: str) -> None:
        self._drop_member_script(
            keys=[self._user_key(user), self._map_key("sessionsByUser")],
            args=[session_id, user],
            client=pipe,
        )

    # -- sessions -------------------------------------------------------------------------

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        """A copy of the session record, or None."""
        raw = self._redis.hget(self._map_key("sessions"), session_id)
        return None if raw is None else self._session_from(raw, session_id)

    def _session_from(self, raw: bytes | str, session_id: str) -> dict[str, Any]:
        session = _decode(raw, f"sessions.{session_id}")
        if not isinstance(session, dict):
            raise redis.DataError(f"stored session {session_id} is not an object")
        return session

    def set_session(self, session: dict[str, Any]) -> None:
        """Insert the session, or replace the one with its `id` (which keeps its place).

        Keeps `sessionsByUser` in step, stamps `session:<id>` fresh and, after an insert
        beyond `max_sessions`, evicts the oldest finished sessions (never this one).
        """
        session_id = record_id(session)
        payload = js_dumps(session)
        sessions = self._map_key("sessions")
        old_raw = self._redis.hget(sessions, session_id)
        old_user = session_user(self._session_from(old_raw, session_id)) if old_raw else None
        user = session_user(session)
        seq = self._next_seq()
        pipe = self._redis.pipeline()
        pipe.hset(sessions, session_id, payload)
        pipe.zadd(self._session_order, {session_id: seq}, nx=True)
        if old_user is not None and old_user != user:
            self._drop_member(pipe, old_user, session_id)
        if user is not None:
            pipe.zadd(self._user_key(user), {session_id: seq}, nx=True)
            pipe.hset(self._map_key("sessionsByUser"), user, b"1")
        pipe.hset(self._map_key("resourceFreshness"), f"session:{session_id}", js_dumps(now_iso()))
        pipe.hlen(sessions)
        results = pipe.execute()
        if results[0] == 1 and results[-1] > self.max_sessions:
            self._evict(keep=session_id)

    def _session_ids(self) -> list[str]:
        return [_text(raw) for raw in self._redis.zrange(self._session_order, 0, -1)]

    def list_sessions(self) -> list[dict[str, Any]]:
        """Copies of all session records, oldest insert first."""
        ids = self._session_ids()
        if not ids:
            return []
        raws = self._redis.hmget(self._map_key("sessions"), ids)
        return [self._session_from(raw, sid) for sid, raw in zip(ids, raws, strict=True) if raw]

    def _evict(self, keep: str) -> None:
        ids = self._session_ids()
        excess = len(ids) - self.max_sessions
        if excess <= 0:
            return
        raws = self._redis.hmget(self._map_key("sessions"), ids)
        victims = [
            sid
            for sid, raw in zip(ids, raws, strict=True)
            if sid != keep and raw is not None and is_finished(self._session_from(raw, sid))
        ][:excess]
        for session_id in victims:
            log.info(
                "evicting finished session %s (over %d sessions)", session_id, self.max_sessions
            )
            self.delete_session(session_id)

    def delete_session(self, session_id: str) -> bool:
        """Delete a session and everything kept for it (as `MemoryStorage` does); whether the
        session existed."""
        chain_raws = self._redis.lrange(self._list_key("chains", session_id), 0, -1)
        chains = _decode_items(chain_raws, f"chains.{session_id}")
        users = [_text(raw) for raw in self._redis.hkeys(self._map_key("sessionsByUser"))]
        stamps = [f"session:{session_id}", f"events:{session_id}"]
        stamps += [
            f"chain:{chain['id']}"
            for chain in chains
            if isinstance(chain, dict) and isinstance(chain.get("id"), str)
        ]
        pipe = self._redis.pipeline()
        pipe.hdel(self._map_key("sessions"), session_id)
        pipe.zrem(self._session_order, session_id)
        for name in SESSION_LIST_MAPS:
            pipe.delete(self._list_key(name, session_id))
            pipe.hdel(self._map_key(name), session_id)
        for name in SESSION_OBJECT_MAPS:
            pipe.hdel(self._map_key(name), session_id)
        pipe.zrem(self._map_key("followedSessions"), session_id)
        for user in users:
            self._drop_member(pipe, user, session_id)
        pipe.hdel(self._map_key("resourceFreshness"), *stamps)
        return bool(pipe.execute()[0])

    def sessions_for_user(self, user: str) -> list[str]:
        """The ids of the user's sessions, in the order they were added."""
        return [_text(raw) for raw in self._redis.zrange(self._user_key(user), 0, -1)]

    # -- list maps ------------------------------------------------------------------------

    def _append(
        self, map_name: str, key: str, item: Any, *, cap: int = 0, stamp: str | None = None
    ) -> None:
        payload = js_dumps(item)
        list_key = self._list_key(map_name, key)
        pipe = self._redis.pipeline()
        pipe.hset(self._map_key(map_name), key, b"1")
        pipe.rpush(list_key, payload)
        if cap:
            pipe.ltrim(list_key, -cap, -1)
        if stamp is not None:
            pipe.hset(self._map_key("resourceFreshness"), stamp, js_dumps(now_iso()))
        pipe.execute()

    def _items(self, map_name: str, key: str) -> list[Any]:
        raws = self._redis.lrange(self._list_key(map_name, key), 0, -1)
        return _decode_items(raws, f"{map_name}.{key}")

    def _take(self, map_name: str, key: str) -> list[Any]:
        pipe = self._redis.pipeline()
        pipe.lrange(self._list_key(map_name, key), 0, -1)
        pipe.delete(self._list_key(map_name, key))
        pipe.hdel(self._map_key(map_name), key)
        return _decode_items(pipe.execute()[0], f"{map_name}.{key}")

    def append_event(self, session_id: str, event: Any) -> None:
        """Append an event (dropping the oldest beyond the cap); stamp `events:<id>` fresh."""
        self._append(
            "events",
            session_id,
            event,
            cap=self.max_events_per_session,
            stamp=f"events:{session_id}",
        )

    def get_events(self, session_id: str) -> list[Any]:
        """The session's events, oldest first."""
        return self._items("events", session_id)

    def get_events_since(self, session_id: str, iso_timestamp: str) -> list[Any]:
        """The session's events whose `timestamp` is at or after `iso_timestamp`, oldest first.

        Raises ValueError if `iso_timestamp` is not an ISO-8601 time.
        """
        events_since((), iso_timestamp)  # validate before any I/O
        return events_since(self._items("events", session_id), iso_timestamp)

    def add_chain(self, session_id: str, chain: dict[str, Any]) -> None:
        """Append a chain record to the session's chains; stamp `chain:<chain id>` fresh."""
        chain_id = chain.get("id") if isinstance(chain, dict) else None
        stamp = f"chain:{chain_id}" if isinstance(chain_id, str) else None
        self._append("chains", session_id, chain, stamp=stamp)

    def get_chains(self, session_id: str) -> list[dict[str, Any]]:
        """The session's chain records, oldest first."""
        return self._items("chains", session_id)

    def append_chat_message(self, session_id: str, message: Any) -> None:
        """Append a message to the session's chat history."""
        self._append("chatHistory", session_id, message)

    def get_chat_history(self, session_id: str) -> list[Any]:
        """The session's chat messages, oldest first."""
        return self._items("chatHistory", session_id)

    def queue_command(self, session_id: str, command: Any) -> None:
        """Queue a command for the session."""
        self._append("commandsQueue", session_id, command)

    def take_commands(self, session_id: str) -> list[Any]:
        """Remove and return the session's queued commands, oldest first (atomically)."""
        return self._take("commandsQueue", session_id)

    def queue_input(self, session_id: str, value: Any) -> None:
        """Queue user input for the session."""
        self._append("inputQueue", session_id, value)

    def take_input(self, session_id: str) -> list[Any]:
        """Remove and return the session's queued input, oldest first (atomically)."""
        return self._take("inputQueue", session_id)

    # -- followed sessions, bookmarks, telemetry, TTL ---------------------------------------

    def follow_session(self, session_id: str) -> None:
        """Add the session to the followed set (a session already followed keeps its place)."""
        self._redis.zadd(self._map_key("followedSessions"), {session_id: self._next_seq()}, nx=True)

    def unfollow_session(self, session_id: str) -> bool:
        """Remove the session from the followed set; whether it was followed."""
        return bool(self._redis.zrem(self._map_key("followedSessions"), session_id))

    def followed_sessions(self) -> list[str]:
        """The followed session ids, in the order they were first followed."""
        raws = self._redis.zrange(self._map_key("followedSessions"), 0, -1)
        return [_text(raw) for raw in raws]

    def add_bookmark(self, bookmark: dict[str, Any]) -> None:
        """Store a bookmark under its `id` (replacing one with the same id, in place)."""
        self.set_entry("bookmarks", record_id(bookmark, "bookmark"), bookmark)

    def get_bookmarks(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """The stored bookmarks, oldest first; only the session's if `session_id`."""
        ids = [_text(raw) for raw in self._redis.zrange(self._bookmark_order, 0, -1)]
        if not ids:
            return []
        raws = self._redis.hmget(self._map_key("bookmarks"), ids)
        bookmarks = [
            _decode(raw, f"bookmarks.{bid}") for bid, raw in zip(ids, raws, strict=True) if raw
        ]
        return [
            bookmark
            for bookmark in bookmarks
            if session_id is None
            or (isinstance(bookmark, dict) and bookmark.get("sessionId") == session_id)
        ]

    def delete_bookmark(self, bookmark_id: str) -> bool:
        """Delete a bookmark; whether it existed."""
        return self.delete_entry("bookmarks", bookmark_id)

    def add_telemetry(self, entry: Any) -> None:
        """Append a telemetry entry (the oldest drop out beyond the cap)."""
        key = self._map_key("telemetryEntries")
        pipe = self._redis.pipeline()
        pipe.rpush(key, js_dumps(entry))
        pipe.ltrim(key, -self.max_telemetry_entries, -1)
        pipe.execute()

    def telemetry_entries(self) -> list[Any]:
        """The telemetry entries held, oldest first."""
        raws = self._redis.lrange(self._map_key("telemetryEntries"), 0, -1)
        return _decode_items(raws, "telemetryEntries")

    def extend_session_ttl(self, session_id: str, duration_ms: int) -> dict[str, Any]:
        """Set the session's expiry to now + `duration_ms` and count the extension (atomically).

        Returns the stored record `{"expiresAt": <epoch ms>, "extensionCount": n}`.
        """
        key = self._map_key("sessionTtlExtensions")
        stored: list[dict[str, Any]] = []

        def update(pipe: Any) -> None:
            raw = pipe.hget(key, session_id)
            previous = _decode(raw, f"sessionTtlExtensions.{session_id}") if raw else None
            record = {
                "expiresAt": int(datetime.now(UTC).timestamp() * 1000) + int(duration_ms),
                "extensionCount": extension_count(previous) + 1,
            }
            pipe.multi()
            pipe.hset(key, session_id, js_dumps(record))
            stored[:] = [record]

        self._redis.transaction(update, key)
        return stored[0]

    # -- any map --------------------------------------------------------------------------

    def get_entry(self, map_name: str, key: str) -> Any:
        """A copy of the value under `key` in `map_name`, or None (also for an absent map).

        Raises TypeError for followedSessions and telemetryEntries (arrays, not maps).
        """
        if map_name == "sessions":
            return self.get_session(key)
        if map_name in ARRAY_MAPS:
            raise TypeError(f"{map_name} is an array, not a map of entries")
        if map_name in LIST_MAPS or map_name == "sessionsByUser":
            pipe = self._redis.pipeline()
            pipe.hexists(self._map_key(map_name), key)
            if map_name == "sessionsByUser":
                pipe.zrange(self._user_key(key), 0, -1)
            else:
                pipe.lrange(self._list_key(map_name, key), 0, -1)
            present, raws = pipe.execute()
            if not present:
                return None
            if map_name == "sessionsByUser":
                return [_text(raw) for raw in raws]
            return _decode_items(raws, f"{map_name}.{key}")
        raw = self._redis.hget(self._map_key(map_name), key)
        return None if raw is None else _decode(raw, f"{map_name}.{key}")

    def set_entry(self, map_name: str, key: str, value: Any) -> None:
        """Store `value` under `key` in `map_name`; an unknown map is created.

        `sessions` goes through `set_session` (the value's `id` must be `key`); list maps take
        a list, `sessionsByUser` a list of session ids. Raises TypeError or ValueError for a
        value of the wrong shape or a map that is an array.
        """
        check_key(key)
        if map_name == "sessions":
            if record_id(value) != key:
                raise ValueError(f"session id {value['id']!r} does not match key {key!r}")
            self.set_session(value)
            return
        if map_name in ARRAY_MAPS:
            raise TypeError(f"{map_name} is an array, not a map of entries")
        if map_name == "sessionsByUser":
            self._set_members(key, value)
        elif map_name in LIST_MAPS:
            if not isinstance(value, list):
                raise TypeError(f"{map_name} entries are lists, not {type(value).__name__}")
            payloads = [js_dumps(item) for item in value]
            pipe = self._redis.pipeline()
            pipe.delete(self._list_key(map_name, key))
            if payloads:
                pipe.rpush(self._list_key(map_name, key), *payloads)
            pipe.hset(self._map_key(map_name), key, b"1")
            pipe.execute()
        else:
            payload = js_dumps(value)
            seq = self._next_seq()
            pipe = self._redis.pipeline()
            pipe.hset(self._map_key(map_name), key, payload)
            if map_name == "bookmarks":
                pipe.zadd(self._bookmark_order, {key: seq}, nx=True)
            elif map_name not in DATA_KEYS:
                pipe.zadd(self._unknown_maps, {map_name: seq}, nx=True)
            pipe.execute()

    def _set_members(self, user: str, ids: Any) -> None:
        if not isinstance(ids, list | tuple) or not all(isinstance(item, str) for item in ids):
            raise TypeError("sessionsByUser entries are lists of session ids")
        members = list(dict.fromkeys(ids))
        first = self._next_seq(len(members) or 1)
        pipe = self._redis.pipeline()
        pipe.delete(self._user_key(user))
        if members:
            pipe.zadd(self._user_key(user), {sid: first + i for i, sid in enumerate(members)})
        pipe.hset(self._map_key("sessionsByUser"), user, b"1")
        pipe.execute()

    def delete_entry(self, map_name: str, key: str) -> bool:
        """Delete `key` from `map_name` (a session: with its cascade); whether it existed."""
        if map_name == "sessions":
            return self.delete_session(key)
        if map_name in ARRAY_MAPS:
            raise TypeError(f"{map_name} is an array, not a map of entries")
        pipe = self._redis.pipeline()
        pipe.hdel(self._map_key(map_name), key)
        if map_name == "sessionsByUser":
            pipe.delete(self._user_key(key))
        elif map_name in LIST_MAPS:
            pipe.delete(self._list_key(map_name, key))
        elif map_name == "bookmarks":
            pipe.zrem(self._bookmark_order, key)
        return bool(pipe.execute()[0])

    def map_names(self) -> list[str]:
        """The 19 known maps in format order, then unknown maps in order of creation."""
        unknown = [_text(raw) for raw in self._redis.zrange(self._unknown_maps, 0, -1)]
        return [*DATA_KEYS, *unknown]

    def read_maps(self) -> dict[str, Any]:
        """Every map's content, shaped as in a snapshot's `data` (decoded copies)."""
        maps: dict[str, Any] = {}
        for name in self.map_names():
            if name == "sessions":
                maps[name] = self.list_sessions()
            elif name == "followedSessions":
                maps[name] = self.followed_sessions()
            elif name == "telemetryEntries":
                maps[name] = self.telemetry_entries()
            else:
                keys = [_text(raw) for raw in self._redis.hkeys(self._map_key(name))]
                maps[name] = {key: self.get_entry(name, key) for key in keys}
        return maps

    def map_size(self, map_name: str) -> int:
        """Entries in one map. Raises KeyError for a map that is not held."""
        if map_name not in DATA_KEYS and self._redis.zscore(self._unknown_maps, map_name) is None:
            raise KeyError(map_name)
        pipe = self._redis.pipeline(transaction=False)
        self._queue_size(pipe, map_name)
        return int(pipe.execute()[0])

    def count_entries(self) -> dict[str, int]:
        """Entries per map, in `map_names()` order."""
        names = self.map_names()
        pipe = self._redis.pipeline(transaction=False)
        for name in names:
            self._queue_size(pipe, name)
        return {name: int(size) for name, size in zip(names, pipe.execute(), strict=True)}

    def _queue_size(self, pipe: Any, map_name: str) -> None:
        key = self._map_key(map_name)
        if map_name == "followedSessions":
            pipe.zcard(key)
        elif map_name == "telemetryEntries":
            pipe.llen(key)
        else:
            pipe.hlen(key)

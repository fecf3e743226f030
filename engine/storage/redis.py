"""Redis mode: the dev state in Redis, with the semantics of `MemoryStorage`.

`RedisStorage` is `RedisSessionStore` (sessions and what is kept per session) plus entries of
any map by key, bookmarks, and reading the whole state. Records come back as decoded copies: a
change to one is stored by writing it back. Any failure of Redis, or a stored value that does
not decode, raises a `redis.RedisError`.
"""

from __future__ import annotations

from typing import Any

from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.format.schema import DATA_KEYS, LIST_MAPS
from statesnap.engine.storage.records import (
    check_key,
    check_keyed_map,
    record_id,
    session_ids,
    session_keyed,
)
from statesnap.engine.storage.redis_layout import DEFAULT_REDIS_PREFIX, decode, decode_items, text
from statesnap.engine.storage.redis_sessions import DEFAULT_SOCKET_TIMEOUT_S, RedisSessionStore

__all__ = ["DEFAULT_REDIS_PREFIX", "DEFAULT_SOCKET_TIMEOUT_S", "RedisStorage"]


class RedisStorage(RedisSessionStore):
    """The dev state in Redis: a `Storage` whose records are decoded copies (write a changed
    one back), with the same caps and cascades as `MemoryStorage`.

    `RedisStorage(url, prefix=…, socket_timeout_s=…, max_sessions=…, max_events_per_session=…,
    max_telemetry_entries=…, client=…)`. Constructing it never connects; the first call does.
    `client` replaces the client built from `url` (its options are then its own).
    """

    def add_bookmark(self, bookmark: dict[str, Any]) -> None:
        self.set_entry("bookmarks", record_id(bookmark, "bookmark"), bookmark)

    def get_bookmarks(self, session_id: str | None = None) -> list[dict[str, Any]]:
        ids = [text(raw) for raw in self._redis.zrange(self._keys.bookmark_order, 0, -1)]
        if not ids:
            return []
        raws = self._redis.hmget(self._keys.map("bookmarks"), ids)
        bookmarks = [
            decode(raw, f"bookmarks.{bid}") for bid, raw in zip(ids, raws, strict=True) if raw
        ]
        return [
            bookmark
            for bookmark in bookmarks
            if session_id is None
            or (isinstance(bookmark, dict) and bookmark.get("sessionId") == session_id)
        ]

    def delete_bookmark(self, bookmark_id: str) -> bool:
        return self.delete_entry("bookmarks", bookmark_id)

    # -- any map --------------------------------------------------------------------------

    def get_entry(self, map_name: str, key: str) -> Any:
        if map_name == "sessions":
            return self.get_session(key)
        check_keyed_map(map_name)
        if map_name in LIST_MAPS or map_name == "sessionsByUser":
            pipe = self._redis.pipeline()
            pipe.hexists(self._keys.map(map_name), key)
            if map_name == "sessionsByUser":
                pipe.zrange(self._keys.user(key), 0, -1)
            else:
                pipe.lrange(self._keys.items(map_name, key), 0, -1)
            present, raws = pipe.execute()
            if not present:
                return None
            if map_name == "sessionsByUser":
                return [text(raw) for raw in raws]
            return decode_items(raws, f"{map_name}.{key}")
        raw = self._redis.hget(self._keys.map(map_name), key)
        return None if raw is None else decode(raw, f"{map_name}.{key}")

    def set_entry(self, map_name: str, key: str, value: Any) -> None:
        check_key(key)
        if map_name == "sessions":
            self.set_session(session_keyed(value, key))
            return
        check_keyed_map(map_name)
        if map_name == "sessionsByUser":
            self._set_members(key, value)
        elif map_name in LIST_MAPS:
            if not isinstance(value, list):
                raise TypeError(f"{map_name} entries are lists, not {type(value).__name__}")
            payloads = [js_dumps(item) for item in value]
            pipe = self._redis.pipeline()
            pipe.delete(self._keys.items(map_name, key))
            if payloads:
                pipe.rpush(self._keys.items(map_name, key), *payloads)
            pipe.hset(self._keys.map(map_name), key, b"1")
            pipe.execute()
        else:
            payload = js_dumps(value)
            seq = self._next_seq()
            pipe = self._redis.pipeline()
            pipe.hset(self._keys.map(map_name), key, payload)
            if map_name == "bookmarks":
                pipe.zadd(self._keys.bookmark_order, {key: seq}, nx=True)
            elif map_name not in DATA_KEYS:
                pipe.zadd(self._keys.unknown_maps, {map_name: seq}, nx=True)
            pipe.execute()

    def _set_members(self, user: str, ids: Any) -> None:
        members = list(dict.fromkeys(session_ids(ids)))
        first = self._next_seq(len(members) or 1)
        pipe = self._redis.pipeline()
        pipe.delete(self._keys.user(user))
        if members:
            pipe.zadd(self._keys.user(user), {sid: first + i for i, sid in enumerate(members)})
        pipe.hset(self._keys.map("sessionsByUser"), user, b"1")
        pipe.execute()

    def delete_entry(self, map_name: str, key: str) -> bool:
        if map_name == "sessions":
            return self.delete_session(key)
        check_keyed_map(map_name)
        pipe = self._redis.pipeline()
        pipe.hdel(self._keys.map(map_name), key)
        if map_name == "sessionsByUser":
            pipe.delete(self._keys.user(key))
        elif map_name in LIST_MAPS:
            pipe.delete(self._keys.items(map_name, key))
        elif map_name == "bookmarks":
            pipe.zrem(self._keys.bookmark_order, key)
        return bool(pipe.execute()[0])

    def map_names(self) -> list[str]:
        """The 19 known maps in format order, then unknown maps in order of creation (Redis
        keeps no file's key order)."""
        unknown = [text(raw) for raw in self._redis.zrange(self._keys.unknown_maps, 0, -1)]
        return [*DATA_KEYS, *unknown]

    def read_maps(self) -> dict[str, Any]:
        maps: dict[str, Any] = {}
        for name in self.map_names():
            if name == "sessions":
                maps[name] = self.list_sessions()
            elif name == "followedSessions":
                maps[name] = self.followed_sessions()
            elif name == "telemetryEntries":
                maps[name] = self.telemetry_entries()
            else:
                keys = [text(raw) for raw in self._redis.hkeys(self._keys.map(name))]
                maps[name] = {key: self.get_entry(name, key) for key in keys}
        return maps

    def map_size(self, map_name: str) -> int:
        if (
            map_name not in DATA_KEYS
            and self._redis.zscore(self._keys.unknown_maps, map_name) is None
        ):
            raise KeyError(map_name)
        pipe = self._redis.pipeline(transaction=False)
        self._queue_size(pipe, map_name)
        return int(pipe.execute()[0])

    def count_entries(self) -> dict[str, int]:
        names = self.map_names()
        pipe = self._redis.pipeline(transaction=False)
        for name in names:
            self._queue_size(pipe, name)
        return {name: int(size) for name, size in zip(names, pipe.execute(), strict=True)}

    def _queue_size(self, pipe: Any, map_name: str) -> None:
        key = self._keys.map(map_name)
        if map_name == "followedSessions":
            pipe.zcard(key)
        elif map_name == "telemetryEntries":
            pipe.llen(key)
        else:
            pipe.hlen(key)

"""Redis mode, first half: the client, sessions and everything kept per session, in Redis.

`RedisSessionStore` holds sessions (with their cap, eviction and delete cascade), the
per-session arrays (events, chains, chat, queues), followed sessions, telemetry and TTL
extensions; `RedisStorage` (`redis.py`) adds entries of any map by key. Where each map lives is
`redis_layout`'s to say. Any failure of Redis, or a stored value that does not decode, raises
a `redis.RedisError`.
"""

from __future__ import annotations

import logging
from typing import Any, Final

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.format.schema import (
    SESSION_LIST_MAPS,
    SESSION_OBJECT_MAPS,
    is_finished,
)
from statesnap.engine.format.timestamps import now_iso
from statesnap.engine.storage.records import (
    DEFAULT_MAX_EVENTS_PER_SESSION,
    DEFAULT_MAX_SESSIONS,
    DEFAULT_MAX_TELEMETRY_ENTRIES,
    check_caps,
    events_since,
    extended_ttl,
    record_id,
    session_user,
)
from statesnap.engine.storage.redis_layout import (
    DEFAULT_REDIS_PREFIX,
    DROP_MEMBER_LUA,
    RedisKeys,
    decode,
    decode_items,
    text,
)

__all__ = ["DEFAULT_SOCKET_TIMEOUT_S", "RedisSessionStore"]

log = logging.getLogger(__name__)

DEFAULT_SOCKET_TIMEOUT_S: Final = 1.0


class RedisSessionStore:
    """Sessions and what is kept per session, in Redis (redis-py, synchronous, short socket
    timeouts); the base of `RedisStorage`, whose doc says how to make one."""

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
        check_caps(max_sessions, max_events_per_session, max_telemetry_entries)
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
        self._drop_member_script = self._redis.register_script(DROP_MEMBER_LUA)
        self._keys = RedisKeys(prefix)

    @property
    def mode(self) -> str:
        return "redis"

    def close(self) -> None:
        """Release the client's connections."""
        self._redis.close()

    def clear(self) -> int:
        """Delete every key under this storage's prefix; return how many were deleted."""
        pattern = self._keys.scan_pattern()
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

    def _next_seq(self, count: int = 1) -> int:
        return int(self._redis.incrby(self._keys.seq, count))

    def _drop_member(self, pipe: Any, user: str, session_id: str) -> None:
        self._drop_member_script(
            keys=[self._keys.user(user), self._keys.map("sessionsByUser")],
            args=[session_id, user],
            client=pipe,
        )

    # -- sessions -------------------------------------------------------------------------

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        raw = self._redis.hget(self._keys.map("sessions"), session_id)
        return None if raw is None else self._session_from(raw, session_id)

    def _session_from(self, raw: bytes | str, session_id: str) -> dict[str, Any]:
        session = decode(raw, f"sessions.{session_id}")
        if not isinstance(session, dict):
            raise redis.DataError(f"stored session {session_id} is not an object")
        return session

    def set_session(self, session: dict[str, Any]) -> None:
        session_id = record_id(session)
        payload = js_dumps(session)
        sessions = self._keys.map("sessions")
        old_raw = self._redis.hget(sessions, session_id)
        old_user = session_user(self._session_from(old_raw, session_id)) if old_raw else None
        user = session_user(session)
        seq = self._next_seq()
        pipe = self._redis.pipeline()
        pipe.hset(sessions, session_id, payload)
        pipe.zadd(self._keys.session_order, {session_id: seq}, nx=True)
        if old_user is not None and old_user != user:
            self._drop_member(pipe, old_user, session_id)
        if user is not None:
            pipe.zadd(self._keys.user(user), {session_id: seq}, nx=True)
            pipe.hset(self._keys.map("sessionsByUser"), user, b"1")
        pipe.hset(self._keys.map("resourceFreshness"), f"session:{session_id}", js_dumps(now_iso()))
        pipe.hlen(sessions)
        results = pipe.execute()
        if results[0] == 1 and results[-1] > self.max_sessions:
            self._evict(keep=session_id)

    def _session_ids(self) -> list[str]:
        return [text(raw) for raw in self._redis.zrange(self._keys.session_order, 0, -1)]

    def list_sessions(self) -> list[dict[str, Any]]:
        ids = self._session_ids()
        if not ids:
            return []
        raws = self._redis.hmget(self._keys.map("sessions"), ids)
        return [self._session_from(raw, sid) for sid, raw in zip(ids, raws, strict=True) if raw]

    def _evict(self, keep: str) -> None:
        ids = self._session_ids()
        excess = len(ids) - self.max_sessions
        if excess <= 0:
            return
        raws = self._redis.hmget(self._keys.map("sessions"), ids)
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
        chain_raws = self._redis.lrange(self._keys.items("chains", session_id), 0, -1)
        chains = decode_items(chain_raws, f"chains.{session_id}")
        users = [text(raw) for raw in self._redis.hkeys(self._keys.map("sessionsByUser"))]
        stamps = [f"session:{session_id}", f"events:{session_id}"]
        stamps += [
            f"chain:{chain['id']}"
            for chain in chains
            if isinstance(chain, dict) and isinstance(chain.get("id"), str)
        ]
        pipe = self._redis.pipeline()
        pipe.hdel(self._keys.map("sessions"), session_id)
        pipe.zrem(self._keys.session_order, session_id)
        for name in SESSION_LIST_MAPS:
            pipe.delete(self._keys.items(name, session_id))
            pipe.hdel(self._keys.map(name), session_id)
        for name in SESSION_OBJECT_MAPS:
            pipe.hdel(self._keys.map(name), session_id)
        pipe.zrem(self._keys.map("followedSessions"), session_id)
        for user in users:
            self._drop_member(pipe, user, session_id)
        pipe.hdel(self._keys.map("resourceFreshness"), *stamps)
        return bool(pipe.execute()[0])

    def sessions_for_user(self, user: str) -> list[str]:
        return [text(raw) for raw in self._redis.zrange(self._keys.user(user), 0, -1)]

    # -- list maps ------------------------------------------------------------------------

    def _append(
        self, map_name: str, key: str, item: Any, *, cap: int = 0, stamp: str | None = None
    ) -> None:
        payload = js_dumps(item)
        list_key = self._keys.items(map_name, key)
        pipe = self._redis.pipeline()
        pipe.hset(self._keys.map(map_name), key, b"1")
        pipe.rpush(list_key, payload)
        if cap:
            pipe.ltrim(list_key, -cap, -1)
        if stamp is not None:
            pipe.hset(self._keys.map("resourceFreshness"), stamp, js_dumps(now_iso()))
        pipe.execute()

    def _items(self, map_name: str, key: str) -> list[Any]:
        raws = self._redis.lrange(self._keys.items(map_name, key), 0, -1)
        return decode_items(raws, f"{map_name}.{key}")

    def _take(self, map_name: str, key: str) -> list[Any]:
        pipe = self._redis.pipeline()
        pipe.lrange(self._keys.items(map_name, key), 0, -1)
        pipe.delete(self._keys.items(map_name, key))
        pipe.hdel(self._keys.map(map_name), key)
        return decode_items(pipe.execute()[0], f"{map_name}.{key}")

    def append_event(self, session_id: str, event: Any) -> None:
        self._append(
            "events",
            session_id,
            event,
            cap=self.max_events_per_session,
            stamp=f"events:{session_id}",
        )

    def get_events(self, session_id: str) -> list[Any]:
        return self._items("events", session_id)

    def get_events_since(self, session_id: str, iso_timestamp: str) -> list[Any]:
        events_since((), iso_timestamp)  # validate before any I/O
        return events_since(self._items("events", session_id), iso_timestamp)

    def add_chain(self, session_id: str, chain: dict[str, Any]) -> None:
        chain_id = chain.get("id") if isinstance(chain, dict) else None
        stamp = f"chain:{chain_id}" if isinstance(chain_id, str) else None
        self._append("chains", session_id, chain, stamp=stamp)

    def get_chains(self, session_id: str) -> list[dict[str, Any]]:
        return self._items("chains", session_id)

    def append_chat_message(self, session_id: str, message: Any) -> None:
        self._append("chatHistory", session_id, message)

    def get_chat_history(self, session_id: str) -> list[Any]:
        return self._items("chatHistory", session_id)

    def queue_command(self, session_id: str, command: Any) -> None:
        self._append("commandsQueue", session_id, command)

    def take_commands(self, session_id: str) -> list[Any]:
        return self._take("commandsQueue", session_id)

    def queue_input(self, session_id: str, value: Any) -> None:
        self._append("inputQueue", session_id, value)

    def take_input(self, session_id: str) -> list[Any]:
        return self._take("inputQueue", session_id)

    # -- followed sessions, bookmarks, telemetry, TTL ---------------------------------------

    def follow_session(self, session_id: str) -> None:
        self._redis.zadd(
            self._keys.map("followedSessions"), {session_id: self._next_seq()}, nx=True
        )

    def unfollow_session(self, session_id: str) -> bool:
        return bool(self._redis.zrem(self._keys.map("followedSessions"), session_id))

    def followed_sessions(self) -> list[str]:
        raws = self._redis.zrange(self._keys.map("followedSessions"), 0, -1)
        return [text(raw) for raw in raws]

    def add_telemetry(self, entry: Any) -> None:
        key = self._keys.map("telemetryEntries")
        pipe = self._redis.pipeline()
        pipe.rpush(key, js_dumps(entry))
        pipe.ltrim(key, -self.max_telemetry_entries, -1)
        pipe.execute()

    def telemetry_entries(self) -> list[Any]:
        raws = self._redis.lrange(self._keys.map("telemetryEntries"), 0, -1)
        return decode_items(raws, "telemetryEntries")

    def extend_session_ttl(self, session_id: str, duration_ms: int) -> dict[str, Any]:
        key = self._keys.map("sessionTtlExtensions")
        stored: list[dict[str, Any]] = []

        def update(pipe: Any) -> None:
            raw = pipe.hget(key, session_id)
            previous = decode(raw, f"sessionTtlExtensions.{session_id}") if raw else None
            record = extended_ttl(previous, duration_ms)
            pipe.multi()
            pipe.hset(key, session_id, js_dumps(record))
            stored[:] = [record]

        self._redis.transaction(update, key)
        return stored[0]

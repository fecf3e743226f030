"""The storage modes: the `Storage` protocol a dev server codes against, and `create_storage`.

Memory mode (`MemoryStorage`) keeps the state in process and is the one snapshots persist.
Redis mode (`AFW_REDIS_URL` set) keeps it in Redis behind a circuit breaker that falls back to
memory (`ResilientStorage`); the state then lives elsewhere, so snapshots are off.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, Protocol, runtime_checkable

from redis.connection import parse_url
from statesnap.engine.storage.memory import MemoryStorage
from statesnap.engine.storage.redis import DEFAULT_REDIS_PREFIX, RedisStorage
from statesnap.engine.storage.resilient import ResilientStorage

__all__ = ["Storage", "StorageConfigError", "check_storage_config", "create_storage"]


class StorageConfigError(ValueError):
    """The environment asks for a storage that cannot be set up (a malformed AFW_REDIS_URL)."""


@runtime_checkable
class Storage(Protocol):
    """What a dev server uses of its state store, in every mode.

    In memory mode returned records are the live stored objects; in Redis mode they are
    decoded copies, so write a changed record back (`set_session`, `set_entry`).
    """

    @property
    def mode(self) -> str:
        """`"memory"`, `"redis"`, or `"fallback"` (Redis unreachable, memory serving)."""
        ...

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        """The session record, or None."""
        ...

    def set_session(self, session: dict[str, Any]) -> None:
        """Insert or replace a session by its `id` (evicting the oldest finished beyond the cap)."""
        ...

    def list_sessions(self) -> list[dict[str, Any]]:
        """All sessions, oldest insert first."""
        ...

    def delete_session(self, session_id: str) -> bool:
        """Delete a session and everything kept for it; whether it existed."""
        ...

    def sessions_for_user(self, user: str) -> list[str]:
        """The ids of the user's sessions, in the order they were added."""
        ...

    def append_event(self, session_id: str, event: Any) -> None:
        """Append an event to the session's (capped) events."""
        ...

    def get_events(self, session_id: str) -> list[Any]:
        """The session's events, oldest first."""
        ...

    def get_events_since(self, session_id: str, iso_timestamp: str) -> list[Any]:
        """The session's events at or after an ISO-8601 time, oldest first."""
        ...

    def add_chain(self, session_id: str, chain: dict[str, Any]) -> None:
        """Append a chain record to the session's chains."""
        ...

    def get_chains(self, session_id: str) -> list[dict[str, Any]]:
        """The session's chain records, oldest first."""
        ...

    def append_chat_message(self, session_id: str, message: Any) -> None:
        """Append a message to the session's chat history."""
        ...

    def get_chat_history(self, session_id: str) -> list[Any]:
        """The session's chat messages, oldest first."""
        ...

    def queue_command(self, session_id: str, command: Any) -> None:
        """Queue a command for the session."""
        ...

    def take_commands(self, session_id: str) -> list[Any]:
        """Remove and return the session's queued commands, oldest first."""
        ...

    def queue_input(self, session_id: str, value: Any) -> None:
        """Queue user input for the session."""
        ...

    def take_input(self, session_id: str) -> list[Any]:
        """Remove and return the session's queued input, oldest first."""
        ...

    def follow_session(self, session_id: str) -> None:
        """Add the session to the followed set."""
        ...

    def unfollow_session(self, session_id: str) -> bool:
        """Remove the session from the followed set; whether it was followed."""
        ...

    def followed_sessions(self) -> list[str]:
        """The followed session ids, in the order they were first followed."""
        ...

    def add_bookmark(self, bookmark: dict[str, Any]) -> None:
        """Store a bookmark under its `id`."""
        ...

    def get_bookmarks(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """The bookmarks, oldest first; only the session's if `session_id` is given."""
        ...

    def delete_bookmark(self, bookmark_id: str) -> bool:
        """Delete a bookmark; whether it existed."""
        ...

    def add_telemetry(self, entry: Any) -> None:
        """Append a telemetry entry to the (capped) ring buffer."""
        ...

    def telemetry_entries(self) -> list[Any]:
        """The telemetry entries held, oldest first."""
        ...

    def extend_session_ttl(self, session_id: str, duration_ms: int) -> dict[str, Any]:
        """Set the session's expiry to now + `duration_ms`; the `{expiresAt, extensionCount}`."""
        ...

    def get_entry(self, map_name: str, key: str) -> Any:
        """The value under `key` in any object-shaped map, or None."""
        ...

    def set_entry(self, map_name: str, key: str, value: Any) -> None:
        """Store a value under `key` in any object-shaped map (an unknown map is created)."""
        ...

    def delete_entry(self, map_name: str, key: str) -> bool:
        """Delete `key` from an object-shaped map; whether it existed."""
        ...

    def map_names(self) -> list[str]:
        """Every map held."""
        ...

    def map_size(self, map_name: str) -> int:
        """Entries in one map; KeyError for a map not held."""
        ...

    def count_entries(self) -> dict[str, int]:
        """Entries per map."""
        ...

    def read_maps(self) -> dict[str, Any]:
        """Every map's content, shaped as in a snapshot's `data` (for browsing the live state)."""
        ...


def check_storage_config(env: Mapping[str, str] = os.environ) -> str | None:
    """The Redis URL the environment gives (None: memory mode); StorageConfigError, naming the
    variable, if it cannot be one. Connects to nothing."""
    url = env.get("AFW_REDIS_URL")
    if not url:
        return None
    parse: Callable[[str], object] = parse_url  # redis-py leaves it unannotated
    try:
        parse(url)
    except ValueError as exc:
        raise StorageConfigError(f"AFW_REDIS_URL={url!r} is not a Redis URL: {exc}") from None
    return url


def create_storage(env: Mapping[str, str] = os.environ) -> Storage:
    """The storage the environment asks for.

    `AFW_REDIS_URL` set: Redis (keys prefixed by `AFW_REDIS_PREFIX`, default `afw:`) behind a
    circuit breaker with an in-memory fallback. Unset: a `MemoryStorage`. Never connects.
    StorageConfigError, naming the variable, if the URL cannot be a Redis URL.
    """
    url = check_storage_config(env)
    if url is None:
        return MemoryStorage()
    primary = RedisStorage(url, prefix=env.get("AFW_REDIS_PREFIX", DEFAULT_REDIS_PREFIX))
    return ResilientStorage(primary, MemoryStorage())

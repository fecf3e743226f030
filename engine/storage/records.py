"""The rules every storage applies to what it is given: caps, ids, keys, users, times, TTLs.

`MemoryStorage` and `RedisStorage` keep the state differently but must accept, refuse and
derive exactly the same things; each rule lives here once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final

from statesnap.engine.format.schema import ARRAY_MAPS
from statesnap.engine.format.timestamps import parse_iso

__all__ = [
    "DEFAULT_MAX_EVENTS_PER_SESSION",
    "DEFAULT_MAX_SESSIONS",
    "DEFAULT_MAX_TELEMETRY_ENTRIES",
    "check_caps",
    "check_key",
    "check_keyed_map",
    "events_since",
    "extended_ttl",
    "record_id",
    "session_ids",
    "session_keyed",
    "session_user",
]

DEFAULT_MAX_SESSIONS: Final = 1000
DEFAULT_MAX_EVENTS_PER_SESSION: Final = 10_000
DEFAULT_MAX_TELEMETRY_ENTRIES: Final = 10_000


def check_caps(*caps: int) -> None:
    """ValueError unless every cap is at least 1."""
    if min(caps) < 1:
        raise ValueError("caps must be at least 1")


def record_id(record: Any, what: str = "session") -> str:
    """The `id` of a record (a session, a bookmark); TypeError/ValueError unless the record
    is a dict with a string `id`."""
    if not isinstance(record, dict):
        raise TypeError(f"a {what} must be a dict, not {type(record).__name__}")
    found = record.get("id")
    if not isinstance(found, str):
        raise ValueError(f'a {what} needs a string "id"')
    return found


def session_keyed(session: Any, key: str) -> dict[str, Any]:
    """The session given as the `sessions` entry under `key`; ValueError if its id is another."""
    if record_id(session) != key:
        raise ValueError(f"session id {session['id']!r} does not match key {key!r}")
    return session  # type: ignore[no-any-return]  # record_id checked it is a dict


def check_key(key: Any) -> str:
    """`key` itself if it is a string; TypeError otherwise (map keys are JSON object keys)."""
    if not isinstance(key, str):
        raise TypeError(f"map keys are strings, not {type(key).__name__}")
    return key


def check_keyed_map(map_name: str) -> None:
    """TypeError for a map that is a plain array (it has no entries by key)."""
    if map_name in ARRAY_MAPS:
        raise TypeError(f"{map_name} is an array, not a map of entries")


def session_ids(value: Any) -> list[str]:
    """A `sessionsByUser` entry as a list; TypeError unless it is a list of strings."""
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise TypeError("sessionsByUser entries are lists of session ids")
    return list(value)


def session_user(session: dict[str, Any] | None) -> str | None:
    """The session's `user` if it is a string."""
    user = session.get("user") if session is not None else None
    return user if isinstance(user, str) else None


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


def extended_ttl(previous: Any, duration_ms: int) -> dict[str, Any]:
    """The TTL extension record after one more extension: `{"expiresAt": now + duration_ms
    (epoch ms), "extensionCount": the previous record's count + 1}`."""
    count = previous.get("extensionCount") if isinstance(previous, dict) else None
    counted = count if isinstance(count, int) and not isinstance(count, bool) else 0
    return {
        "expiresAt": int(datetime.now(UTC).timestamp() * 1000) + int(duration_ms),
        "extensionCount": counted + 1,
    }

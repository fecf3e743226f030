"""How `RedisStorage` lays the state out in Redis: key names, and the values' encoding.

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

A stored value that does not decode raises `redis.DataError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import redis
from statesnap.engine.format.js_reader import js_loads
from statesnap.engine.format.jsjson_limits import JSONInputError
from statesnap.engine.format.schema import DATA_KEYS

__all__ = [
    "DEFAULT_REDIS_PREFIX",
    "DROP_MEMBER_LUA",
    "RedisKeys",
    "decode",
    "decode_items",
    "text",
]

DEFAULT_REDIS_PREFIX: Final = "afw:"

DROP_MEMBER_LUA: Final = """
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('HDEL', KEYS[2], ARGV[2])
end
return 1
"""
"""Remove a member from a sorted set, and the set's name from its index hash once it is empty."""


class RedisKeys:
    """The key names under one prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.seq = prefix + ":seq"
        self.session_order = prefix + ":order:sessions"
        self.bookmark_order = prefix + ":order:bookmarks"
        self.unknown_maps = prefix + ":maps"

    def map(self, map_name: str) -> str:
        """The key of a map (its hash, sorted set or list)."""
        if map_name in DATA_KEYS:
            return self.prefix + map_name
        return self.prefix + map_name.replace("%", "%25").replace(":", "%3A")

    def items(self, map_name: str, key: str) -> str:
        """The list holding one key's items in a list map."""
        return f"{self.prefix}{map_name}:{key}"

    def user(self, user: str) -> str:
        """The sorted set of one user's session ids."""
        return f"{self.prefix}sessionsByUser:{user}"

    def scan_pattern(self) -> str:
        """A SCAN pattern matching every key under the prefix."""
        return "".join("\\" + c if c in "*?[]^-\\" else c for c in self.prefix) + "*"


def text(raw: Any) -> str:
    """A key or member name as Redis returned it (bytes) as text."""
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "surrogatepass")
    if isinstance(raw, str):
        return raw
    raise redis.DataError(f"unexpected reply {type(raw).__name__} where a name was expected")


def _as_bytes(raw: bytes | str) -> bytes:
    return raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")


def decode(raw: bytes | str, where: str) -> Any:
    """A stored JSON value; redis.DataError if it does not decode."""
    try:
        return js_loads(_as_bytes(raw))
    except (JSONInputError, UnicodeError) as exc:
        raise redis.DataError(f"stored value at {where} is not JSON: {exc}") from None


def decode_items(raws: Sequence[bytes | str], where: str) -> list[Any]:
    """Stored JSON items of a list, decoded in one parse."""
    if not raws:
        return []
    items = decode(b"[" + b",".join(_as_bytes(raw) for raw in raws) + b"]", where)
    if not isinstance(items, list) or len(items) != len(raws):
        raise redis.DataError(f"stored items at {where} are not JSON values")
    return items

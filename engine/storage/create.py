"""Choosing the storage from the environment: memory, or Redis behind a circuit breaker.

Memory mode (`MemoryStorage`) keeps the state in process and is the one snapshots persist.
Redis mode (`AFW_REDIS_URL` set) keeps it in Redis behind a circuit breaker that falls back to
memory (`ResilientStorage`); the state then lives elsewhere, so snapshots are off.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from statesnap.engine.storage.memory import MemoryStorage
from statesnap.engine.storage.protocol import Storage

__all__ = ["StorageConfigError", "check_storage_config", "create_storage"]


class StorageConfigError(ValueError):
    """The environment asks for a storage that cannot be set up (a malformed AFW_REDIS_URL)."""


def check_storage_config(env: Mapping[str, str] = os.environ) -> str | None:
    """The Redis URL the environment gives (None: memory mode); StorageConfigError, naming the
    variable, if it cannot be one. Connects to nothing."""
    url = env.get("AFW_REDIS_URL")
    if not url:
        return None
    from redis.connection import parse_url  # noqa: PLC0415 - redis loads only for Redis mode

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
    from statesnap.engine.storage.redis import (  # noqa: PLC0415 - as above
        DEFAULT_REDIS_PREFIX,
        RedisStorage,
    )
    from statesnap.engine.storage.resilient import ResilientStorage  # noqa: PLC0415

    primary = RedisStorage(url, prefix=env.get("AFW_REDIS_PREFIX", DEFAULT_REDIS_PREFIX))
    return ResilientStorage(primary, MemoryStorage())

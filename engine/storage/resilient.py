"""Redis with a safety net: a circuit breaker in front of Redis, with memory as the fallback.

Closed: calls go to Redis; a call that fails is served by the fallback instead, and after
`failure_threshold` consecutive failures the breaker opens. Open: every call goes to the
fallback; `retry_after_s` later one call is tried on Redis (half-open): success closes the
breaker, failure opens it again. Every transition is logged. No Redis error reaches the caller.

There is deliberately no snapshot()/restore(): in Redis mode the state lives in Redis, so the
snapshot service stays off (the original forwarded them to the fallback and wrote files).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Final, TypeVar

import redis
from statesnap.engine.storage.memory import MemoryStorage
from statesnap.engine.storage.protocol import Storage

__all__ = [
    "DEFAULT_FAILURE_THRESHOLD",
    "DEFAULT_RETRY_AFTER_S",
    "STORAGE_FAILURES",
    "BreakerState",
    "ResilientStorage",
]

log = logging.getLogger(__name__)

DEFAULT_FAILURE_THRESHOLD: Final = 5
DEFAULT_RETRY_AFTER_S: Final = 30.0

STORAGE_FAILURES: Final[tuple[type[Exception], ...]] = (redis.RedisError, OSError)
"""What counts as the primary failing: anything from Redis or the network. Other exceptions
(TypeError, ValueError, KeyError for a bad argument) are the caller's and are raised as the
memory storage would raise them."""

T = TypeVar("T")


class BreakerState(StrEnum):
    """The circuit breaker's state."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class ResilientStorage:
    """A `Storage` that uses `primary` (Redis) while it works and `fallback` (memory) otherwise;
    every call goes through the breaker, and behaves as the storage that served it.

    `clock` (seconds, monotonic) is there for tests. Data written to the fallback during an
    outage stays there: it is not copied back to Redis when the breaker closes.
    """

    def __init__(
        self,
        primary: Storage,
        fallback: MemoryStorage,
        *,
        failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
        retry_after_s: float = DEFAULT_RETRY_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.primary = primary
        self.fallback = fallback
        self.failure_threshold = failure_threshold
        self.retry_after_s = retry_after_s
        self._clock = clock
        self._guard = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_running = False

    @property
    def breaker_state(self) -> BreakerState:
        """`closed` (Redis in use), `open` (fallback in use), `half_open` (Redis on trial)."""
        return self._state

    @property
    def mode(self) -> str:
        """`"redis"` while the breaker is closed, `"fallback"` while it is open or half-open."""
        return "redis" if self._state is BreakerState.CLOSED else "fallback"

    # -- the breaker ----------------------------------------------------------------------

    def _call(self, operation: Callable[[Storage], T]) -> T:
        """Run `operation` on Redis if the breaker lets it, else (or if it fails) on memory."""
        use_primary, trial = self._admit()
        if not use_primary:
            return operation(self.fallback)
        try:
            result = operation(self.primary)
        except STORAGE_FAILURES as exc:
            self._record_failure(exc, trial)
            return operation(self.fallback)
        except BaseException:
            if trial:  # the caller's own error says nothing about Redis: trial again next call
                self._abandon_trial()
            raise
        self._record_success(trial)
        return result

    def _admit(self) -> tuple[bool, bool]:
        """(use the primary?, is this the half-open trial?)."""
        with self._guard:
            if self._state is BreakerState.CLOSED:
                return True, False
            if self._trial_running:
                return False, False
            if self._clock() - self._opened_at < self.retry_after_s:
                return False, False
            self._transition(BreakerState.HALF_OPEN, "retrying Redis with one call")
            self._trial_running = True
            return True, True

    def _record_failure(self, exc: BaseException, trial: bool) -> None:
        with self._guard:
            if trial:
                self._trial_running = False
                self._opened_at = self._clock()
                self._transition(BreakerState.OPEN, f"trial call failed: {_describe(exc)}")
                return
            self._failures += 1
            log.warning(
                "Redis call failed (%d/%d), served from memory: %s",
                self._failures,
                self.failure_threshold,
                _describe(exc),
            )
            if self._state is BreakerState.CLOSED and self._failures >= self.failure_threshold:
                self._opened_at = self._clock()
                self._transition(
                    BreakerState.OPEN, f"{self._failures} consecutive failures; using memory"
                )

    def _record_success(self, trial: bool) -> None:
        with self._guard:
            self._failures = 0
            if trial:
                self._trial_running = False
                self._transition(BreakerState.CLOSED, "trial call succeeded; using Redis")

    def _abandon_trial(self) -> None:
        with self._guard:
            self._trial_running = False
            self._transition(BreakerState.OPEN, "trial call was inconclusive")

    def _transition(self, state: BreakerState, why: str) -> None:
        if state is not self._state:
            level = logging.WARNING if state is BreakerState.OPEN else logging.INFO
            log.log(level, "circuit breaker %s -> %s: %s", self._state, state, why)
            self._state = state

    # -- the storage API, each call through the breaker -------------------------------------

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        return self._call(lambda s: s.get_session(session_id))

    def set_session(self, session: dict[str, Any]) -> None:
        self._call(lambda s: s.set_session(session))

    def list_sessions(self) -> list[dict[str, Any]]:
        return self._call(lambda s: s.list_sessions())

    def delete_session(self, session_id: str) -> bool:
        return self._call(lambda s: s.delete_session(session_id))

    def sessions_for_user(self, user: str) -> list[str]:
        return self._call(lambda s: s.sessions_for_user(user))

    def append_event(self, session_id: str, event: Any) -> None:
        self._call(lambda s: s.append_event(session_id, event))

    def get_events(self, session_id: str) -> list[Any]:
        return self._call(lambda s: s.get_events(session_id))

    def get_events_since(self, session_id: str, iso_timestamp: str) -> list[Any]:
        return self._call(lambda s: s.get_events_since(session_id, iso_timestamp))

    def add_chain(self, session_id: str, chain: dict[str, Any]) -> None:
        self._call(lambda s: s.add_chain(session_id, chain))

    def get_chains(self, session_id: str) -> list[dict[str, Any]]:
        return self._call(lambda s: s.get_chains(session_id))

    def append_chat_message(self, session_id: str, message: Any) -> None:
        self._call(lambda s: s.append_chat_message(session_id, message))

    def get_chat_history(self, session_id: str) -> list[Any]:
        return self._call(lambda s: s.get_chat_history(session_id))

    def queue_command(self, session_id: str, command: Any) -> None:
        self._call(lambda s: s.queue_command(session_id, command))

    def take_commands(self, session_id: str) -> list[Any]:
        return self._call(lambda s: s.take_commands(session_id))

    def queue_input(self, session_id: str, value: Any) -> None:
        self._call(lambda s: s.queue_input(session_id, value))

    def take_input(self, session_id: str) -> list[Any]:
        return self._call(lambda s: s.take_input(session_id))

    def follow_session(self, session_id: str) -> None:
        self._call(lambda s: s.follow_session(session_id))

    def unfollow_session(self, session_id: str) -> bool:
        return self._call(lambda s: s.unfollow_session(session_id))

    def followed_sessions(self) -> list[str]:
        return self._call(lambda s: s.followed_sessions())

    def add_bookmark(self, bookmark: dict[str, Any]) -> None:
        self._call(lambda s: s.add_bookmark(bookmark))

    def get_bookmarks(self, session_id: str | None = None) -> list[dict[str, Any]]:
        return self._call(lambda s: s.get_bookmarks(session_id))

    def delete_bookmark(self, bookmark_id: str) -> bool:
        return self._call(lambda s: s.delete_bookmark(bookmark_id))

    def add_telemetry(self, entry: Any) -> None:
        self._call(lambda s: s.add_telemetry(entry))

    def telemetry_entries(self) -> list[Any]:
        return self._call(lambda s: s.telemetry_entries())

    def extend_session_ttl(self, session_id: str, duration_ms: int) -> dict[str, Any]:
        return self._call(lambda s: s.extend_session_ttl(session_id, duration_ms))

    def get_entry(self, map_name: str, key: str) -> Any:
        return self._call(lambda s: s.get_entry(map_name, key))

    def set_entry(self, map_name: str, key: str, value: Any) -> None:
        self._call(lambda s: s.set_entry(map_name, key, value))

    def delete_entry(self, map_name: str, key: str) -> bool:
        return self._call(lambda s: s.delete_entry(map_name, key))

    def map_names(self) -> list[str]:
        return self._call(lambda s: s.map_names())

    def map_size(self, map_name: str) -> int:
        return self._call(lambda s: s.map_size(map_name))

    def count_entries(self) -> dict[str, int]:
        return self._call(lambda s: s.count_entries())

    def read_maps(self) -> dict[str, Any]:
        return self._call(lambda s: s.read_maps())


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"

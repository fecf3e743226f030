"""ResilientStorage against a real redis-server that is SIGKILLed, stopped and restarted: calls
keep working on the memory fallback, the breaker opens and closes, nothing reaches the caller."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from statesnap.engine import BreakerState, MemoryStorage, RedisStorage, ResilientStorage

from tests.support.redis_server import RedisServer

PREFIX = "resilient:"


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def session(session_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": session_id, "status": "in_progress", **fields}


def in_redis(server: RedisServer, session_id: str) -> bool:
    client = redis.Redis.from_url(server.url)
    try:
        return bool(client.hexists(f"{PREFIX}sessions", session_id))
    finally:
        client.close()


@pytest.fixture
def primary(private_redis: RedisServer) -> Iterator[RedisStorage]:
    storage = RedisStorage(private_redis.url, prefix=PREFIX)
    yield storage
    storage.close()


def transitions(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage().split(":")[0].removeprefix("circuit breaker ")
        for record in caplog.records
        if record.getMessage().startswith("circuit breaker ")
    ]


def test_crash_opens_the_breaker_and_a_restart_closes_it(
    private_redis: RedisServer, primary: RedisStorage, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="statesnap.engine.storage.resilient")
    clock = FakeClock()
    storage = ResilientStorage(
        primary, MemoryStorage(), failure_threshold=3, retry_after_s=5.0, clock=clock
    )
    storage.set_session(session("before"))
    assert in_redis(private_redis, "before")
    assert storage.mode == "redis" and storage.breaker_state is BreakerState.CLOSED

    private_redis.kill()
    storage.set_session(session("during-1"))  # failure 1, served from memory
    assert storage.breaker_state is BreakerState.CLOSED
    storage.append_event("during-1", {"id": "e1"})  # failure 2
    assert storage.breaker_state is BreakerState.CLOSED
    assert storage.get_session("during-1") == session("during-1")  # failure 3: opens
    assert storage.breaker_state is BreakerState.OPEN and storage.mode == "fallback"

    storage.set_session(session("during-2"))  # open: straight to memory
    assert [s["id"] for s in storage.list_sessions()] == ["during-1", "during-2"]
    assert storage.get_events("during-1") == [{"id": "e1"}]

    clock.advance(5.0)  # the trial call finds Redis still down: open again
    assert storage.get_session("during-2") == session("during-2")
    assert storage.breaker_state is BreakerState.OPEN

    private_redis.start()  # same port, empty (no persistence)
    assert storage.get_session("during-2") == session("during-2")  # not yet time to retry
    assert storage.breaker_state is BreakerState.OPEN
    clock.advance(5.0)
    assert storage.get_session("during-2") is None  # the trial call: answered by Redis
    assert storage.breaker_state is BreakerState.CLOSED and storage.mode == "redis"
    storage.set_session(session("after"))
    assert in_redis(private_redis, "after")
    assert transitions(caplog) == [
        "closed -> open",
        "open -> half_open",
        "half_open -> open",
        "open -> half_open",
        "half_open -> closed",
    ]


def test_breaker_closes_again_with_the_real_clock(
    private_redis: RedisServer, primary: RedisStorage
) -> None:
    storage = ResilientStorage(primary, MemoryStorage(), failure_threshold=2, retry_after_s=0.05)
    private_redis.kill()
    storage.follow_session("a")
    storage.follow_session("b")
    assert storage.breaker_state is BreakerState.OPEN
    assert storage.followed_sessions() == ["a", "b"]  # memory (or a failed trial, then memory)
    private_redis.start()
    deadline = time.monotonic() + 30
    while storage.breaker_state is not BreakerState.CLOSED:
        assert time.monotonic() < deadline, "the breaker never closed"
        storage.followed_sessions()
        time.sleep(0.01)
    assert storage.mode == "redis"
    storage.follow_session("c")
    assert storage.followed_sessions() == ["c"]


def test_every_call_survives_a_dead_redis(
    private_redis: RedisServer, primary: RedisStorage
) -> None:
    storage = ResilientStorage(primary, MemoryStorage(), failure_threshold=1_000_000)
    private_redis.kill()
    storage.set_session(session("s", user="u"))
    assert storage.get_session("s") == session("s", user="u")
    assert [s["id"] for s in storage.list_sessions()] == ["s"]
    assert storage.sessions_for_user("u") == ["s"]
    storage.append_event("s", {"id": "e", "timestamp": "2026-01-01T00:00:00.000Z"})
    assert storage.get_events("s") == storage.get_events_since("s", "2025-01-01T00:00:00Z")
    storage.add_chain("s", {"id": "c"})
    assert storage.get_chains("s") == [{"id": "c"}]
    storage.append_chat_message("s", "hi")
    assert storage.get_chat_history("s") == ["hi"]
    storage.queue_command("s", {"type": "pause"})
    assert storage.take_commands("s") == [{"type": "pause"}]
    storage.queue_input("s", "yes")
    assert storage.take_input("s") == ["yes"]
    storage.follow_session("s")
    assert storage.followed_sessions() == ["s"]
    assert storage.unfollow_session("s") is True
    storage.add_bookmark({"id": "b", "sessionId": "s"})
    assert storage.get_bookmarks("s") == [{"id": "b", "sessionId": "s"}]
    assert storage.delete_bookmark("b") is True
    storage.add_telemetry({"id": "t"})
    assert storage.telemetry_entries() == [{"id": "t"}]
    assert storage.extend_session_ttl("s", 1000)["extensionCount"] == 1
    storage.set_entry("regions", "r", {"id": "r"})
    assert storage.get_entry("regions", "r") == {"id": "r"}
    assert storage.map_size("regions") == 1
    assert storage.delete_entry("regions", "r") is True
    assert "regions" in storage.map_names()
    assert storage.count_entries()["sessions"] == 1
    assert storage.delete_session("s") is True
    assert storage.breaker_state is BreakerState.CLOSED  # threshold never reached
    assert storage.mode == "redis"


def test_caller_errors_propagate_and_do_not_count(primary: RedisStorage) -> None:
    storage = ResilientStorage(primary, MemoryStorage(), failure_threshold=1)
    with pytest.raises(TypeError):
        storage.set_session("not a session")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        storage.get_events_since("s", "not a time")
    with pytest.raises(KeyError):
        storage.map_size("no such map")
    assert storage.breaker_state is BreakerState.CLOSED


def test_an_undecodable_stored_value_is_served_from_memory(
    private_redis: RedisServer, primary: RedisStorage
) -> None:
    storage = ResilientStorage(primary, MemoryStorage(), failure_threshold=2)
    client = redis.Redis.from_url(private_redis.url)
    client.hset(f"{PREFIX}sessions", "s", b"{not json")
    client.close()
    assert storage.get_session("s") is None
    assert storage.breaker_state is BreakerState.CLOSED


def test_half_open_lets_exactly_one_call_try_redis(private_redis: RedisServer) -> None:
    primary = RedisStorage(private_redis.url, prefix=PREFIX, socket_timeout_s=60.0)
    clock = FakeClock()
    storage = ResilientStorage(
        primary, MemoryStorage(), failure_threshold=1, retry_after_s=1.0, clock=clock
    )
    private_redis.kill()
    storage.set_session(session("mem"))  # opens the breaker; stored in memory
    assert storage.breaker_state is BreakerState.OPEN
    private_redis.start()
    assert private_redis.process is not None
    pid = private_redis.process.pid
    os.kill(pid, signal.SIGSTOP)  # accepts connections, answers nothing
    try:
        clock.advance(1.0)
        trial_result: list[Any] = []
        trial = threading.Thread(target=lambda: trial_result.append(storage.get_session("x")))
        trial.start()
        deadline = time.monotonic() + 30
        while storage.breaker_state is not BreakerState.HALF_OPEN:
            assert time.monotonic() < deadline, "the trial call never started"
            time.sleep(0.001)
        # While the trial hangs on Redis, other calls are served by memory at once.
        assert storage.get_session("mem") == session("mem")
        assert storage.breaker_state is BreakerState.HALF_OPEN
        assert trial.is_alive()
    finally:
        os.kill(pid, signal.SIGCONT)
    trial.join()
    assert trial_result == [None]
    assert storage.breaker_state is BreakerState.CLOSED
    primary.close()

"""One contract for every storage mode: MemoryStorage, RedisStorage on a real redis-server, and
ResilientStorage in front of it (which must stay on Redis throughout)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from statesnap.engine import (
    DATA_KEYS,
    BreakerState,
    MemoryStorage,
    RedisStorage,
    ResilientStorage,
    Storage,
    create_storage,
)
from statesnap.engine.format.schema import ARRAY_MAPS, LIST_MAPS, OBJECT_MAPS

from tests.support.redis_server import RedisServer

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
MODES = ["memory", "redis", "resilient"]

Factory = Callable[..., Storage]


@pytest.fixture(params=MODES)
def make_storage(
    request: pytest.FixtureRequest, redis_server: RedisServer, redis_prefix: str
) -> Iterator[Factory]:
    """Builds storages of one mode (caps as keyword arguments); all share one Redis prefix."""
    made: list[Storage] = []

    def make(**caps: int) -> Storage:
        storage: Storage
        if request.param == "memory":
            storage = MemoryStorage(**caps)
        elif request.param == "redis":
            storage = RedisStorage(redis_server.url, prefix=redis_prefix, **caps)
        else:
            primary = RedisStorage(redis_server.url, prefix=redis_prefix, **caps)
            storage = ResilientStorage(primary, MemoryStorage(**caps), failure_threshold=1)
        made.append(storage)
        return storage

    yield make
    for storage in made:
        if isinstance(storage, ResilientStorage):
            assert storage.breaker_state is BreakerState.CLOSED
            assert storage.fallback.count_entries() == dict.fromkeys(DATA_KEYS, 0)
        if isinstance(storage, RedisStorage | ResilientStorage):
            primary = storage if isinstance(storage, RedisStorage) else storage.primary
            assert isinstance(primary, RedisStorage)
            primary.close()


@pytest.fixture
def storage(make_storage: Factory) -> Storage:
    return make_storage()


def session(session_id: str, status: str = "in_progress", **fields: Any) -> dict[str, Any]:
    return {"id": session_id, "status": status, **fields}


def ids(records: list[dict[str, Any]]) -> list[Any]:
    return [record["id"] for record in records]


def test_storage_classes_satisfy_the_protocol(storage: Storage) -> None:
    assert isinstance(storage, Storage)
    assert storage.mode in ("memory", "redis")


def test_map_catalog_covers_the_format() -> None:
    assert {*LIST_MAPS, *OBJECT_MAPS, *ARRAY_MAPS, "sessions", "sessionsByUser"} == set(DATA_KEYS)


# -- sessions ---------------------------------------------------------------------------------


def test_sessions_round_trip_and_keep_their_place(storage: Storage) -> None:
    tricky = session("a", user="alice", text='é \u2028 "q" \x00', n=1e21, f=0.1, none=None)
    storage.set_session(tricky)
    storage.set_session(session("b", user="bob"))
    assert storage.get_session("a") == tricky
    assert storage.get_session("nope") is None
    storage.set_session(session("a", status="completed", user="alice"))
    assert ids(storage.list_sessions()) == ["a", "b"]
    assert storage.list_sessions()[0]["status"] == "completed"
    with pytest.raises(TypeError):
        storage.set_session("a")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        storage.set_session({"name": "no id"})


def test_sessions_for_user_is_ordered_and_follows_user_changes(storage: Storage) -> None:
    for session_id in ("s3", "s1", "s2"):
        storage.set_session(session(session_id, user="alice"))
    storage.set_session(session("s1", user="alice", touched=True))
    assert storage.sessions_for_user("alice") == ["s3", "s1", "s2"]
    storage.set_session(session("s1", user="bob"))
    assert storage.sessions_for_user("alice") == ["s3", "s2"]
    assert storage.sessions_for_user("bob") == ["s1"]
    storage.delete_session("s1")
    assert storage.sessions_for_user("bob") == []
    assert storage.get_entry("sessionsByUser", "bob") is None
    assert storage.get_entry("sessionsByUser", "alice") == ["s3", "s2"]
    assert storage.map_size("sessionsByUser") == 1


def test_eviction_of_the_oldest_finished_sessions(make_storage: Factory) -> None:
    storage = make_storage(max_sessions=3)
    storage.set_session(session("running"))
    storage.set_session(session("done", status="completed", user="u"))
    storage.set_session(session("failed", status="failed"))
    storage.append_event("done", {"id": "e"})
    storage.set_session(session("new"))
    assert ids(storage.list_sessions()) == ["running", "failed", "new"]
    assert storage.get_events("done") == []
    assert storage.sessions_for_user("u") == []
    storage.set_session(session("ended", status="ended"))
    assert ids(storage.list_sessions()) == ["running", "new", "ended"]
    storage.set_session(session("p1", status="pending"))
    storage.set_session(session("p2", status="completed"))  # the newcomer is never evicted
    assert ids(storage.list_sessions()) == ["running", "new", "p1", "p2"]


def test_delete_session_cascades(storage: Storage) -> None:
    storage.set_session(session("s", user="alice"))
    storage.set_session(session("other", user="alice"))
    storage.append_event("s", {"id": "e1"})
    storage.add_chain("s", {"id": "c1"})
    storage.add_chain("other", {"id": "c2"})
    storage.append_chat_message("s", {"id": "m1"})
    storage.queue_command("s", {"type": "pause"})
    storage.queue_input("s", "yes")
    storage.set_entry("harmonyChecks", "s", [{"id": "h1"}])
    storage.set_entry("harmonyChecksByProject", "p", [{"id": "h1", "sessionId": "s"}])
    storage.set_entry("sessionWindowConfigs", "s", {"sessionId": "s"})
    storage.extend_session_ttl("s", 60_000)
    storage.follow_session("s")
    storage.follow_session("other")
    storage.add_bookmark({"id": "b1", "sessionId": "s"})
    assert storage.delete_session("s") is True
    assert storage.delete_session("s") is False
    for name in ("events", "chains", "chatHistory", "commandsQueue", "inputQueue", "harmonyChecks"):
        assert storage.get_entry(name, "s") is None, name
    assert storage.get_entry("sessionWindowConfigs", "s") is None
    assert storage.get_entry("sessionTtlExtensions", "s") is None
    assert storage.followed_sessions() == ["other"]
    assert storage.sessions_for_user("alice") == ["other"]
    assert storage.get_entry("resourceFreshness", "session:s") is None
    assert storage.get_entry("resourceFreshness", "events:s") is None
    assert storage.get_entry("resourceFreshness", "chain:c1") is None
    assert storage.get_entry("resourceFreshness", "chain:c2") is not None
    assert storage.get_entry("harmonyChecksByProject", "p") == [{"id": "h1", "sessionId": "s"}]
    assert ids(storage.get_bookmarks()) == ["b1"]
    counts = storage.count_entries()
    assert counts["sessions"] == 1 and counts["events"] == 0 and counts["chains"] == 1


# -- events, chains, chat, queues ---------------------------------------------------------------


def test_events_capped_per_session(make_storage: Factory) -> None:
    storage = make_storage(max_events_per_session=3)
    for index in range(5):
        storage.append_event("s", {"id": f"e{index}"})
    storage.append_event("t", {"id": "t0"})
    assert ids(storage.get_events("s")) == ["e2", "e3", "e4"]
    assert ids(storage.get_events("t")) == ["t0"]
    assert storage.get_events("none") == []
    assert storage.map_size("events") == 2


def test_events_since(storage: Storage) -> None:
    stamps = ["2026-02-14T09:00:00.000Z", "2026-02-14T09:00:10.000Z", "2026-02-14T09:01:00.000Z"]
    for index, stamp in enumerate(stamps):
        storage.append_event("s", {"id": index, "timestamp": stamp})
    storage.append_event("s", {"id": "undated"})
    assert ids(storage.get_events_since("s", "2026-02-14T09:00:10.000Z")) == [1, 2]
    assert storage.get_events_since("s", "2027-01-01T00:00:00.000Z") == []
    with pytest.raises(ValueError):
        storage.get_events_since("s", "not a time")


def test_freshness_stamps(storage: Storage) -> None:
    storage.set_session(session("s"))
    storage.append_event("s", {"id": "e"})
    storage.add_chain("s", {"id": "chain-1"})
    for key in ("session:s", "events:s", "chain:chain-1"):
        stamp = storage.get_entry("resourceFreshness", key)
        assert isinstance(stamp, str) and ISO_MS.match(stamp), key
    assert storage.map_size("resourceFreshness") == 3


def test_chains_chat_and_queues(storage: Storage) -> None:
    storage.add_chain("s", {"id": "c", "status": "compiled"})
    storage.add_chain("s", {"id": "c", "status": "completed"})
    assert [c["status"] for c in storage.get_chains("s")] == ["compiled", "completed"]
    storage.append_chat_message("s", {"id": "m1", "content": "日本語 😀"})
    storage.append_chat_message("s", "plain")
    assert storage.get_chat_history("s") == [{"id": "m1", "content": "日本語 😀"}, "plain"]
    storage.queue_command("s", {"type": "pause"})
    storage.queue_command("s", {"type": "resume"})
    storage.queue_input("s", "yes")
    storage.queue_input("s", {"input": "no"})
    assert storage.take_commands("s") == [{"type": "pause"}, {"type": "resume"}]
    assert storage.take_commands("s") == []
    assert storage.get_entry("commandsQueue", "s") is None
    assert storage.take_input("s") == ["yes", {"input": "no"}]
    assert storage.take_input("s") == []
    assert storage.get_chains("none") == [] and storage.get_chat_history("none") == []


# -- followed, bookmarks, telemetry, TTL --------------------------------------------------------


def test_followed_sessions_ordered_set(storage: Storage) -> None:
    for session_id in ("b", "a", "c", "a"):
        storage.follow_session(session_id)
    assert storage.followed_sessions() == ["b", "a", "c"]
    assert storage.unfollow_session("a") is True
    assert storage.unfollow_session("a") is False
    storage.follow_session("a")
    assert storage.followed_sessions() == ["b", "c", "a"]
    assert storage.map_size("followedSessions") == 3


def test_bookmarks(storage: Storage) -> None:
    storage.add_bookmark({"id": "b1", "sessionId": "s1"})
    storage.add_bookmark({"id": "b2", "sessionId": "s2"})
    storage.add_bookmark({"id": "b1", "sessionId": "s1", "tags": ["x"]})
    assert ids(storage.get_bookmarks()) == ["b1", "b2"]
    assert storage.get_bookmarks("s1") == [{"id": "b1", "sessionId": "s1", "tags": ["x"]}]
    assert storage.delete_bookmark("b1") is True
    assert storage.delete_bookmark("b1") is False
    assert ids(storage.get_bookmarks()) == ["b2"]
    storage.add_bookmark({"id": "b1", "sessionId": "s1"})
    assert ids(storage.get_bookmarks()) == ["b2", "b1"]
    with pytest.raises(ValueError):
        storage.add_bookmark({"sessionId": "s1"})


def test_telemetry_ring_buffer(make_storage: Factory) -> None:
    storage = make_storage(max_telemetry_entries=3)
    for index in range(5):
        storage.add_telemetry({"id": index})
    assert ids(storage.telemetry_entries()) == [2, 3, 4]
    assert storage.map_size("telemetryEntries") == 3


def test_session_ttl_extensions(storage: Storage) -> None:
    first = storage.extend_session_ttl("s", 60_000)
    second = storage.extend_session_ttl("s", 3_600_000)
    assert list(first) == ["expiresAt", "extensionCount"]
    assert (first["extensionCount"], second["extensionCount"]) == (1, 2)
    assert second["expiresAt"] > first["expiresAt"]
    assert storage.get_entry("sessionTtlExtensions", "s") == second


# -- any map ----------------------------------------------------------------------------------


def test_entries_of_known_and_unknown_maps(storage: Storage) -> None:
    storage.set_entry("patterns", "p1", {"id": "p1", "confidence": 0.82})
    assert storage.get_entry("patterns", "p1") == {"id": "p1", "confidence": 0.82}
    storage.set_entry("frequencies", "k:1", 3)
    assert storage.get_entry("frequencies", "k:1") == 3
    assert storage.get_entry("neverSeen", "k") is None
    assert "neverSeen" not in storage.map_names()
    with pytest.raises(KeyError):
        storage.map_size("neverSeen")
    storage.set_entry("reminderInstances", "r1", {"id": "r1"})
    storage.set_entry("odd:name%", "k", [1, 2])
    assert storage.map_names() == [*DATA_KEYS, "reminderInstances", "odd:name%"]
    assert storage.get_entry("odd:name%", "k") == [1, 2]
    assert storage.map_size("reminderInstances") == 1
    assert storage.delete_entry("reminderInstances", "r1") is True
    assert storage.delete_entry("reminderInstances", "r1") is False
    assert storage.map_size("reminderInstances") == 0
    assert "reminderInstances" in storage.map_names()
    storage.set_entry("events", "s", [{"id": "e"}])
    assert storage.get_events("s") == [{"id": "e"}]
    storage.set_entry("inputQueue", "s", [])
    assert storage.get_entry("inputQueue", "s") == []
    assert storage.delete_entry("inputQueue", "s") is True
    storage.set_entry("sessionsByUser", "carol", ["x", "y"])
    assert storage.get_entry("sessionsByUser", "carol") == ["x", "y"]
    assert storage.sessions_for_user("carol") == ["x", "y"]
    assert storage.delete_entry("sessionsByUser", "carol") is True
    storage.set_entry("sessions", "s1", session("s1"))
    assert storage.get_entry("sessions", "s1") == session("s1")
    assert storage.delete_entry("sessions", "s1") is True
    assert storage.get_session("s1") is None


def test_entry_argument_errors(storage: Storage) -> None:
    with pytest.raises(ValueError):
        storage.set_entry("sessions", "s1", session("other"))
    with pytest.raises(TypeError):
        storage.set_entry("events", "s", {"not": "a list"})
    with pytest.raises(TypeError):
        storage.set_entry("sessionsByUser", "carol", "x")
    with pytest.raises(TypeError):
        storage.set_entry("patterns", 3, {})  # type: ignore[arg-type]
    for array_map in ARRAY_MAPS:
        with pytest.raises(TypeError):
            storage.get_entry(array_map, "k")
        with pytest.raises(TypeError):
            storage.set_entry(array_map, "k", 1)
        with pytest.raises(TypeError):
            storage.delete_entry(array_map, "k")


def test_count_entries(storage: Storage) -> None:
    assert storage.count_entries() == dict.fromkeys(DATA_KEYS, 0)
    storage.set_session(session("s", user="u"))
    storage.append_event("s", {"id": 1})
    storage.append_event("s", {"id": 2})
    storage.follow_session("s")
    storage.add_telemetry({})
    storage.set_entry("regions", "r", {})
    counts = storage.count_entries()
    assert list(counts) == [*DATA_KEYS, "regions"]
    expected = dict.fromkeys(DATA_KEYS, 0) | {
        "sessions": 1,
        "events": 1,
        "sessionsByUser": 1,
        "followedSessions": 1,
        "telemetryEntries": 1,
        "resourceFreshness": 2,
        "regions": 1,
    }
    assert counts == expected
    assert all(storage.map_size(name) == size for name, size in counts.items())


def test_read_maps_shows_every_map_shaped_as_in_a_snapshot(storage: Storage) -> None:
    storage.set_session(session("s", user="u"))
    storage.append_event("s", {"id": 1})
    storage.follow_session("s")
    storage.add_telemetry({"id": "t"})
    storage.set_entry("regions", "r", {"name": "west"})
    maps = storage.read_maps()
    assert list(maps) == [*DATA_KEYS, "regions"]
    assert maps["sessions"] == [session("s", user="u")]
    assert maps["events"] == {"s": [{"id": 1}]}
    assert maps["sessionsByUser"] == {"u": ["s"]}
    assert maps["followedSessions"] == ["s"]
    assert maps["telemetryEntries"] == [{"id": "t"}]
    assert maps["regions"] == {"r": {"name": "west"}}
    assert {name: len(value) for name, value in maps.items()} == storage.count_entries()


# -- modes ------------------------------------------------------------------------------------


def test_create_storage_modes(redis_server: RedisServer, redis_prefix: str) -> None:
    memory = create_storage({})
    assert isinstance(memory, MemoryStorage) and memory.mode == "memory"
    assert isinstance(create_storage({"AFW_REDIS_URL": ""}), MemoryStorage)
    resilient = create_storage(
        {"AFW_REDIS_URL": redis_server.url, "AFW_REDIS_PREFIX": redis_prefix}
    )
    assert isinstance(resilient, ResilientStorage) and resilient.mode == "redis"
    assert isinstance(resilient.primary, RedisStorage)
    assert resilient.primary.prefix == redis_prefix
    resilient.set_session(session("s"))
    client = redis.Redis.from_url(redis_server.url)
    assert client.hexists(f"{redis_prefix}sessions", "s")
    client.close()
    default = create_storage({"AFW_REDIS_URL": "redis://127.0.0.1:1/0"})  # never connects
    assert isinstance(default, ResilientStorage)
    assert isinstance(default.primary, RedisStorage) and default.primary.prefix == "afw:"


def test_redis_mode_cannot_snapshot() -> None:
    for name in ("snapshot", "restore", "snapshot_data", "load_data", "lock"):
        assert not hasattr(ResilientStorage, name), name
        assert not hasattr(RedisStorage, name), name


def test_redis_clear_deletes_only_its_own_prefix(
    redis_server: RedisServer, redis_prefix: str
) -> None:
    mine = RedisStorage(redis_server.url, prefix=redis_prefix + "a*[x]\\:")
    other = RedisStorage(redis_server.url, prefix=redis_prefix + "a")
    for storage in (mine, other):
        storage.set_session(session("s", user="u"))
        storage.append_event("s", {"id": "e"})
        storage.set_entry("custom", "k", 1)
    assert mine.clear() > 0
    assert mine.count_entries() == dict.fromkeys(DATA_KEYS, 0)
    assert mine.get_session("s") is None and mine.map_names() == list(DATA_KEYS)
    assert other.get_session("s") == session("s", user="u")
    assert other.map_size("custom") == 1
    mine.close()
    other.close()


def test_keys_and_values_with_lone_surrogates(storage: Storage) -> None:
    odd = "lone \ud800 half"
    storage.set_session(session(odd, user=odd, text=odd))
    storage.append_event(odd, {"text": odd})
    assert storage.get_session(odd) == session(odd, user=odd, text=odd)
    assert storage.sessions_for_user(odd) == [odd]
    assert storage.get_events(odd) == [{"text": odd}]
    assert storage.delete_session(odd) is True

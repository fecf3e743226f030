"""MemoryStorage: its API, caps, cascade, live objects, and snapshot/restore against the fixtures
the original TypeScript backend wrote."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from statesnap.engine import (
    DATA_KEYS,
    MemoryStorage,
    SnapshotRejectedError,
    js_dumps,
    read_snapshot,
)

from tests.support.node_bridge import FIXTURES, fixture_files

VALID_FIXTURES = [
    *fixture_files("basic/snapshot-*.json.gz"),
    *fixture_files("server/snapshot-*.json.gz"),
    FIXTURES / "fallback" / "snapshot-2026-02-14T10-00-00-000Z.json.gz",
]
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def fixture_data(path: Path) -> tuple[dict[str, Any], str]:
    found = read_snapshot(path)
    assert found.is_valid, found.reason
    assert found.expected_checksum is not None
    return found.data, found.expected_checksum


def session(session_id: str, status: str = "in_progress", **fields: Any) -> dict[str, Any]:
    return {"id": session_id, "status": status, **fields}


# -- restore then snapshot ------------------------------------------------------------------


def test_fixture_set_is_complete() -> None:
    own = [path for path in VALID_FIXTURES if path.is_relative_to(FIXTURES)]
    assert len(own) == 7  # the shared fixtures, when beside the checkout, may add more
    assert all(path.is_file() for path in VALID_FIXTURES)


@pytest.mark.parametrize("path", VALID_FIXTURES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_load_then_snapshot_reproduces_fixture_checksum(path: Path) -> None:
    data, checksum = fixture_data(path)
    storage = MemoryStorage()
    storage.load_data(data)
    assert md5(js_dumps(storage.snapshot_data())) == checksum
    assert list(storage.snapshot_data()) == list(data)


@pytest.mark.parametrize("path", VALID_FIXTURES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_restore_of_a_whole_file_then_snapshot_round_trips(path: Path) -> None:
    data, checksum = fixture_data(path)
    storage = MemoryStorage()
    storage.restore({"version": 1, "timestamp": "x", "checksum": checksum, "data": data})
    snap = storage.snapshot()
    assert list(snap) == ["version", "timestamp", "checksum", "data"]
    assert snap["version"] == 1
    assert ISO_MS.match(snap["timestamp"])
    assert snap["checksum"] == checksum == md5(js_dumps(snap["data"]))
    again = MemoryStorage()
    again.restore(snap)
    assert md5(js_dumps(again.snapshot_data())) == checksum


def test_unknown_keys_stay_in_place_with_their_value() -> None:
    data, _ = fixture_data(FIXTURES / "basic" / "snapshot-2026-11-26T07-10-50-047Z.json.gz")
    storage = MemoryStorage()
    storage.load_data(data)
    keys = list(storage.snapshot_data())
    assert keys.index("reminderInstances") == keys.index("telemetryEntries") + 1
    assert keys[-4:] == ["universeGraph", "regions", "bridges", "sessionRegionMappings"]
    assert storage.snapshot_data()["universeGraph"] == data["universeGraph"]
    assert storage.get_entry("reminderInstances", "rem_inst_001")["addressed"] is True
    assert storage.get_entry("sessionRegionMappings", "sess_a1b2c3") == "region-work"


def test_known_keys_missing_from_the_file_come_after_its_keys() -> None:
    storage = MemoryStorage()
    storage.load_data({"custom": {"a": 1}, "sessions": [session("s1")]})
    assert storage.map_names()[:2] == ["custom", "sessions"]
    rest = storage.map_names()[2:]
    assert rest == [name for name in DATA_KEYS if name != "sessions"]


def test_nothing_restored_gives_format_order() -> None:
    storage = MemoryStorage()
    assert list(storage.snapshot_data()) == list(DATA_KEYS)
    assert storage.snapshot_data() == {
        name: [] if name in ("sessions", "followedSessions", "telemetryEntries") else {}
        for name in DATA_KEYS
    }
    storage.set_entry("reminderInstances", "r1", {"id": "r1"})
    assert list(storage.snapshot_data()) == [*DATA_KEYS, "reminderInstances"]


def test_load_does_not_alias_the_input_containers() -> None:
    data, checksum = fixture_data(FIXTURES / "basic" / "snapshot-2026-11-26T07-10-50-047Z.json.gz")
    storage = MemoryStorage()
    storage.load_data(data)
    storage.append_event("sess_a1b2c3", {"id": "new"})
    storage.set_session(session("s-new"))
    storage.follow_session("s-new")
    storage.add_telemetry({"id": "t-new"})
    storage.set_entry("reminderInstances", "r-new", {})
    storage.set_entry("universeGraph", "extra", 1)
    storage.set_entry("bookmarks", "b-new", {"id": "b-new"})
    assert md5(js_dumps(data)) == checksum


def test_load_clears_every_map_including_resource_freshness() -> None:
    storage = MemoryStorage()
    storage.set_session(session("old"))
    storage.append_event("old", {"id": "e"})
    storage.set_entry("custom", "k", 1)
    assert "session:old" in storage.snapshot_data()["resourceFreshness"]
    storage.load_data({"sessions": [session("new")]})
    data = storage.snapshot_data()
    assert data["resourceFreshness"] == {}
    assert data["events"] == {}
    assert "custom" not in data
    assert [s["id"] for s in data["sessions"]] == ["new"]
    storage.load_data({})
    assert storage.count_entries() == dict.fromkeys(DATA_KEYS, 0)


def test_wrong_typed_values_are_skipped_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    storage = MemoryStorage()
    with caplog.at_level(logging.WARNING, logger="statesnap.engine.storage.memory_snapshot"):
        storage.load_data(
            {
                "sessions": [session("ok"), "nope", {"no": "id"}, {"id": 7}],
                "events": {"ok": [{"id": "e1"}], "bad": {"not": "a list"}},
                "chains": [],
                "chatHistory": "text",
                "sessionsByUser": {"alice": ["ok", 3, None], "bob": "ok"},
                "followedSessions": {"ok": True},
                "telemetryEntries": None,
                "bookmarks": 12,
                "frequencies": {"x": 1},
                "resourceFreshness": ["nope"],
                "extra": 5,
            }
        )
    data = storage.snapshot_data()
    assert [s["id"] for s in data["sessions"]] == ["ok"]
    assert data["events"] == {"ok": [{"id": "e1"}]}
    assert data["chains"] == {} and data["chatHistory"] == {}
    assert data["sessionsByUser"] == {"alice": ["ok"]}
    assert data["followedSessions"] == [] and data["telemetryEntries"] == []
    assert data["bookmarks"] == {} and data["resourceFreshness"] == {}
    assert data["frequencies"] == {"x": 1}
    assert data["extra"] == 5
    skipped = " ".join(record.getMessage() for record in caplog.records)
    for where in ("sessions[1]", "sessions[2]", "sessions[3]", "events.bad", "chains", "bookmarks"):
        assert where in skipped
    with pytest.raises(TypeError):
        storage.load_data([])  # type: ignore[arg-type]


def test_restore_rejects_bad_version_checksum_and_shape() -> None:
    storage = MemoryStorage()
    storage.set_session(session("keep"))
    data = {"sessions": []}
    good = md5(js_dumps(data))
    bad_snapshots: list[Any] = [
        {"version": 2, "checksum": good, "data": data},
        {"version": True, "checksum": good, "data": data},
        {"version": "1", "checksum": good, "data": data},
        {"checksum": good, "data": data},
        {"version": 1, "checksum": good.upper(), "data": data},
        {"version": 1, "checksum": "0" * 32, "data": data},
        {"version": 1, "data": data},
        {"version": 1, "checksum": md5(b"[]"), "data": []},
        {"version": 1, "checksum": good, "data": {"x": object()}},
        "not a snapshot",
    ]
    for bad in bad_snapshots:
        with pytest.raises(SnapshotRejectedError):
            storage.restore(bad)
    assert issubclass(SnapshotRejectedError, ValueError)
    assert storage.get_session("keep") is not None
    storage.restore({"version": 1.0, "checksum": good, "data": data})
    assert storage.list_sessions() == []


# -- sessions ---------------------------------------------------------------------------------


def test_set_get_replace_and_list_sessions() -> None:
    storage = MemoryStorage()
    first, second = session("a", user="alice"), session("b", user="bob")
    storage.set_session(first)
    storage.set_session(second)
    assert storage.get_session("a") is first
    assert storage.get_session("missing") is None
    replacement = session("a", status="completed", user="alice")
    storage.set_session(replacement)
    assert [s["id"] for s in storage.list_sessions()] == ["a", "b"]
    assert storage.get_session("a") is replacement
    with pytest.raises(TypeError):
        storage.set_session(["a"])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        storage.set_session({"id": 5})


def test_session_mutated_in_place_appears_in_next_snapshot() -> None:
    storage = MemoryStorage()
    storage.set_session(session("a"))
    before = js_dumps(storage.snapshot_data())
    live = storage.get_session("a")
    assert live is not None
    live["status"] = "completed"
    live.setdefault("metadata", {})["note"] = "edited in place"
    after = js_dumps(storage.snapshot_data())
    assert after != before
    assert b'"status":"completed"' in after and b"edited in place" in after
    storage.get_events("a")  # reading never freezes anything
    events = storage.snapshot_data()["events"]
    storage.append_event("a", {"id": "e1"})
    storage.get_events("a")[0]["seen"] = True  # a returned list holds the live event objects
    assert storage.snapshot_data()["events"]["a"] == [{"id": "e1", "seen": True}]
    assert events is storage.snapshot_data()["events"]


def test_sessions_by_user_is_an_ordered_set() -> None:
    storage = MemoryStorage()
    for session_id in ("s3", "s1", "s2"):
        storage.set_session(session(session_id, user="alice"))
    storage.set_session(session("s1", user="alice"))
    assert storage.sessions_for_user("alice") == ["s3", "s1", "s2"]
    assert storage.snapshot_data()["sessionsByUser"] == {"alice": ["s3", "s1", "s2"]}
    storage.set_session(session("s1", user="bob"))
    assert storage.sessions_for_user("alice") == ["s3", "s2"]
    assert storage.sessions_for_user("bob") == ["s1"]
    storage.delete_session("s1")
    assert storage.sessions_for_user("bob") == []
    assert "bob" not in storage.snapshot_data()["sessionsByUser"]
    assert isinstance(storage._maps.users["alice"], dict)  # never a set: order must survive


def test_eviction_drops_the_oldest_finished_session_with_its_cascade() -> None:
    storage = MemoryStorage(max_sessions=3)
    storage.set_session(session("running"))
    storage.set_session(session("done-1", status="completed"))
    storage.set_session(session("failed", status="failed"))
    storage.append_event("done-1", {"id": "e"})
    storage.set_session(session("new"))
    assert [s["id"] for s in storage.list_sessions()] == ["running", "failed", "new"]
    assert storage.get_events("done-1") == []
    assert "session:done-1" not in storage.snapshot_data()["resourceFreshness"]
    storage.set_session(session("ended", status="ended"))
    assert [s["id"] for s in storage.list_sessions()] == ["running", "new", "ended"]
    storage.set_session(session("running", status="in_progress", touched=True))
    assert len(storage.list_sessions()) == 3


def test_no_finished_session_means_no_eviction() -> None:
    storage = MemoryStorage(max_sessions=2)
    for session_id in ("a", "b", "c"):
        storage.set_session(session(session_id, status="pending"))
    storage.set_session(session("d", status="completed"))  # the newcomer itself is kept
    assert [s["id"] for s in storage.list_sessions()] == ["a", "b", "c", "d"]
    storage.set_session(session("e"))
    assert [s["id"] for s in storage.list_sessions()] == ["a", "b", "c", "e"]


# -- events, chains, chat, queues -------------------------------------------------------------


def test_events_are_capped_per_session_oldest_dropped() -> None:
    storage = MemoryStorage(max_events_per_session=3)
    for index in range(5):
        storage.append_event("s", {"id": f"e{index}"})
    storage.append_event("t", {"id": "t0"})
    assert [e["id"] for e in storage.get_events("s")] == ["e2", "e3", "e4"]
    assert [e["id"] for e in storage.get_events("t")] == ["t0"]
    assert storage.get_events("none") == []


def test_events_since_is_inclusive_and_skips_undated_events() -> None:
    storage = MemoryStorage()
    stamps = ["2026-02-14T09:00:00.000Z", "2026-02-14T09:00:10.000Z", "2026-02-14T09:01:00.000Z"]
    for index, stamp in enumerate(stamps):
        storage.append_event("s", {"id": index, "timestamp": stamp})
    storage.append_event("s", {"id": "undated"})
    storage.append_event("s", "not an object")
    since = storage.get_events_since("s", "2026-02-14T09:00:10.000Z")
    assert [e["id"] for e in since] == [1, 2]
    assert storage.get_events_since("s", "2026-02-14T10:00:10+01:00") == since
    with pytest.raises(ValueError):
        storage.get_events_since("s", "yesterday")


def test_freshness_stamps_use_the_original_keys_and_iso_times() -> None:
    storage = MemoryStorage()
    storage.set_session(session("s"))
    storage.append_event("s", {"id": "e"})
    storage.add_chain("s", {"id": "chain-1", "title": "t"})
    storage.add_chain("s", "not a chain record")  # type: ignore[arg-type]
    freshness = storage.snapshot_data()["resourceFreshness"]
    assert list(freshness) == ["session:s", "events:s", "chain:chain-1"]
    assert all(ISO_MS.match(stamp) for stamp in freshness.values())


def test_followed_sessions_are_an_ordered_set() -> None:
    storage = MemoryStorage()
    for session_id in ("b", "a", "c", "a"):
        storage.follow_session(session_id)
    assert storage.followed_sessions() == ["b", "a", "c"]
    assert storage.unfollow_session("a") is True
    assert storage.unfollow_session("a") is False
    storage.follow_session("a")
    assert storage.snapshot_data()["followedSessions"] == ["b", "c", "a"]


def test_bookmarks_add_filter_delete() -> None:
    storage = MemoryStorage()
    storage.add_bookmark({"id": "b1", "sessionId": "s1"})
    storage.add_bookmark({"id": "b2", "sessionId": "s2"})
    storage.add_bookmark({"id": "b1", "sessionId": "s1", "tags": ["x"]})
    assert [b["id"] for b in storage.get_bookmarks()] == ["b1", "b2"]
    assert storage.get_bookmarks("s1") == [{"id": "b1", "sessionId": "s1", "tags": ["x"]}]
    assert storage.delete_bookmark("b1") is True
    assert storage.delete_bookmark("b1") is False
    assert [b["id"] for b in storage.get_bookmarks()] == ["b2"]
    with pytest.raises(ValueError):
        storage.add_bookmark({"sessionId": "s1"})


def test_telemetry_is_a_ring_buffer() -> None:
    storage = MemoryStorage(max_telemetry_entries=3)
    for index in range(5):
        storage.add_telemetry({"id": index})
    assert [t["id"] for t in storage.telemetry_entries()] == [2, 3, 4]
    assert [t["id"] for t in storage.snapshot_data()["telemetryEntries"]] == [2, 3, 4]


def test_extend_session_ttl_counts_extensions() -> None:
    storage = MemoryStorage()
    first = storage.extend_session_ttl("s", 60_000)
    second = storage.extend_session_ttl("s", 3_600_000)
    assert list(first) == ["expiresAt", "extensionCount"]
    assert first["extensionCount"] == 1 and second["extensionCount"] == 2
    assert second["expiresAt"] > first["expiresAt"]
    assert storage.get_entry("sessionTtlExtensions", "s") == second


# -- any map ----------------------------------------------------------------------------------


def test_get_set_delete_entry_on_known_and_unknown_maps() -> None:
    storage = MemoryStorage()
    pattern = {"id": "p1"}
    storage.set_entry("patterns", "p1", pattern)
    assert storage.get_entry("patterns", "p1") is pattern
    storage.set_entry("universeGraph", "metadata", {"v": 1})
    assert storage.get_entry("universeGraph", "metadata") == {"v": 1}
    assert storage.get_entry("neverSeen", "k") is None
    assert "neverSeen" not in storage.map_names()
    assert storage.map_names()[-1] == "universeGraph"
    assert storage.delete_entry("universeGraph", "metadata") is True
    assert storage.delete_entry("universeGraph", "metadata") is False
    assert storage.map_size("universeGraph") == 0
    storage.set_entry("events", "s", [{"id": "e"}])
    assert storage.get_events("s") == [{"id": "e"}]
    storage.set_entry("sessionsByUser", "carol", ["x", "y"])
    assert storage.get_entry("sessionsByUser", "carol") == ["x", "y"]
    assert storage.delete_entry("sessionsByUser", "carol") is True
    storage.set_entry("sessions", "s1", session("s1"))
    assert storage.get_entry("sessions", "s1") is storage.get_session("s1")
    assert storage.delete_entry("sessions", "s1") is True
    with pytest.raises(ValueError):
        storage.set_entry("sessions", "s1", session("other"))
    with pytest.raises(TypeError):
        storage.set_entry("events", "s", {"not": "a list"})
    with pytest.raises(TypeError):
        storage.set_entry("sessionsByUser", "carol", "x")
    for array_map in ("followedSessions", "telemetryEntries"):
        with pytest.raises(TypeError):
            storage.get_entry(array_map, "k")
        with pytest.raises(TypeError):
            storage.set_entry(array_map, "k", 1)
    with pytest.raises(TypeError):
        storage.set_entry("patterns", 3, {})  # type: ignore[arg-type]


def test_unknown_non_object_map_is_kept_but_not_an_entry_map() -> None:
    storage = MemoryStorage()
    storage.load_data({"odd": [1, 2, 3], "scalar": "x"})
    assert storage.snapshot_data()["odd"] == [1, 2, 3]
    assert storage.map_size("odd") == 3 and storage.map_size("scalar") == 0
    with pytest.raises(TypeError):
        storage.get_entry("odd", "0")
    with pytest.raises(TypeError):
        storage.set_entry("scalar", "k", 1)


def test_counts_and_map_names() -> None:
    data, _ = fixture_data(FIXTURES / "server" / "snapshot-2026-11-26T07-13-22-052Z.json.gz")
    storage = MemoryStorage()
    storage.load_data(data)
    counts = storage.count_entries()
    assert list(counts) == list(data) == storage.map_names()
    assert counts["sessions"] == 2 and counts["events"] == 2 and counts["resourceFreshness"] == 7
    assert counts["universeGraph"] == 3
    assert storage.map_size("followedSessions") == 1
    with pytest.raises(KeyError):
        storage.map_size("nope")
    assert storage.mode == "memory"


class CountingLock:
    """A re-entrant lock that counts how often it was taken."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.taken = 0

    def __enter__(self) -> bool:
        self._lock.acquire()
        self.taken += 1
        return True

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


PUBLIC_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("get_session", ("s",)),
    ("set_session", (session("s2"),)),
    ("list_sessions", ()),
    ("read_maps", ()),
    ("sessions_for_user", ("u",)),
    ("append_event", ("s", {"id": "e"})),
    ("get_events", ("s",)),
    ("get_events_since", ("s", "2026-01-01T00:00:00.000Z")),
    ("add_chain", ("s", {"id": "c"})),
    ("get_chains", ("s",)),
    ("append_chat_message", ("s", {})),
    ("get_chat_history", ("s",)),
    ("queue_command", ("s", {})),
    ("take_commands", ("s",)),
    ("queue_input", ("s", "x")),
    ("take_input", ("s",)),
    ("follow_session", ("s",)),
    ("followed_sessions", ()),
    ("unfollow_session", ("s",)),
    ("add_bookmark", ({"id": "b"},)),
    ("get_bookmarks", ()),
    ("delete_bookmark", ("b",)),
    ("add_telemetry", ({},)),
    ("telemetry_entries", ()),
    ("extend_session_ttl", ("s", 1000)),
    ("get_entry", ("patterns", "p")),
    ("set_entry", ("patterns", "p", 1)),
    ("delete_entry", ("patterns", "p")),
    ("map_names", ()),
    ("map_size", ("sessions",)),
    ("count_entries", ()),
    ("snapshot_data", ()),
    ("snapshot", ()),
    ("load_data", ({},)),
    ("delete_session", ("s",)),
]


def test_every_public_method_holds_the_lock() -> None:
    storage = MemoryStorage()
    storage.set_session(session("s"))
    lock = CountingLock()
    storage.lock = lock  # type: ignore[assignment]
    public = {
        name
        for name in dir(MemoryStorage)
        if not name.startswith("_") and callable(getattr(MemoryStorage, name))
    }
    assert public - {name for name, _ in PUBLIC_CALLS} == {"restore"}  # restore -> load_data
    for name, args in PUBLIC_CALLS:
        before = lock.taken
        getattr(storage, name)(*args)
        assert lock.taken > before, name


def test_concurrent_writers_lose_nothing() -> None:
    storage = MemoryStorage(max_events_per_session=100_000)

    def writer(worker: int) -> None:
        for index in range(500):
            storage.append_event("s", {"id": f"{worker}-{index}"})
            storage.add_telemetry({"id": f"{worker}-{index}"})

    threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(storage.get_events("s")) == 2000
    assert len(storage.telemetry_entries()) == 2000


def test_restore_keeps_more_telemetry_than_the_cap() -> None:
    storage = MemoryStorage(max_telemetry_entries=3)
    entries = [{"id": index} for index in range(10)]
    storage.load_data({"telemetryEntries": entries})
    assert storage.telemetry_entries() == entries
    storage.add_telemetry({"id": 10})
    assert [entry["id"] for entry in storage.telemetry_entries()] == list(range(1, 11))

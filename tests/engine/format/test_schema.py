"""The schema module: the 19 maps described once, their shapes, counts and the import check."""

from __future__ import annotations

from typing import Any

import pytest
from statesnap.engine.format.schema import (
    ARRAY_MAPS,
    DATA_KEYS,
    LIST_MAPS,
    MAPS,
    OBJECT_MAPS,
    SESSION_LIST_MAPS,
    SESSION_OBJECT_MAPS,
    ImportShapeError,
    MapShape,
    check_import_shape,
    empty_map,
    entry_count,
    is_finished,
    map_counts,
    map_shape,
)

ORIGINAL_ORDER = [
    "sessions",
    "events",
    "chains",
    "chatHistory",
    "sessionsByUser",
    "commandsQueue",
    "inputQueue",
    "followedSessions",
    "sessionWindowConfigs",
    "frequencies",
    "bookmarks",
    "patterns",
    "harmonyChecks",
    "harmonyChecksByProject",
    "dossiers",
    "suggestions",
    "telemetryEntries",
    "sessionTtlExtensions",
    "resourceFreshness",
]


def test_the_19_maps_in_the_original_order_each_named_once() -> None:
    assert list(DATA_KEYS) == ORIGINAL_ORDER
    assert len(MAPS) == len(set(DATA_KEYS)) == 19


def test_every_map_has_exactly_one_shape_group() -> None:
    groups = [LIST_MAPS, OBJECT_MAPS, ARRAY_MAPS, ("sessions",), ("sessionsByUser",)]
    named = [name for group in groups for name in group]
    assert sorted(named) == sorted(DATA_KEYS)
    assert ARRAY_MAPS == ("followedSessions", "telemetryEntries")
    assert LIST_MAPS == (
        "events",
        "chains",
        "chatHistory",
        "commandsQueue",
        "inputQueue",
        "harmonyChecks",
        "harmonyChecksByProject",
    )
    assert map_shape("sessions") is MapShape.SESSIONS
    assert map_shape("sessionsByUser") is MapShape.ID_SETS
    assert map_shape("reminderInstances") is None


def test_the_maps_kept_per_session() -> None:
    assert (
        tuple(name for name in LIST_MAPS if name != "harmonyChecksByProject") == SESSION_LIST_MAPS
    )
    assert SESSION_OBJECT_MAPS == ("sessionWindowConfigs", "sessionTtlExtensions")


def test_array_maps_are_json_arrays_and_the_rest_objects() -> None:
    arrays = {spec.name for spec in MAPS if spec.shape.is_array}
    assert arrays == {"sessions", "followedSessions", "telemetryEntries"}
    for name in DATA_KEYS:
        assert empty_map(name) == ([] if name in arrays else {})
    assert empty_map("regions") == {}
    assert empty_map("events") is not empty_map("events")  # a new value each time


@pytest.mark.parametrize(
    ("value", "count"),
    [({}, 0), ({"a": 1, "b": [1, 2]}, 2), ([], 0), ([1, 2, 3], 3), ("text", 0), (7, 0), (None, 0)],
)
def test_entry_count(value: Any, count: int) -> None:
    assert entry_count(value) == count


def test_map_counts_keeps_the_data_order_and_unknown_keys() -> None:
    data = {"regions": [1], "sessions": [{"id": "a"}], "frequencies": {"x": {}}, "odd": 3}
    assert map_counts(data) == {"regions": 1, "sessions": 1, "frequencies": 1, "odd": 0}
    assert list(map_counts(data)) == list(data)
    assert map_counts([1, 2]) == {}


def test_finished_sessions() -> None:
    for status in ("completed", "failed", "ended"):
        assert is_finished({"id": "s", "status": status})
    assert not is_finished({"id": "s", "status": "in_progress"})
    assert not is_finished({"id": "s"})
    assert not is_finished(["completed"])


@pytest.mark.parametrize(
    "data",
    [
        {},
        {name: empty_map(name) for name in DATA_KEYS},
        {"sessions": [{"id": "a", "user": "u"}], "sessionsByUser": {"u": ["a"]}},
        {"events": {"a": [1]}, "regions": "anything", "telemetryEntries": [{"x": 1}]},
        {"unknown": 1},  # refusing data with no known map is the command's call, not the shape's
    ],
)
def test_import_shape_accepts(data: Any) -> None:
    check_import_shape(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "import expects a JSON object (a snapshot's data object)"),
        ({"sessions": {}}, '"sessions" must be an array, not dict'),
        ({"events": []}, '"events" must be an object, not list'),
        ({"followedSessions": "a"}, '"followedSessions" must be an array, not str'),
        ({"frequencies": None}, '"frequencies" must be an object, not NoneType'),
        (
            {"sessions": [{"id": "a"}, {"id": 5}]},
            '"sessions"[1] must be an object with a string "id"',
        ),
        ({"sessions": ["a"]}, '"sessions"[0] must be an object with a string "id"'),
        ({"sessionsByUser": {"u\x1b": "a"}}, '"sessionsByUser"."u\x1b" must be an array'),
        # the first known map in format order is named, whatever the data's own order
        ({"bookmarks": [], "sessions": {}}, '"sessions" must be an array, not dict'),
    ],
)
def test_import_shape_refuses(data: Any, message: str) -> None:
    with pytest.raises(ImportShapeError) as caught:
        check_import_shape(data)
    assert str(caught.value) == message

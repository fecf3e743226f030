"""diff_data and map_entries: what changed between two snapshots, entry by entry."""

from __future__ import annotations

from statesnap.engine import ChangeKind, diff_data, js_loads
from statesnap.engine.format.map_entries import map_entries


def test_added_removed_changed_per_map_in_format_order() -> None:
    before = {"events": {"a": [1]}, "sessions": [{"id": "s1", "v": 1}, {"id": "s2"}], "zz": {}}
    after = {
        "sessions": [{"id": "s1", "v": 2}, {"id": "s3"}],
        "events": {"a": [1]},
        "new": {"k": 1},
    }
    result = diff_data(before, after)
    assert [m.name for m in result.maps] == ["sessions", "events", "new", "zz"]
    sessions = result.maps[0]
    assert (sessions.added, sessions.removed, sessions.changed) == (["s3"], ["s2"], ["s1"])
    change = next(c for c in sessions.changes if c.kind is ChangeKind.CHANGED)
    assert (change.before, change.after) == ({"id": "s1", "v": 2 - 1}, {"id": "s1", "v": 2})
    assert result.maps[1].changes == ()
    assert result.to_json()["new"] == {"added": ["k"], "removed": [], "changed": []}


def test_values_are_compared_as_javascript_sees_them() -> None:
    assert diff_data({"m": {"k": 1}}, {"m": {"k": 1.0}}).is_empty
    assert not diff_data({"m": {"k": 1}}, {"m": {"k": True}}).is_empty
    assert not diff_data({"m": {"k": {"a": 1, "b": 2}}}, {"m": {"k": {"b": 2, "a": 1}}}).is_empty


def test_deep_values_compare_without_recursion_errors() -> None:
    deep = js_loads(b'{"a":' * 3000 + b"1" + b"}" * 3000)
    deeper = js_loads(b'{"a":' * 3000 + b"2" + b"}" * 3000)
    assert diff_data({"m": {"k": deep}}, {"m": {"k": deep}}).is_empty
    assert diff_data({"m": {"k": deep}}, {"m": {"k": deeper}}).maps[0].changed == ["k"]


def test_map_entries_never_hides_an_entry() -> None:
    entries = map_entries([{"id": "#1", "a": 1}, {"b": 2}, {"id": "#1"}, "x", "x"])
    assert len(entries) == 5
    assert entries["#1"] == {"id": "#1", "a": 1}
    assert list(entries.values())[1] == {"b": 2}

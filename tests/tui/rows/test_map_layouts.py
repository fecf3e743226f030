"""Map layouts, cells and rows, directly: the columns a map shows, what each cell holds, one
row per record for maps of per-key lists and per entry for the others, hostile text escaped."""

from __future__ import annotations

from typing import Any

from statesnap.tui.rows.columns import Column
from statesnap.tui.rows.entry_cells import CELL_CHARS, entry_cells, entry_search_text, entry_summary
from statesnap.tui.rows.map_layouts import key_layout_for, layout_columns, layout_for
from statesnap.tui.rows.map_rows import MAP_COLUMNS, MapCounts, MapCountsRows, MapRows, count_maps

HOSTILE = "\x1b[2J\x1b]52;c;cHduZWQ=\x07[bold]boom[/]\r\n"

EVENTS: dict[str, Any] = {
    "sess_a": [
        {
            "id": "e1",
            "sessionId": "sess_a",
            "type": "started",
            "timestamp": "2026-02-14T09:00:00.000Z",
        },
        {"id": "e2", "sessionId": "sess_a", "type": "step", "timestamp": 1771059600000, "n": 2},
    ],
    "sess_b": [{"id": "e3", "type": "done", "timestamp": "2026-02-14T10:00:00.000Z"}],
}
SESSIONS: list[Any] = [
    {
        "id": "sess_a",
        "status": "done",
        "user": "alice",
        "cwd": "/w",
        "startedAt": "2026-02-14T09:00:00Z",
    },
    {"id": "sess_b", "status": "open", "user": "bob", "cwd": "/v"},
]


def plain(cells: list[Any]) -> list[str]:
    return [cell.plain for cell in cells]


def test_a_map_of_record_lists_shows_its_records_keyed_by_session() -> None:
    layout = layout_for("events")
    assert layout.per_key_lists
    assert layout_columns(layout) == [
        Column("session", 20),
        Column("time", 19),
        Column("type", 18),
        Column("detail", 0),
    ]
    rows = MapRows.of_map("events", EVENTS)
    assert (len(rows), rows.key_count) == (3, 2)
    assert [rows.label(row) for row in range(3)] == ["sess_a [0]", "sess_a [1]", "sess_b [0]"]
    assert rows.entry(1)["n"] == 2
    assert plain(rows.cells(0)) == ["sess_a", "2026-02-14 09:00:00", "started", ""]
    assert plain(rows.cells(1)) == ["sess_a", "2026-02-14 09:00:00", "step", "n: 2"]


def test_an_array_map_shows_one_row_per_item_keyed_by_its_id() -> None:
    rows = MapRows.of_map("sessions", SESSIONS)
    assert [column.title for column in rows.columns] == ["id", "status", "user", "cwd", "started"]
    assert len(rows) == 2 and rows.label(1) == "sess_b"
    assert plain(rows.cells(0)) == ["sess_a", "done", "alice", "/w", "2026-02-14 09:00:00"]
    assert plain(rows.cells(1))[-1] == ""  # a field missing is an empty cell


def test_an_unknown_map_gets_key_and_summary() -> None:
    rows = MapRows.of_map("regions", {"r1": {"a": 1, "b": [1, 2], "c": None}, "r2": True})
    assert [column.title for column in rows.columns] == ["key", "value"]
    assert plain(rows.cells(0)) == ["r1", "a: 1, b: [2 items], c: null"]
    assert plain(rows.cells(1)) == ["r2", "true"]


def test_a_live_map_of_record_lists_shows_one_row_per_key() -> None:
    layout = key_layout_for("events")
    assert [field.title for field in layout.fields] == ["session", "records", "last"]
    assert plain(entry_cells(layout, "sess_a", EVENTS["sess_a"])) == [
        "sess_a",
        "2",
        "type: step, timestamp: 1771059600000, n: 2",
    ]
    assert key_layout_for("sessions") == layout_for("sessions")


def test_hostile_text_is_shown_literally_and_escaped() -> None:
    rows = MapRows.of_map("regions", {HOSTILE: HOSTILE})
    for cell in rows.cells(0):
        assert "\x1b" not in cell.plain and "\x07" not in cell.plain and "\n" not in cell.plain
        assert "[bold]boom[/]" in cell.plain  # markup is text, never parsed
    names = MapCountsRows([MapCounts(HOSTILE, 1, None)]).cells(0)[0].plain
    assert "\x1b" not in names and "[bold]boom[/]" in names


def test_long_values_are_cut_before_they_are_escaped() -> None:
    summary = entry_summary("x" * 100_000)
    assert len(summary) == CELL_CHARS + 1 and summary.endswith("…")
    cells = entry_cells(layout_for("sessions"), "k", {"id": "session-" + "9" * 50 + "-end"})
    assert cells[0].plain.startswith("session-") and cells[0].plain.endswith("-end")
    assert len(cells[0].plain) == 20


def test_filtering_matches_key_or_json_in_any_case() -> None:
    rows = MapRows.of_map("events", EVENTS)
    found = rows.matching("DONE", lambda: True)
    assert found is not None and [found.label(row) for row in range(len(found))] == ["sess_b [0]"]
    assert rows.matching("x", lambda: False) is None
    assert entry_search_text("Key", {"A": 1}) == 'key\n{"a":1}'


def test_the_list_of_maps_counts_entries_and_records() -> None:
    counts = count_maps({"events": EVENTS, "sessions": SESSIONS, "empty": {}, "odd": 3})
    assert counts == [
        MapCounts("events", 2, 3),
        MapCounts("sessions", 2, None),
        MapCounts("empty", 0, None),
        MapCounts("odd", 0, None),
    ]
    rows = MapCountsRows(counts)
    assert [plain(rows.cells(row)) for row in range(len(rows))] == [
        ["events", "3"],
        ["sessions", "2"],
        ["empty", "0"],
        ["odd", "0"],
    ]
    assert rows.cells(2)[0].style == "dim"
    assert len(MAP_COLUMNS) == 2
    assert count_maps([1, 2]) == []

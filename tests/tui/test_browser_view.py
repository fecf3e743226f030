"""The browser: maps, entries laid out per map, entry JSON, the filter, copying, big maps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from statesnap.tui import clipboard
from statesnap.tui.app import StatesnapApp
from statesnap.tui.rows.map_layouts import layout_for
from statesnap.tui.rows.map_rows import MapRows
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.screens.snapshots import SnapshotsScreen
from statesnap.tui.widgets.json_view import JsonView
from statesnap.tui.widgets.virtual_table import VirtualTable

from .conftest import (
    SIZE,
    copy_fixtures,
    make_app,
    record_notifications,
    sample_data,
    settle,
    write,
)


def browser(app: StatesnapApp) -> BrowserScreen:
    assert isinstance(app.screen, BrowserScreen)
    return app.screen


def rows_of(table: VirtualTable) -> list[list[str]]:
    return [[cell.plain for cell in table.source.cells(row)] for row in range(table.row_count)]


async def open_map(app: StatesnapApp, pilot: Any, name: str) -> BrowserScreen:
    """From the snapshots view: open the selected file, highlight map `name`, enter it."""
    await pilot.press("enter")
    await settle(pilot)
    screen = browser(app)
    maps = [row[0] for row in rows_of(screen.maps)]
    screen.maps.move_cursor(maps.index(name))
    await pilot.press("enter")
    await settle(pilot)
    return screen


async def test_maps_with_counts_and_entries_laid_out_per_map(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(3))
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_map(app, pilot, "events")
        maps = {row[0]: row[1:] for row in rows_of(screen.maps)}
        assert maps["sessions"] == ["3"]
        assert maps["events"] == ["6"]  # the rows of its table: records, in per-key lists
        assert "3 entries · 6 records" in str(screen.query_one("#crumbs").render())
        assert [column.title for column in screen.entries._columns] == [
            "session",
            "time",
            "type",
            "detail",
        ]
        rows = rows_of(screen.entries)
        assert len(rows) == 6
        assert rows[0][:3] == ["sess_000", "2026-02-14 09:00:00", "session:started"]
        assert "stepNumber: 0" in rows[0][3]
        assert screen.entries.has_focus
        json_text = screen.json_view.text
        assert json.loads(json_text)["id"] == "evt_0_0"
        assert "sess_000 [0]" in str(screen.query_one("#entry-title").render())


@pytest.mark.parametrize(
    ("name", "titles"),
    [
        ("sessions", ["id", "status", "user", "cwd", "started"]),
        ("chatHistory", ["session", "role", "time", "first line"]),
        ("somethingNew", ["key", "value"]),
    ],
)
def test_layouts_fit_the_record(name: str, titles: list[str]) -> None:
    assert [field.title for field in layout_for(name).fields] == titles


def test_chat_rows_show_the_first_line() -> None:
    rows = MapRows.of_map("chatHistory", sample_data(1)["chatHistory"])
    assert [cell.plain for cell in rows.cells(0)] == [
        "sess_000",
        "user",
        "2026-02-14 09:00:30",
        "Please build feature 0. …",
    ]


async def test_enter_goes_in_and_escape_comes_back_out(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(3))
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_map(app, pilot, "sessions")
        await pilot.press("enter")
        assert screen.json_view.has_focus
        await pilot.press("escape")
        assert screen.maps.has_focus
        await pilot.press("escape")
        assert isinstance(app.screen, SnapshotsScreen)


async def test_slash_filters_by_any_text_and_escape_clears(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(12))
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_map(app, pilot, "sessions")
        assert screen.entries.row_count == 12
        await pilot.press("slash")
        await pilot.press(*"PROJECT-1")
        await settle(pilot)
        assert [row[0] for row in rows_of(screen.entries)] == ["sess_001", "sess_010", "sess_011"]
        assert "filter" in str(screen.query_one("#crumbs").render())
        await pilot.press("enter")
        assert screen.entries.has_focus
        assert screen.entries.row_count == 3
        await pilot.press("escape")
        await settle(pilot)
        assert screen.entries.row_count == 12


async def test_filter_with_no_match_says_so(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(3))
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_map(app, pilot, "sessions")
        await pilot.press("slash", *"zzz")
        await settle(pilot)
        assert screen.entries.row_count == 0
        assert "No entry matches 'zzz'" in screen.entries.empty_text
        assert screen.json_view.line_count == 0
        assert screen.check_action("copy", ()) is None


async def test_y_copies_the_entry_json(snapshot_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.setenv("TERM", "xterm-kitty")
    write(snapshot_dir, sample_data(3))
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_map(app, pilot, "sessions")
        await pilot.press("j", "y")
        assert json.loads(app.clipboard)["id"] == "sess_001"
        assert notes[-1].startswith("Copied sessions sess_001 (")
        assert "to the clipboard by OSC 52." in notes[-1]


async def test_a_large_entry_is_saved_to_a_file_instead(
    snapshot_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clipboard, "OSC52_MAX_BYTES", 10)
    write(snapshot_dir, sample_data(3))
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_map(app, pilot, "sessions")
        await pilot.press("y")
        assert app.clipboard == ""
        assert "too large for the terminal clipboard" in notes[-1]
        saved = Path(notes[-1].rsplit(" to ", 1)[1])
        assert json.loads(saved.read_text())["id"] == "sess_000"
        assert saved.stat().st_mode & 0o077 == 0


async def test_a_corrupt_file_says_why_it_cannot_be_browsed(snapshot_dir: Path) -> None:
    copy_fixtures(snapshot_dir, "broken")
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = browser(app)
        assert screen.maps.row_count == 0
        assert 'missing "data"' in str(screen.query_one("#crumbs").render())
        assert screen.check_action("filter", ()) is None


async def test_a_map_of_100000_entries_opens_and_pages(snapshot_dir: Path) -> None:
    telemetry = [
        {"id": f"tel_{index}", "level": "info", "source": "bench", "message": f"line {index}"}
        for index in range(100_000)
    ]
    write(snapshot_dir, {"telemetryEntries": telemetry})
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_map(app, pilot, "telemetryEntries")
        assert screen.entries.row_count == 100_000
        await pilot.press("G")
        assert json.loads(screen.json_view.text)["id"] == "tel_99999"
        await pilot.press("pageup", "pageup", "g")
        assert json.loads(screen.json_view.text)["id"] == "tel_0"
        await pilot.press("slash", *"line 9999")
        await settle(pilot)
        assert screen.entries.row_count == 11


async def test_json_view_scrolls(snapshot_dir: Path) -> None:
    write(snapshot_dir, {"dossiers": {"big": {"lines": list(range(500))}}})
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_map(app, pilot, "dossiers")
        await pilot.press("enter")
        view = screen.query_one(JsonView)
        assert view.has_focus
        await pilot.press("G")
        assert view.scroll_y == view.max_scroll_y > 0
        await pilot.press("g")
        assert view.scroll_y == 0

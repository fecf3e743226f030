"""The default terminal, 80x24, and smaller: what matters first is in view, nothing is cut in
half, and 50x12 still works."""

from __future__ import annotations

from pathlib import Path

import pytest
from statesnap.tui.app import StatesnapApp
from statesnap.tui.rows.columns import MIN_FLEXIBLE, Column, column_widths, line_width
from statesnap.tui.rows.snapshots import SNAPSHOT_COLUMNS
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.screens.confirm import ConfirmScreen
from statesnap.tui.screens.diff import DiffScreen
from statesnap.tui.screens.help import HelpScreen
from statesnap.tui.screens.snapshots import SnapshotsScreen
from statesnap.tui.widgets.footer import DashboardFooter
from textual.screen import Screen
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from .conftest import copy_fixtures, make_app, sample_data, settle, write

SMALL = (80, 24)
TINY = (50, 12)


def test_optional_columns_go_first_then_the_table_scrolls() -> None:
    wide = column_widths(SNAPSHOT_COLUMNS, 116)
    assert all(wide) and wide[-1] > MIN_FLEXIBLE
    narrow = column_widths(SNAPSHOT_COLUMNS, 77)
    assert narrow[3] == 0  # the size, optional, is left out
    assert narrow[-1] == MIN_FLEXIBLE and line_width(narrow) == 77
    columns = [Column("key", 30), Column("value", 0)]
    assert line_width(column_widths(columns, 40)) == 1 + 30 + 2 + MIN_FLEXIBLE  # scrolls


def footer_keys(app: StatesnapApp) -> list[str]:
    """The keys the footer shows, left to right (the palette's, docked right, last)."""
    footer = app.screen.query_one(DashboardFooter)
    shown = [key for key in footer.query_children(FooterKey) if key.display]
    return [key.key_display for key in sorted(shown, key=lambda key: key.region.x)]


async def test_the_footer_keeps_help_first_and_drops_whole_keys(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(), 0)
    write(snapshot_dir, sample_data(), 1)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        keys = footer_keys(app)
        assert keys[0] == "?" and keys[-1] == "^p"
        assert {"⏎", "d", "r", "R"} <= set(keys)
        assert "s" not in keys  # disabled (no server): the first to go
        footer = app.screen.query_one(DashboardFooter)
        for key in footer.query_children(FooterKey):
            if key.display:
                assert footer.region.contains_region(key.region), key.key_display
        await pilot.resize_terminal(140, 30)
        await settle(pilot)
        assert {"?", "⏎", "d", "r", "s", "u", "R", "q", "^p"} <= set(footer_keys(app))


async def test_the_header_cuts_the_directory_not_the_server(tmp_path: Path) -> None:
    directory = tmp_path / "a-rather-long-directory-name" / "and-deeper-still" / "snapshots"
    app = StatesnapApp(directory, watch=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        title = str(app.screen.query_one("HeaderTitle", Static).render())
        assert "…" in title and title.endswith("no server attached")
        assert len(title) <= SMALL[0] - 3


async def test_the_snapshot_table_gets_the_height(snapshot_dir: Path) -> None:
    copy_fixtures(snapshot_dir, "basic", "broken", "fallback")
    app = make_app(snapshot_dir)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SnapshotsScreen)
        table, detail = screen.table, screen.query_one("#detail-pane")
        assert table.region.height - 3 >= 10  # rows shown, under the header and borders
        assert detail.region.height <= 8
        odd = [
            row for row in range(table.row_count) if "broken-06" in str(table.source.cells(row)[5])
        ]
        assert odd, "an odd name shows, whole enough to tell apart"


async def test_in_80_columns_the_maps_make_room_for_an_open_map(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(3))
    app = make_app(snapshot_dir)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        assert screen.maps.display and screen.maps.region.width <= 40
        await pilot.press("enter")  # into the entries: the maps step aside
        await settle(pilot)
        assert screen.entries.has_focus and screen.maps.region.width == 0
        assert screen.entries.region.width == SMALL[0]
        await pilot.press("l")  # a table wider than its place scrolls sideways
        assert screen.entries.scroll_x > 0
        await pilot.press("escape")
        await settle(pilot)
        assert screen.maps.has_focus and screen.maps.region.width > 0


@pytest.mark.parametrize(
    ("keys", "shown"),
    [
        (("j", "j"), SnapshotsScreen),
        (("enter", "j", "enter", "j", "enter"), BrowserScreen),
        (("d", "G", "d", "j", "enter"), DiffScreen),
        (("question_mark",), HelpScreen),
        (("G", "k", "r"), ConfirmScreen),
        (("enter", "slash", "x"), BrowserScreen),
    ],
)
async def test_50x12_still_works(
    snapshot_dir: Path, keys: tuple[str, ...], shown: type[Screen[object]]
) -> None:
    copy_fixtures(snapshot_dir, "basic", "fallback")
    app = make_app(snapshot_dir)
    async with app.run_test(size=TINY) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        assert app.is_running and isinstance(app.screen, shown)


async def test_the_footer_is_composed_again_only_when_its_keys_change(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(), 0)
    (snapshot_dir / "snapshot-2026-03-01T10-00-00-000Z.json.gz").write_bytes(b"not gzip")  # older
    app = make_app(snapshot_dir)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(DashboardFooter)

        def pin_key() -> FooterKey:
            (key,) = [key for key in footer.query_children(FooterKey) if key.action == "pin"]
            return key

        on_valid = pin_key()
        assert not on_valid.has_class("-disabled")  # the newest file is valid: it can be pinned
        app.screen.refresh_bindings()
        await settle(pilot)
        assert pin_key() is on_valid  # the same keys: not composed again
        await pilot.press("down")
        await settle(pilot)
        assert pin_key().has_class("-disabled")  # the older file is corrupt: composed again

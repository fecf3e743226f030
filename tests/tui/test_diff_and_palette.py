"""The diff view, and the command palette's actions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from statesnap.tui.app import StatesnapApp
from statesnap.tui.palette import ScreenActionsProvider
from statesnap.tui.screens.diff import DiffScreen
from statesnap.tui.screens.snapshots import SnapshotsScreen
from statesnap.tui.widgets.json_view import JsonView
from textual.command import CommandList, CommandPalette, DiscoveryHit

from .conftest import SIZE, make_app, sample_data, settle, write


def diff_screen(app: StatesnapApp) -> DiffScreen:
    assert isinstance(app.screen, DiffScreen)
    return app.screen


def changed_data() -> dict[str, Any]:
    data = sample_data(3)
    data["sessions"][0]["status"] = "failed"
    data["sessions"].append({"id": "sess_new", "status": "pending"})
    del data["chatHistory"]["sess_002"]
    return data


async def test_diff_shows_added_removed_and_changed_entries(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(3), 0)
    write(snapshot_dir, changed_data(), 1)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        screen = diff_screen(app)
        crumbs = str(screen.query_one("#crumbs").render())
        assert "2 maps differ: 1 added · 1 removed · 1 changed" in crumbs
        maps = {
            cells[0].plain: [cell.plain for cell in cells[1:]]
            for cells in (screen.map_table.source.cells(row) for row in range(4))
        }
        assert maps["sessions"] == ["1", "·", "1"]
        assert maps["chatHistory"] == ["·", "1", "·"]
        assert maps["events"] == ["·", "·", "·"]
        assert screen.map_table.cursor_row == 0
        changes = [
            [cell.plain for cell in screen.changes.source.cells(row)]
            for row in range(screen.changes.row_count)
        ]
        assert [change[:2] for change in changes] == [
            ["changed", "sess_000"],
            ["added", "sess_new"],
        ]
        before = json.loads(screen.query_one("#before", JsonView).text)
        after = json.loads(screen.query_one("#after", JsonView).text)
        assert (before["status"], after["status"]) == ("completed", "failed")

        await pilot.press("enter", "j")
        assert screen.changes.has_focus
        assert screen.query_one("#before", JsonView).line_count == 0
        assert json.loads(screen.query_one("#after", JsonView).text)["id"] == "sess_new"

        await pilot.press("escape")
        assert screen.map_table.has_focus
        await pilot.press("escape")
        assert isinstance(app.screen, SnapshotsScreen)


async def test_identical_snapshots_say_so(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(3), 0)
    write(snapshot_dir, sample_data(3), 1)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        assert "identical data" in str(diff_screen(app).query_one("#crumbs").render())


async def test_a_corrupt_side_says_why_it_cannot_compare(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(3), 0)
    newer = write(snapshot_dir, sample_data(3), 1)
    newer.write_bytes(b"junk")
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        crumbs = str(diff_screen(app).query_one("#crumbs").render())
        assert f"cannot compare: {newer.name}: corrupt: not gzip data" in crumbs


async def offered(app: StatesnapApp) -> dict[str, str]:
    provider = ScreenActionsProvider(app.screen)
    hits = [hit async for hit in provider.discover()]
    return {str(hit.display): hit.help or "" for hit in hits if isinstance(hit, DiscoveryHit)}


async def test_palette_offers_what_can_run_now(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(3), 0)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = await offered(app)
        assert {"Open", "Roll back", "Help", "Quit"} <= set(commands)
        assert "Snapshot now" not in commands
        assert "Diff" not in commands
        assert "Browse the selected snapshot's maps and entries" in commands["Open"]
        write(snapshot_dir, sample_data(3), 1)
        await pilot.press("R")  # listed again: the selection stays on the older file
        await settle(pilot)
        commands = await offered(app)
        assert "Diff" in commands and "Diff with older" not in commands
        await pilot.press("k")
        assert {"Diff", "Diff with older"} <= set(await offered(app))


async def test_palette_runs_an_action(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(3), 0)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"open", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "BrowserScreen"


async def test_the_palette_lists_statesnaps_commands_once_and_nothing_generic(
    snapshot_dir: Path,
) -> None:
    write(snapshot_dir, sample_data(3), 0)
    write(snapshot_dir, sample_data(3), 1)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        commands = app.screen.query_one(CommandList)
        titles = [
            str(commands.get_option_at_index(index).prompt).split("\n")[0]
            for index in range(commands.option_count)
        ]
        assert sorted(titles) == [
            "Diff",
            "Diff with older",
            "Help",
            "Open",
            "Pin",
            "Quit",
            "Rescan",
            "Roll back",
            "Search",
            "Theme",
        ]

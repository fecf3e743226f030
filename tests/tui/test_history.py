"""The history of one entry (`h` in the browser): its versions in real snapshot files, folded,
absent, and a damaged file skipped with its reason; the live state of a real server as the last
row; the diff between two versions; and how it looks in 80x24."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from statesnap.tui.app import StatesnapApp
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.screens.history import HistoryScreen
from statesnap.tui.screens.version_diff import VersionDiffScreen
from statesnap.tui.widgets.json_view import JsonView
from textual.pilot import Pilot
from textual.widgets import Input, Static

from .conftest import SIZE, make_app, record_notifications, sample_data, settle, write
from .test_live_state import demo_server, live_app, until

SMALL = (80, 24)


def history_dir(directory: Path) -> None:
    """sess_001 completed (3 files), gone (1), in progress (1), a damaged file, in progress."""
    for minute, status in enumerate(["completed"] * 3 + [None, "in_progress"]):
        data = sample_data(3)
        if status is None:
            data["sessions"] = [s for s in data["sessions"] if s["id"] != "sess_001"]
        else:
            data["sessions"][1]["status"] = status
        write(directory, data, minute)
    damaged = write(directory, sample_data(3), 5)
    damaged.write_bytes(damaged.read_bytes()[:50])
    data = sample_data(3)
    data["sessions"][1]["status"] = "in_progress"
    write(directory, data, 6)


async def open_history(app: StatesnapApp, pilot: Pilot[Any], live: bool = False) -> HistoryScreen:
    """From the snapshots list: the newest file (or the live state), sessions, sess_001, h
    (no `settle` with a server: its status is read again and again)."""
    if not live:
        await settle(pilot)
    await pilot.press(*(["g"] if live else []), "enter")
    await until(pilot, lambda: isinstance(app.screen, BrowserScreen) and app.screen._summaries)
    await pilot.press("enter")
    await until(pilot, lambda: app.screen.query_one("#entries").row_count)  # type: ignore[attr-defined]
    await pilot.press("j")
    await until(pilot, lambda: app.screen._entry_key() == "sess_001")  # type: ignore[attr-defined]
    await pilot.press("h")
    screen = app.screen
    assert isinstance(screen, HistoryScreen)
    assert (screen.map_name, screen.key) == ("sessions", "sess_001")
    return screen


def crumbs(screen: Any) -> str:
    return str(screen.query_one("#crumbs", Static).render())


async def test_versions_fold_show_absent_and_skip_a_damaged_file(snapshot_dir: Path) -> None:
    history_dir(snapshot_dir)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(app, pilot)
        await until(pilot, lambda: "7 sources" in crumbs(screen))
        assert "4 versions" in crumbs(screen)
        states = [
            [cell.plain for cell in screen.rows.cells(row)][2] for row in range(len(screen.rows))
        ]
        assert states == [
            "changed · unchanged in 3 snapshots",
            "absent",
            "changed",
            "skipped: corrupt: truncated gzip data (unexpected end of file)",
            "unchanged",
        ]
        assert screen.rows.rows[0].count == 3
        await pilot.press("j", "j")
        view = screen.query_one("#version", JsonView)
        assert '"status": "in_progress"' in view.text
        await pilot.press("j")
        assert view.line_count == 0 and "corrupt" in view.placeholder
        assert screen.check_action("mark", ()) is None  # a skipped file has no version


async def test_two_versions_are_compared_with_their_changed_fields(snapshot_dir: Path) -> None:
    history_dir(snapshot_dir)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(app, pilot)
        await until(pilot, lambda: len(screen.rows) == 5)
        await pilot.press("space", "G", "enter")
        diff = app.screen
        assert isinstance(diff, VersionDiffScreen)
        assert str(diff.query_one("#fields", Static).render()) == "1 field changed: status"
        older, newer = (
            diff.query_one("#older-version", JsonView),
            diff.query_one("#newer-version", JsonView),
        )
        assert '"completed"' in older.text and '"in_progress"' in newer.text
        assert older._marked and newer._marked
        await pilot.press("escape", "g", "j", "d")
        assert str(app.screen.query_one("#fields", Static).render()) == "removed"


async def test_h_is_typed_into_the_filter_and_needs_an_entry(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(3, {"empty": {}}), 0)
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter", "slash", "h")
        assert app.screen.query_one("#filter", Input).value == "h"
        await pilot.press("escape", "escape", "G")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        await pilot.press("h")
        assert notes[-1] == "no entry selected"


async def test_the_live_state_is_the_last_row(snapshot_dir: Path, runtime: Path) -> None:
    history_dir(snapshot_dir)
    app = live_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot, demo_server(snapshot_dir, runtime) as (_, client):
        await until(pilot, lambda: app.context.server_status is not None)
        screen = await open_history(app, pilot, live=True)
        await until(pilot, lambda: "8 sources" in crumbs(screen))
        last = screen.rows.rows[-1]
        assert last.last.live and last.count == 2  # the server restored the newest file
        assert last.value == client.entry("sessions", "sess_001").value


def test_history_at_80x24(snapshot_dir: Path, snap_compare: Callable[..., bool]) -> None:
    history_dir(snapshot_dir)

    async def run_before(pilot: Pilot[Any]) -> None:
        await open_history(pilot.app, pilot)  # type: ignore[arg-type]
        await settle(pilot)
        await pilot.press("j", "j")

    assert snap_compare(make_app(snapshot_dir), terminal_size=SMALL, run_before=run_before)


def test_version_diff_at_80x24(snapshot_dir: Path, snap_compare: Callable[..., bool]) -> None:
    history_dir(snapshot_dir)

    async def run_before(pilot: Pilot[Any]) -> None:
        await open_history(pilot.app, pilot)  # type: ignore[arg-type]
        await settle(pilot)
        await pilot.press("space", "j", "j", "d")  # completed, then in progress
        await settle(pilot)

    assert snap_compare(make_app(snapshot_dir), terminal_size=SMALL, run_before=run_before)


def test_help_in_the_browser_leaves_out_the_keys_the_browser_takes_first() -> None:
    """`h` opens the history in the browser, so the help does not offer it for scrolling left."""
    from rich.console import Console
    from statesnap.tui.screens.browser import BrowserScreen
    from statesnap.tui.screens.help import help_text
    from textual.app import App

    console = Console(width=200, record=True)
    console.print(help_text(App(), BrowserScreen.__new__(BrowserScreen)))
    lines = console.export_text().splitlines()
    history = [line for line in lines if "History" in line]
    left = [line for line in lines if "Scroll left" in line]
    assert history and history[0].split()[0] == "h"
    assert left and all(line.split()[0] != "h" for line in left)

"""The diff view against a real server's live state: a marked file and the live entry (or `d`
on the live entry: the newest file) compared page by page, its progress shown, the
comparison stopped when the view is left."""

from __future__ import annotations

import json
from pathlib import Path

from statesnap.tui.app import StatesnapApp
from statesnap.tui.screens.diff import DiffScreen
from statesnap.tui.screens.snapshots import LIVE_NO_DIFF
from statesnap.tui.widgets.json_view import JsonView
from textual.worker import Worker

from .conftest import SIZE, record_notifications, sample_data, write
from .test_diff_and_palette import changed_data
from .test_live_state import demo_server, live_app, snapshots, until


def diff_screen(app: StatesnapApp) -> DiffScreen:
    assert isinstance(app.screen, DiffScreen)
    return app.screen


def crumbs(screen: DiffScreen) -> str:
    return str(screen.query_one("#crumbs").render())


async def test_a_marked_file_against_the_live_state(snapshot_dir: Path, runtime: Path) -> None:
    write(snapshot_dir, sample_data(3), 0)
    write(snapshot_dir, changed_data(), 1)  # the newest: what the server restores
    app = live_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot, demo_server(snapshot_dir, runtime) as (demo, _):
        await until(pilot, lambda: app.context.server_status is not None)
        await until(pilot, lambda: snapshots(app)._rows.live is not None)
        await pilot.press("G", "d", "g")  # mark the oldest file, then the live entry
        assert snapshots(app).live_selected()
        await pilot.press("d")
        screen = diff_screen(app)
        assert screen.newer is None and screen.older.name == app.context.catalog.entries[-1].name
        await until(pilot, lambda: "differ" in crumbs(screen))
        assert f"live state · pid {demo.pid}" in crumbs(screen)
        assert "2 maps differ: 1 added · 1 removed · 1 changed" in crumbs(screen)
        changes = [
            [cell.plain for cell in screen.changes.source.cells(row)][:2]
            for row in range(screen.changes.row_count)
        ]
        assert changes == [["changed", "sess_000"], ["added", "sess_new"]]
        title = screen.query_one("#after-title")
        await until(pilot, lambda: str(title.render()).startswith("live sess_000"))
        after = json.loads(screen.query_one("#after", JsonView).text)
        assert after["status"] == "failed"

        await pilot.press("escape")
        assert app.screen is snapshots(app)
        await pilot.press("g", "d")  # nothing marked: the newest file against the live state
        screen = diff_screen(app)
        assert screen.older.name == app.context.catalog.entries[0].name
        await until(pilot, lambda: "identical data" in crumbs(screen))


async def test_leaving_stops_the_comparison(snapshot_dir: Path, runtime: Path) -> None:
    data = sample_data(30_000)
    write(snapshot_dir, data, 0)
    app = live_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot, demo_server(snapshot_dir, runtime):
        await until(pilot, lambda: snapshots(app)._rows.live is not None)
        await pilot.press("g", "d")
        screen = diff_screen(app)
        await until(pilot, lambda: "reading " in crumbs(screen))
        workers: list[Worker[None]] = [
            worker for worker in app.workers if worker.group == "diff" and worker.node is screen
        ]
        assert workers and workers[0].is_running
        await pilot.press("escape")
        assert app.screen is snapshots(app)
        await until(pilot, lambda: workers[0].is_finished)
        assert workers[0].is_cancelled


async def test_nothing_to_compare_the_live_state_with(snapshot_dir: Path, runtime: Path) -> None:
    app = live_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot, demo_server(snapshot_dir, runtime):
        notes = record_notifications(app)
        await until(pilot, lambda: snapshots(app)._rows.live is not None)
        await pilot.press("g", "d")
        await pilot.pause()
        assert LIVE_NO_DIFF in notes and app.screen is snapshots(app)

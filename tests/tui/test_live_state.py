"""The live state of a real demo server (a subprocess), in the dashboard: the header, the live
entry of the snapshots list, the live browser read through the control channel a page at a
time, its refresh, and snapshot, roll-back and undo driven from the keys."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from statesnap.engine import (
    ControlClient,
    SaveResult,
    ServiceStatus,
    format_timestamp,
    list_snapshot_names,
)
from statesnap.tui.app import StatesnapApp
from statesnap.tui.live_source import LiveSource
from statesnap.tui.rows.live import PAGE_ROWS, LiveMapRows
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.screens.confirm import ConfirmScreen
from statesnap.tui.screens.snapshots import LIVE_NO_ROLLBACK, SnapshotsScreen
from statesnap.tui.text.server_words import server_words
from statesnap.tui.widgets.virtual_table import VirtualTable
from textual.pilot import Pilot

from tests.support.processes import DemoProcess, child_env
from tests.support.redis_server import RedisServer

from .conftest import NOW, SIZE, make_app, record_notifications, sample_data, wait_until, write
from .test_untrusted_text import HOSTILE, assert_nothing_raw, hostile_data

SERVER_WAIT_S = 20.0
"""Generous: a refresh every 2 s, on a loaded CI machine."""


def live_app(directory: Path) -> StatesnapApp:
    """A dashboard that looks for the directory's server, as `statesnap` does."""
    app = make_app(directory)
    app.watch_directory = True
    return app


@asynccontextmanager
async def demo_server(
    directory: Path, runtime: Path, **options: Any
) -> AsyncIterator[tuple[DemoProcess, ControlClient]]:
    """A server on `directory`, up and answering: a dev server that embeds statesnap, or the
    demo (with simulated activity) when `tick_s` is given."""
    options.setdefault("host", "tick_s" not in options)
    with DemoProcess(directory.resolve(), runtime, **options) as demo:
        info = await asyncio.to_thread(demo.wait_for_server)
        yield demo, ControlClient(info, timeout_s=20.0)


async def until(pilot: Pilot[Any], condition: Callable[[], object]) -> None:
    await wait_until(pilot, lambda: bool(condition()), SERVER_WAIT_S)


def screen_text(screen: Any) -> str:
    return " ".join(str(widget.render()) for widget in screen.query("Static"))


def snapshots(app: StatesnapApp) -> SnapshotsScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, SnapshotsScreen)
    return screen


def cells(table: VirtualTable, row: int) -> list[str]:
    return [cell.plain for cell in table.source.cells(row)]


def live_row(app: StatesnapApp) -> list[str] | None:
    screen = snapshots(app)
    return cells(screen.table, 0) if screen._rows.live is not None else None


def browser(app: StatesnapApp) -> BrowserScreen:
    assert isinstance(app.screen, BrowserScreen)
    return app.screen


def live_rows(screen: BrowserScreen) -> LiveMapRows:
    rows = screen.entries.source
    assert isinstance(rows, LiveMapRows)
    return rows


async def open_live_map(app: StatesnapApp, pilot: Pilot[Any], name: str) -> BrowserScreen:
    """From the snapshots list: the live entry, then map `name`, its first rows read."""
    await pilot.press("g", "enter")
    await until(pilot, lambda: isinstance(app.screen, BrowserScreen) and app.screen._summaries)
    screen = browser(app)
    assert isinstance(screen.source, LiveSource)
    names = [summary.name for summary in screen._summaries]
    screen.maps.move_cursor(names.index(name))
    await pilot.press("enter")
    await until(pilot, lambda: screen.entries.row_count == 0 or live_rows(screen).key(0))
    return screen


def status(mode: str = "memory", save: SaveResult | None = None) -> ServiceStatus:
    return ServiceStatus(
        pid=4242,
        mode=mode,
        directory=Path("snaps"),
        enabled=mode == "memory",
        interval_s=300.0,
        max_snapshots=3,
        running=True,
        last_save=save,
        restored_from=None,
        skipped=(),
        can_undo=False,
    )


def test_the_header_words_for_each_mode_and_save() -> None:
    at = format_timestamp(NOW - timedelta(seconds=12))
    assert server_words(status(), NOW) == "pid 4242 · memory · no save yet"
    assert server_words(status(save=SaveResult(at, True)), NOW) == (
        "pid 4242 · memory · last save 12s ago ✓"
    )
    skipped = SaveResult(at, True, skipped_unchanged=True)
    assert "last save 12s ago ✓ (unchanged" in server_words(status(save=skipped), NOW)
    failed = SaveResult(at, False, error="OSError: [Errno 28] No space left on device")
    assert server_words(status(save=failed), NOW) == (
        "pid 4242 · memory · last save failed 12s ago: OSError: [Errno 28] No space left on device"
    )
    assert server_words(status("redis"), NOW) == "pid 4242 · redis · no snapshots (redis)"
    assert (
        server_words(status("fallback"), NOW)
        == "pid 4242 · fallback (Redis unreachable: in-memory state) · no snapshots (redis)"
    )


async def test_the_header_and_the_live_entry_follow_the_server(
    snapshot_dir: Path, runtime: Path
) -> None:
    write(snapshot_dir, sample_data(4), 0)
    app = live_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: snapshots(app).table.row_count == 1)
        assert "no server attached" in app.sub_title
        async with demo_server(snapshot_dir, runtime) as (demo, client):
            await until(pilot, lambda: app.context.server_status is not None)
            assert f"attached: pid {demo.pid} · memory · no save yet" in app.sub_title
            row = live_row(app)
            assert row is not None
            assert row[:2] == ["●", f"live state · pid {demo.pid}"]
            assert row[4] == "live · memory"
            counts = {item.name: item.count for item in client.maps()}
            assert f"sessions {counts['sessions']}" in row[5]
            assert snapshots(app).selected() == app.context.catalog.entries[0]

            await pilot.press("g")
            assert snapshots(app).live_selected()
            detail = str(snapshots(app).query_one("#detail").render())
            assert "restored  snapshot-" in detail
            await pilot.press("r")
            await pilot.pause()
            assert LIVE_NO_ROLLBACK in notes

            await pilot.press("s")
            await until(pilot, lambda: len(app.context.catalog.entries) == 2)
            newest = app.context.catalog.entries[0].name
            assert newest in list_snapshot_names(snapshot_dir)
            await until(pilot, lambda: "last save" in app.sub_title)
            assert "✓" in app.sub_title
            assert client.status().last_save is not None

            assert await asyncio.to_thread(demo.stop, signal.SIGTERM) == -signal.SIGTERM
            await until(pilot, lambda: live_row(app) is None)
            assert "no server attached" in app.sub_title
            gone = f"The server (pid {demo.pid} · memory) stopped (it exited"
            assert any(note.startswith(gone) and "last save" in note for note in notes)
            assert not snapshots(app).live_selected()
            assert snapshots(app).selected() == app.context.catalog.entries[0]


async def test_a_killed_server_is_explained_and_the_next_one_attached(
    snapshot_dir: Path, runtime: Path
) -> None:
    write(snapshot_dir, sample_data(2), 0)
    app = live_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        async with demo_server(snapshot_dir, runtime) as (demo, _):
            await until(pilot, lambda: live_row(app))
            demo.process.kill()
            await asyncio.to_thread(demo.process.wait)
            await until(pilot, lambda: app.attachment is None)
            assert f"(pid {demo.pid} · memory) was killed or crashed" in notes[-1]
            assert "attaches again when a server starts" in notes[-1]
        async with demo_server(snapshot_dir, runtime) as (again, _):
            await until(pilot, lambda: f"pid {again.pid}" in app.sub_title)
            assert notes[-1] == f"Attached to the server (pid {again.pid} · memory)."


async def test_the_live_browser_lists_maps_and_pages_of_entries(
    snapshot_dir: Path, runtime: Path
) -> None:
    frequencies = {
        f"freq:{index:05d}": {"actionType": "tool", "count": index}
        for index in range(PAGE_ROWS * 4 + 37)
    }
    write(snapshot_dir, sample_data(6, {"frequencies": frequencies}), 0)
    app = live_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot, demo_server(snapshot_dir, runtime) as (_, client):
        await until(pilot, lambda: live_row(app))
        screen = await open_live_map(app, pilot, "frequencies")
        live = [(item.name, item.count) for item in client.maps()]
        shown = [(summary.name, summary.keys) for summary in screen._summaries]
        assert shown == live
        assert [cells(screen.maps, row)[0] for row in range(screen.maps.row_count)] == [
            name for name, _ in live
        ]
        assert "live state" in str(screen.query_one("#crumbs").render())

        rows = live_rows(screen)
        total = len(frequencies)
        assert rows.total == total
        first = client.entries("frequencies", 0, 20)
        assert [rows.key(row) for row in range(20)] == list(first.keys)
        assert rows.rows_held <= PAGE_ROWS  # only what is on screen (and a screen more) is read
        assert screen.entries.has_focus
        await until(pilot, lambda: screen._shown == ("frequencies", first.keys[0]))
        assert screen.json_view.text.count('"count": 0') == 1

        await pilot.press("G")
        await until(pilot, lambda: rows.key(total - 1))
        last = client.entries("frequencies", total - 5, 5)
        assert [rows.key(row) for row in range(total - 5, total)] == list(last.keys)
        assert cells(screen.entries, total - 1)[:2] == [last.keys[-1], "tool"]
        assert rows.rows_held <= 2 * PAGE_ROWS
        await until(pilot, lambda: screen._shown == ("frequencies", last.keys[-1]))
        assert f'"count": {total - 1}' in screen.json_view.text

        await pilot.press("slash", *"FREQ:0012")  # the whole map is searched, page by page
        await until(pilot, lambda: screen.entries.row_count == 10)
        assert [cells(screen.entries, row)[0] for row in range(10)] == [
            f"freq:{index:05d}" for index in range(120, 130)
        ]
        assert "10 matching" in str(screen.query_one("#crumbs").render())
        await pilot.press("enter", "j")
        assert '"count": 121' in screen.json_view.text
        await pilot.press("escape", "escape")
        await until(pilot, lambda: screen.entries.source is rows and rows.key(0))
        assert screen.maps.has_focus

        events = next(
            index for index, item in enumerate(screen._summaries) if item.name == "events"
        )
        screen.maps.move_cursor(events)
        await until(pilot, lambda: live_rows(screen).name == "events" and live_rows(screen).key(0))
        page = client.entries("events", 0, 10)
        assert [column.title for column in screen.entries._columns] == [
            "session",
            "records",
            "last",
        ]
        assert cells(screen.entries, 0)[:2] == [page.keys[0], str(len(page.items[0][1]))]


async def test_the_live_browser_refreshes_in_place(snapshot_dir: Path, runtime: Path) -> None:
    older = write(snapshot_dir, sample_data(3), 0)
    write(snapshot_dir, sample_data(8), 1)
    app = live_app(snapshot_dir)
    async with (
        app.run_test(size=SIZE) as pilot,
        demo_server(snapshot_dir, runtime) as (demo, client),
    ):
        await until(pilot, lambda: live_row(app))
        screen = await open_live_map(app, pilot, "sessions")
        rows = live_rows(screen)
        assert rows.total == 8
        await pilot.press("j", "j")
        key = client.entries("sessions", 2, 1).keys[0]
        await until(pilot, lambda: screen._shown == ("sessions", key))

        client.rollback(older.name)  # the server's state changes under the open browser
        await until(pilot, lambda: rows.total == 3)
        assert screen.entries.cursor_row == 2
        assert rows.key(2) == client.entries("sessions", 2, 1).keys[0] == key
        assert screen._shown == ("sessions", key)
        await until(pilot, lambda: ("sessions", 3) in [(m.name, m.keys) for m in screen._summaries])
        assert "3 entries" in str(screen.query_one("#crumbs").render())
        assert screen.entries.has_focus

        assert await asyncio.to_thread(demo.stop, signal.SIGTERM) == -signal.SIGTERM
        await until(
            pilot, lambda: "no server attached" in str(screen.query_one("#crumbs").render())
        )
        assert rows.key(2) == key  # what was read stays shown


async def test_the_live_state_is_shown_literally(snapshot_dir: Path, runtime: Path) -> None:
    write(snapshot_dir, hostile_data(), 0)
    app = live_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot, demo_server(snapshot_dir, runtime) as (_, client):
        await until(pilot, lambda: live_row(app))
        screen = await open_live_map(app, pilot, "sessions")
        await until(pilot, lambda: screen._shown == ("sessions", HOSTILE))
        assert client.entry("sessions", HOSTILE).value["status"] == HOSTILE
        assert "[@click=app.quit]quit[/]" in cells(screen.entries, 0)[0] + screen.json_view.text
        assert_nothing_raw(app.export_screenshot())
        names = [summary.name for summary in screen._summaries]
        screen.maps.move_cursor(next(i for i, name in enumerate(names) if "unknownMap" in name))
        await until(pilot, lambda: live_rows(screen).key(0) == HOSTILE)
        assert_nothing_raw(app.export_screenshot())
        assert app.is_running


async def test_roll_back_and_undo_drive_the_server(snapshot_dir: Path, runtime: Path) -> None:
    older = write(snapshot_dir, sample_data(2), 0)
    write(snapshot_dir, sample_data(5), 1)
    app = live_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot, demo_server(snapshot_dir, runtime) as (_, client):
        await until(pilot, lambda: live_row(app))
        assert client.entries("sessions", 0, 100).total == 5

        await pilot.press("G", "r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: any("holds the state of" in note for note in notes))
        assert client.entries("sessions", 0, 100).total == 2
        assert any(f"holds the state of {older.name}" in note for note in notes)
        await until(pilot, lambda: len(app.context.catalog.entries) == 4)  # undo point, after
        await until(pilot, lambda: "sessions 2" in (live_row(app) or [""])[-1])

        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Undo the roll-back to" in screen_text(app.screen)
        await pilot.press("y")
        await until(pilot, lambda: any(note.startswith("Roll-back undone") for note in notes))
        assert client.entries("sessions", 0, 100).total == 5
        await until(pilot, lambda: "sessions 5" in (live_row(app) or [""])[-1])
        files = set(list_snapshot_names(snapshot_dir))

        await pilot.press("u")  # undo is not a toggle: a second one has nothing to undo
        await until(pilot, lambda: "nothing to undo" in notes[-1])
        assert not isinstance(app.screen, ConfirmScreen)
        assert client.entries("sessions", 0, 100).total == 5
        assert set(list_snapshot_names(snapshot_dir)) == files


async def test_redis_mode_is_browsable_and_takes_no_snapshots(
    snapshot_dir: Path, runtime: Path, redis_server: RedisServer, redis_prefix: str
) -> None:
    env = child_env(runtime, AFW_REDIS_URL=redis_server.url, AFW_REDIS_PREFIX=redis_prefix)
    app = live_app(snapshot_dir)
    notes = record_notifications(app)
    async with (
        app.run_test(size=SIZE) as pilot,
        demo_server(snapshot_dir, runtime, tick_s=0.05, env=env) as (demo, client),
    ):
        await until(pilot, lambda: client.status().counts.get("sessions"))
        await until(pilot, lambda: "no snapshots (redis)" in app.sub_title)
        assert f"pid {demo.pid} · redis" in app.sub_title
        row = live_row(app)
        assert row is not None and row[4] == "live · redis"

        await pilot.press("g", "s")
        await pilot.pause()
        assert any("keeps its state in Redis" in note for note in notes)
        assert list_snapshot_names(snapshot_dir) == []

        screen = await open_live_map(app, pilot, "sessions")
        assert [summary.name for summary in screen._summaries] == [
            item.name for item in client.maps()
        ]
        rows = live_rows(screen)
        assert rows.key(0) == client.entries("sessions", 0, 1).keys[0]


async def test_redis_going_down_is_announced_and_shown_everywhere(
    snapshot_dir: Path, runtime: Path, private_redis: RedisServer, redis_prefix: str
) -> None:
    env = child_env(runtime, AFW_REDIS_URL=private_redis.url, AFW_REDIS_PREFIX=redis_prefix)
    app = live_app(snapshot_dir)
    notes = record_notifications(app)
    async with (
        app.run_test(size=SIZE) as pilot,
        demo_server(snapshot_dir, runtime, tick_s=0.05, env=env) as (demo, _),
    ):
        await until(pilot, lambda: "no snapshots (redis)" in app.sub_title)
        detail = str(snapshots(app).query_one("#detail").render())
        assert "snapshot it now" not in detail
        await pilot.press("s")
        await pilot.pause()
        assert "keeps its state in Redis" in notes[-1]

        private_redis.kill()
        await until(pilot, lambda: any(n.startswith("Redis is unreachable") for n in notes))
        assert "fallback (Redis unreachable: in-memory state)" in app.sub_title
        screen = await open_live_map(app, pilot, "sessions")
        heading = str(screen.source.heading())
        assert f"pid {demo.pid} · fallback (Redis unreachable" in heading

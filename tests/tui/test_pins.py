"""Pins in the dashboard: listed under the live state with their names and statuses (never
taken for files), `p` asks for a name and pins, a pin is browsed, diffed, rolled back to
through the same confirmation (offline and on a real server) and unpinned after a dialog that
names it. Real files."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from statesnap.engine import ControlClient, list_pins, list_snapshot_names, pin, pin_path
from statesnap.tui.attachment import ServerAttachment
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.screens.confirm import ConfirmScreen
from statesnap.tui.screens.diff import DiffScreen
from statesnap.tui.screens.pin_name import PinNameScreen
from statesnap.tui.screens.snapshots import SnapshotsScreen
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.support.processes import DemoProcess

from .conftest import (
    NOW,
    make_app,
    record_notifications,
    sample_data,
    settle,
    shown_text,
    wait_until,
    write,
)
from .test_rollback_dialog import dialog_text
from .test_views_svg import SnapCompare, keys_then_settle

SMALL = (80, 24)


def three_and_a_pin(directory: Path) -> list[Path]:
    """Three snapshots (1, 2 and 3 sessions, newest last) and the oldest pinned as `first`,
    pinned at a fixed time."""
    files = [write(directory, sample_data(1 + minute), minute) for minute in range(3)]
    pin(directory, files[0].name, "first")
    stamp = NOW.timestamp() - 300
    os.utime(pin_path(directory, "first"), (stamp, stamp))
    return files


async def pins_listed(pilot: Pilot[Any]) -> None:
    """Settled, with the pins listed (they are read in a worker of their own)."""
    await settle(pilot)
    screen = pilot.app.screen_stack[0]
    assert isinstance(screen, SnapshotsScreen)
    await wait_until(pilot, lambda: screen._rows.pins != (), 20)


def row_text(screen: SnapshotsScreen, row: int) -> str:
    return " ".join(cell.plain for cell in screen._rows.cells(row))


async def test_pins_are_listed_apart_from_the_files(snapshot_dir: Path) -> None:
    three_and_a_pin(snapshot_dir)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SMALL) as pilot:
        await pins_listed(pilot)
        screen = app.screen
        assert isinstance(screen, SnapshotsScreen)
        assert len(screen._rows) == 4
        assert screen.table.cursor_row == 1  # the newest file stays selected as pins come
        assert screen.selected_pin() is None
        await pilot.press("k")
        first = row_text(screen, 0)
        assert "pin first" in first and "valid" in first and "▲" in first
        assert screen.selected_pin() is not None
        assert [entry.name for entry in screen.entries] == list_snapshot_names(snapshot_dir)
        status = str(screen.query_one("#status-line", Static).render())
        assert "3 snapshot files · 1 pin" in status
        detail = shown_text(screen.query_one("#detail", Static))
        assert "pin first" in detail and "copy of" in detail


async def test_p_asks_for_a_name_checks_it_and_pins(snapshot_dir: Path) -> None:
    files = three_and_a_pin(snapshot_dir)
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SMALL) as pilot:
        await pins_listed(pilot)
        await pilot.press("k", "p")  # on the pin itself: not available, and says why
        await settle(pilot)
        assert not isinstance(app.screen, PinNameScreen)
        assert "this is a pin already" in notes[-1]
        await pilot.press("j", "p")  # the newest file
        await settle(pilot)
        assert isinstance(app.screen, PinNameScreen)
        problem = app.screen.query_one("#pin-problem", Static)
        await pilot.press(*"../x", "enter")
        assert "not a pin name" in str(problem.render())
        app.screen.query_one(Input).value = "first"
        await pilot.press("enter")
        assert "a pin named 'first' exists" in str(problem.render())
        app.screen.query_one(Input).value = "before-release"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SnapshotsScreen)
        assert "Pinned" in notes[-1] and "before-release" in notes[-1]
        assert [info.name for info in list_pins(snapshot_dir)] == ["before-release", "first"]
        assert pin_path(snapshot_dir, "before-release").read_bytes() == files[2].read_bytes()
        await wait_until(pilot, lambda: len(app.screen._rows.pins) == 2)


async def test_a_pin_is_browsed_and_diffed(snapshot_dir: Path) -> None:
    three_and_a_pin(snapshot_dir)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SMALL) as pilot:
        await pins_listed(pilot)
        await pilot.press("k", "enter")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        crumbs = " ".join(str(widget.render()) for widget in app.screen.query(Static))
        assert "pin first" in crumbs
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("d", "j", "d")  # the pin against the newest file
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen)
        assert app.screen.older.name.endswith(pin_path(snapshot_dir, "first").name)
        assert app.screen.newer.name == list_snapshot_names(snapshot_dir)[0]


async def test_offline_rollback_to_a_pin_and_unpin(snapshot_dir: Path) -> None:
    files = three_and_a_pin(snapshot_dir)
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SMALL) as pilot:
        await pins_listed(pilot)
        await pilot.press("k", "r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        text = dialog_text(app.screen)
        assert "Roll back to pin first?" in text and "1 file written, none deleted" in text
        await pilot.press("y")
        await settle(pilot)
        assert "pin first" in notes[-1] and "nothing was deleted" in notes[-1]
        listed = list_snapshot_names(snapshot_dir)
        assert len(listed) == 4 and {path.name for path in files} < set(listed)

        await pilot.press("g", "x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Unpin first?" in dialog_text(app.screen)
        await pilot.press("y")
        await settle(pilot)
        assert list_pins(snapshot_dir) == []
        assert "Unpinned first" in notes[-1]
        assert len(list_snapshot_names(snapshot_dir)) == 4
        screen = app.screen
        assert isinstance(screen, SnapshotsScreen)
        await wait_until(pilot, lambda: screen._rows.pins == ())
        assert screen.selected_pin() is None


async def test_live_rollback_to_a_pin_through_the_server(snapshot_dir: Path, runtime: Path) -> None:
    files = three_and_a_pin(snapshot_dir)
    app = make_app(snapshot_dir)
    app.watch_directory = True
    notes = record_notifications(app)
    with DemoProcess(snapshot_dir.resolve(), runtime, host=True, max_snapshots=3) as server:
        client = ControlClient(await asyncio.to_thread(server.wait_for_server), timeout_s=20)
        async with app.run_test(size=SMALL) as pilot:
            await wait_until(pilot, lambda: isinstance(app.attachment, ServerAttachment), 20)
            await wait_until(pilot, lambda: app.context.server_status is not None, 20)
            screen = app.screen
            assert isinstance(screen, SnapshotsScreen)
            await wait_until(pilot, lambda: screen._rows.pins != ())
            await pilot.press("g", "j", "r")  # the live state, then the pin
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            text = dialog_text(app.screen)
            assert "Roll back to pin first?" in text and "2 files written, none deleted" in text
            assert "The pin stays as it is" in text
            await pilot.press("y")
            await wait_until(pilot, lambda: any("pin first" in note for note in notes), 20)
            status = await asyncio.to_thread(client.status)
            assert status.last_rollback is not None
            assert status.last_rollback.restored == "pin first"
            assert {path.name for path in files} <= set(list_snapshot_names(snapshot_dir))
            assert pin_path(snapshot_dir, "first").exists()


def test_snapshots_view_with_pins_at_80x24(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    three_and_a_pin(snapshot_dir)
    app = make_app(snapshot_dir)
    assert snap_compare(app, terminal_size=SMALL, run_before=keys_then_settle("k"))

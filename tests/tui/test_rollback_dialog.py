"""The roll-back and undo confirmations: counts first, names scrollable, the confirm line in
view at 80x24 and smaller, and a file held out of the server's rotation while its dialog is
open."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from statesnap.engine import ControlClient, list_snapshot_names
from statesnap.tui.app import StatesnapApp
from statesnap.tui.attachment import ServerAttachment
from statesnap.tui.screens.confirm import ConfirmScreen
from statesnap.tui.widgets.read_only_banner import ReadOnlyBanner
from textual.geometry import Region
from textual.pilot import Pilot

from tests.support.processes import DemoProcess

from .conftest import make_app, record_notifications, sample_data, settle, wait_until, write
from .test_views_svg import SnapCompare, keys_then_settle

SMALL = (80, 24)


def two_hundred(directory: Path) -> list[Path]:
    return [write(directory, sample_data(1 + minute % 3), minute) for minute in range(200)]


def keys_in_view(screen: ConfirmScreen, size: tuple[int, int]) -> bool:
    keys = screen.query_one("#dialog-keys")
    return Region(0, 0, *size).contains_region(keys.region) and keys.region.height > 0


def dialog_text(screen: ConfirmScreen) -> str:
    return " ".join(str(widget.render()) for widget in screen.query("Static"))


async def test_offline_rollback_of_200_files_fits_and_deletes_nothing(snapshot_dir: Path) -> None:
    written = two_hundred(snapshot_dir)
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("G", "r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert keys_in_view(app.screen, SMALL)
        assert "1 file written, none deleted" in dialog_text(app.screen)
        await pilot.press("y")
        await settle(pilot)
    assert "nothing was deleted" in notes[-1]
    listed = set(list_snapshot_names(snapshot_dir))
    assert len(listed) == 201 and {path.name for path in written} < listed


async def test_rollback_dialog_at_50x12_keeps_its_keys(snapshot_dir: Path) -> None:
    two_hundred(snapshot_dir)
    app = make_app(snapshot_dir)
    async with app.run_test(size=(50, 12)) as pilot:
        await settle(pilot)
        await pilot.press("G", "r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert keys_in_view(app.screen, (50, 12))
        await pilot.press("n")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)


def test_rollback_dialog_at_80x24(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    two_hundred(snapshot_dir)
    app = make_app(snapshot_dir)
    assert snap_compare(app, terminal_size=SMALL, run_before=keys_then_settle("G", "r"))


async def test_live_dialog_lists_what_rotation_deletes_later_and_holds_its_file(
    snapshot_dir: Path, runtime: Path
) -> None:
    files = [write(snapshot_dir, sample_data(2), minute) for minute in range(12)]
    oldest = files[0].name
    app = make_app(snapshot_dir)
    app.watch_directory = True
    with DemoProcess(snapshot_dir.resolve(), runtime, host=True, max_snapshots=3) as server:
        client = ControlClient(await asyncio.to_thread(server.wait_for_server), timeout_s=20)
        async with app.run_test(size=SMALL) as pilot:
            await wait_until(pilot, lambda: isinstance(app.attachment, ServerAttachment), 20)
            await wait_until(pilot, lambda: app.context.server_status is not None, 20)
            await pilot.press("G", "r")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            screen = app.screen
            assert isinstance(screen, ConfirmScreen)
            assert keys_in_view(screen, SMALL)
            text = dialog_text(screen)
            assert "2 files written, none deleted" in text
            assert "so you can try another" in text
            assert "these 11 files go" in text  # all but the target, after the grace
            assert oldest not in screen.plan.later_deleted

            await wait_until(pilot, lambda: oldest in client.status().kept, 20)
            await asyncio.to_thread(client.snapshot)  # rotation runs while the dialog is open
            assert oldest in list_snapshot_names(snapshot_dir)

            await pilot.press("n")
            await wait_until(pilot, lambda: oldest not in client.status().kept, 20)
            await asyncio.to_thread(client.snapshot)
            assert oldest not in list_snapshot_names(snapshot_dir)


@asynccontextmanager
async def watching_three(
    directory: Path,
) -> AsyncIterator[tuple[list[Path], StatesnapApp, Pilot[Any], list[str]]]:
    """Three snapshots and a dashboard watching them at 80x24, with its notifications."""
    files = [write(directory, sample_data(2 + minute), minute) for minute in range(3)]
    app = make_app(directory)
    app.watch_directory = True
    notes = record_notifications(app)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: len(app.context.catalog.entries) == 3)
        yield files, app, pilot, notes


async def test_a_dialog_whose_file_goes_away_says_so_and_confirms_nothing(
    snapshot_dir: Path,
) -> None:
    async with watching_three(snapshot_dir) as (files, app, pilot, notes):
        await pilot.press("G", "r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        files[0].unlink()
        await wait_until(pilot, lambda: any("was deleted while this was open" in n for n in notes))
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert notes[-1].startswith("Not done:")
        await pilot.press("escape")
        await pilot.pause()
    assert set(list_snapshot_names(snapshot_dir)) == {path.name for path in files[1:]}


async def test_a_diff_mark_that_goes_away_is_announced(snapshot_dir: Path) -> None:
    async with watching_three(snapshot_dir) as (files, app, pilot, notes):
        await pilot.press("G", "d")
        files[0].unlink()
        await wait_until(pilot, lambda: any("marked for a diff, was deleted" in n for n in notes))
        assert app.screen.check_action("clear_mark", ()) is not True


async def test_a_browser_or_diff_whose_file_goes_away_says_so(snapshot_dir: Path) -> None:
    async with watching_three(snapshot_dir) as (files, app, pilot, _):
        await pilot.press("G", "enter")
        await wait_until(pilot, lambda: bool(app.screen.query(ReadOnlyBanner)))
        banner = app.screen.query_one(ReadOnlyBanner)
        assert not banner.display
        files[0].unlink()
        await wait_until(pilot, lambda: bool(banner.display))
        assert f"DELETED · {files[0].name} was deleted after it was read" in str(banner.render())

        await pilot.press("escape", "g", "D")  # the newest against the next older
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DiffScreen")
        banner = app.screen.query_one(ReadOnlyBanner)
        files[2].write_bytes(files[1].read_bytes())  # rewritten in place: another state
        await wait_until(pilot, lambda: bool(banner.display))
        assert f"REWRITTEN · newer: {files[2].name} changed on disk" in str(banner.render())

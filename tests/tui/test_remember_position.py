"""The dashboard reopens where it was left on each directory (the file or pin selected, the
browser's map, entry and filter), from a small private file in the user's state directory;
what is gone gives way to the nearest thing there, with a note and no dialog."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from statesnap.engine import pin
from statesnap.tui.remembered import (
    MAX_DIRECTORIES,
    Position,
    load_position,
    position_file,
    save_position,
)
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.screens.reopen import LIVE_WAIT_S
from statesnap.tui.screens.snapshots import SnapshotsScreen
from textual.widgets import Input

from .conftest import make_app, record_notifications, sample_data, settle, wait_until, write

SMALL = (80, 24)


def three(directory: Path) -> list[Path]:
    return [write(directory, sample_data(2 + minute), minute) for minute in range(3)]


async def test_it_reopens_on_the_file_map_entry_and_filter(snapshot_dir: Path) -> None:
    files = three(snapshot_dir)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")  # the middle file's maps
        await settle(pilot)
        await pilot.press("j", "enter", "slash", *"sess_001", "enter")  # events, filtered
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        before = app.screen.place()
        assert before.map == "events" and before.query == "sess_001" and before.entry
        await pilot.press("q")
    remembered = load_position(snapshot_dir)
    assert remembered == Position("file", files[1].name, "events", before.entry, "sess_001")
    assert stat.S_IMODE(os.stat(position_file()).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(position_file().parent).st_mode) == 0o700
    assert not any("positions" in name for name in os.listdir(snapshot_dir))

    again = make_app(snapshot_dir)
    async with again.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = again.screen
        assert isinstance(screen, BrowserScreen)
        await wait_until(pilot, lambda: screen.place() == before, 20)  # maps, filter, entry
        assert screen.query_one("#filter", Input).value == "sess_001"
        listing = again.screen_stack[0]
        assert isinstance(listing, SnapshotsScreen)
        selected = listing.selected()
        assert selected is not None and selected.name == files[1].name


async def test_it_reopens_on_a_pin(snapshot_dir: Path) -> None:
    files = three(snapshot_dir)
    pin(snapshot_dir, files[0].name, "kept")
    save_position(snapshot_dir, Position("pin", "kept"))
    app = make_app(snapshot_dir)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SnapshotsScreen)
        await wait_until(pilot, lambda: screen.selected_pin() is not None, 20)
        info = screen.selected_pin()
        assert info is not None and info.name == "kept"


async def test_what_is_gone_gives_way_with_a_note(snapshot_dir: Path) -> None:
    files = three(snapshot_dir)
    save_position(snapshot_dir, Position("file", "snapshot-gone.json.gz", "sessions"))
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SnapshotsScreen)  # no browser, no dialog
        selected = screen.selected()
        assert selected is not None and selected.name == files[2].name  # the newest
        assert "is not here any more" in notes[-1]

    save_position(snapshot_dir, Position("file", files[0].name, "no-such-map", "x"))
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: any("map no-such-map" in note for note in notes), 20)
        assert isinstance(app.screen, BrowserScreen)  # on the list of maps
        assert app.screen.maps.has_focus
        assert "map no-such-map is not in it any more" in notes[-1]


def test_a_corrupt_file_is_ignored_and_the_file_stays_bounded(tmp_path: Path) -> None:
    position_file().parent.mkdir(parents=True, exist_ok=True)
    position_file().write_bytes(b"\x00{not json")
    assert load_position(tmp_path) is None
    save_position(tmp_path, Position("live"))
    assert load_position(tmp_path) == Position("live")
    for index in range(MAX_DIRECTORIES + 5):
        save_position(tmp_path / f"d{index}", Position("file", f"f{index}"))
    assert load_position(tmp_path / f"d{MAX_DIRECTORIES + 4}") == Position(
        "file", f"f{MAX_DIRECTORIES + 4}"
    )
    assert load_position(tmp_path) is None  # the least recently left went
    position_file().write_text('{"x": 1, "y": {"at": "no"}}')
    assert load_position(tmp_path) is None


async def test_the_live_state_is_waited_for_then_given_up(snapshot_dir: Path) -> None:
    three(snapshot_dir)
    save_position(snapshot_dir, Position("live", None, "sessions"))
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert not notes  # still waiting for a server
        await pilot.pause(LIVE_WAIT_S + 0.5)
        assert isinstance(app.screen, SnapshotsScreen)
        assert "the live state is not here any more" in notes[-1]

"""Forensics: a file that is not valid but whose data reads is browsed and diffed read-only,
under a bar that gives the verdict; rolling back to it stays refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from statesnap.engine import SnapshotStatus
from statesnap.tui.app import StatesnapApp
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.screens.confirm import ConfirmScreen
from statesnap.tui.screens.diff import DiffScreen
from statesnap.tui.widgets.read_only_banner import ReadOnlyBanner
from textual.widgets import Static

from tests.support.damaged_files import DAMAGES, damage, rewrite

from .conftest import SIZE, make_app, record_notifications, sample_data, settle, write


def banner(app: StatesnapApp) -> str:
    """What the read-only bar of the current screen says ("" while it is hidden)."""
    bar = app.screen.query_one(ReadOnlyBanner)
    return str(bar.render()) if bar.display else ""


def assert_read_only(text: str, status: SnapshotStatus) -> None:
    assert text.startswith("READ-ONLY · "), text
    assert text.count(status.value) == 1, text
    assert text.endswith("this file would not be restored"), text


@pytest.mark.parametrize("how", sorted(DAMAGES))
async def test_a_damaged_file_is_browsed_under_a_read_only_bar(
    snapshot_dir: Path, how: str
) -> None:
    status = damage(write(snapshot_dir, sample_data(3)), how)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        assert_read_only(banner(app), status)
        assert screen.maps.row_count == 4  # sessions, events, chatHistory, followedSessions
        await pilot.press("enter", "j")  # the first map's entries, the second entry's JSON
        await settle(pilot)
        assert screen.entries.row_count == 3
        assert '"id": "sess_001"' in screen.json_view.text


async def test_a_valid_file_has_no_bar(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(3))
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        assert banner(app) == ""


async def test_the_bar_shows_what_the_file_says_as_plain_text(snapshot_dir: Path) -> None:
    path = write(snapshot_dir, sample_data(3))
    rewrite(path, lambda doc: doc.update(checksum="[bold red]x[/]\x1b[31m"))
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = banner(app)
        assert "file says [bold red]x[/]\\x1b[31m," in text
        assert "\x1b" not in text


@pytest.mark.parametrize("how", sorted(DAMAGES))
async def test_a_damaged_file_is_diffed_under_a_bar_naming_its_side(
    snapshot_dir: Path, how: str
) -> None:
    write(snapshot_dir, sample_data(3), 0)
    status = damage(write(snapshot_dir, sample_data(4), 1), how)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("D")  # the newest (damaged) against the next older
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen)
        text = banner(app)
        assert_read_only(text, status)
        assert text.startswith("READ-ONLY · newer: ") and "older" not in text
        crumbs = str(app.screen.query_one("#crumbs", Static).render())
        assert "3 maps differ" in crumbs


@pytest.mark.parametrize("how", sorted(DAMAGES))
async def test_rolling_back_to_a_damaged_file_stays_refused(snapshot_dir: Path, how: str) -> None:
    status = damage(write(snapshot_dir, sample_data(3)), how)
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert notes[-1].startswith("cannot roll back to ")
        assert notes[-1].count(status.value) == 1

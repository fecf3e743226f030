"""The search across snapshots (`/` on the snapshots view): the prompt and a bad regular
expression, the results with counts per file and map and a damaged file skipped, Enter opening
the browser on a match, `n`/`N` through the matches there and in the results, hostile text
shown literally, and how it looks in 80x24."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from statesnap.tui.app import StatesnapApp
from statesnap.tui.screens.search_browser import SearchBrowserScreen
from statesnap.tui.screens.search_prompt import SearchPromptScreen
from statesnap.tui.screens.search_results import SearchResultsScreen
from textual.pilot import Pilot
from textual.widgets import Static

from .conftest import SIZE, make_app, sample_data, settle, write
from .test_live_state import until
from .test_untrusted_text import HOSTILE, assert_nothing_raw

SMALL = (80, 24)


def search_dir(directory: Path) -> None:
    """Three files with `needle` in two of them (twice in the newest), one damaged."""
    write(directory, sample_data(2, {"notes": {"n1": "a NEEDLE here", HOSTILE: "needle"}}), 0)
    write(directory, sample_data(2), 1)
    damaged = write(directory, sample_data(2), 2)
    damaged.write_bytes(damaged.read_bytes()[:50])
    write(directory, sample_data(2, {"notes": {"needle-key": 1}}), 3)


async def search(app: StatesnapApp, pilot: Pilot[Any], *keys: str) -> SearchResultsScreen:
    await settle(pilot)
    await pilot.press("slash", *keys, "enter")
    screen = app.screen
    assert isinstance(screen, SearchResultsScreen)
    await until(pilot, lambda: screen.position.total and screen.position.done == 4)
    await settle(pilot)
    return screen


async def test_a_bad_regex_says_why_and_the_prompt_stays(snapshot_dir: Path) -> None:
    search_dir(snapshot_dir)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"a(b", "tab", "space", "shift+tab", "enter")
        assert isinstance(app.screen, SearchPromptScreen)
        problem = str(app.screen.query_one("#search-problem", Static).render())
        assert problem.startswith("not a valid regular expression: missing )")
        await pilot.press("escape")
        assert not isinstance(app.screen, SearchPromptScreen)


async def test_results_count_per_file_and_map_and_skip_a_damaged_file(
    snapshot_dir: Path,
) -> None:
    search_dir(snapshot_dir)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await search(app, pilot, *"needle")
        files = [[cell.plain for cell in screen.files.source.cells(r)] for r in range(3)]
        assert [row[1:] for row in files] == [
            ["1", "notes 1"],
            ["·", "skipped: corrupt: truncated gzip data (unexpected end of file)"],
            ["2", "notes 2"],
        ]
        assert "3 matches in 2 of 4 files" in str(screen.query_one("#crumbs", Static).render())


async def test_enter_opens_the_match_and_n_goes_through_every_match(snapshot_dir: Path) -> None:
    search_dir(snapshot_dir)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        results = await search(app, pilot, *"needle")
        await pilot.press("enter")
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, SearchBrowserScreen)
        assert browser.source.browses_file(app.context.catalog.entries[0].name)
        assert browser._entry_key() == "needle-key"
        await pilot.press("n")
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, SearchBrowserScreen)
        assert browser.source.browses_file(app.context.catalog.entries[3].name)
        assert browser._entry_key() == "n1"
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is browser and browser._entry_key() == HOSTILE
        await pilot.press("N", "N")
        await settle(pilot)
        assert app.screen._entry_key() == "needle-key"  # type: ignore[attr-defined]
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert app.screen is results and results.files.cursor_row == 0
        await pilot.press("N")
        assert results.files.cursor_row == 2 and results.matches.cursor_row == 1


def test_hostile_text_in_a_match_is_literal(
    snapshot_dir: Path, snap_compare: Callable[..., bool]
) -> None:
    search_dir(snapshot_dir)

    async def run_before(pilot: Pilot[Any]) -> None:
        await search(pilot.app, pilot, *"needle")  # type: ignore[arg-type]
        await pilot.press("G")
        await settle(pilot)
        svg = pilot.app.export_screenshot()
        assert_nothing_raw(svg)
        assert "[@click=app.quit]quit[/]" in svg.replace("&#160;", " ")

    assert snap_compare(make_app(snapshot_dir), terminal_size=SMALL, run_before=run_before)


def test_search_prompt_at_80x24(snapshot_dir: Path, snap_compare: Callable[..., bool]) -> None:
    search_dir(snapshot_dir)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"needle", "tab", "space")

    assert snap_compare(make_app(snapshot_dir), terminal_size=SMALL, run_before=run_before)

"""A snapshot opened in the browser or the diff view is let go of when the view is left.

The loaded documents are rebuilt from containers that take weak references, so a test can see
whether any part of them is still alive. The collector is off while the dashboard runs: what
is let go must go by reference counting, at once, not whenever a full collection happens by.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from statesnap.engine import CatalogEntry, SnapshotCatalog, SnapshotRead
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.screens.diff import DiffScreen
from statesnap.tui.screens.snapshots import SnapshotsScreen

from .conftest import SIZE, make_app, sample_data, settle, write


class _Object(dict[str, Any]):
    pass


class _Array(list[Any]):
    pass


def _traced(value: Any, seen: list[weakref.ref[Any]]) -> Any:
    """`value` rebuilt with weakly referenceable containers, each of them added to `seen`."""
    copy: _Object | _Array
    if isinstance(value, dict):
        copy = _Object((key, _traced(item, seen)) for key, item in value.items())
    elif isinstance(value, list):
        copy = _Array(_traced(item, seen) for item in value)
    else:
        return value
    seen.append(weakref.ref(copy))
    return copy


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[weakref.ref[Any]]]:
    """Weak references to every container of every document the dashboard loads; the
    collector off meanwhile."""
    seen: list[weakref.ref[Any]] = []
    load = SnapshotCatalog.load

    def traced_load(catalog: SnapshotCatalog, entry: CatalogEntry) -> SnapshotRead:
        found = load(catalog, entry)
        return replace(found, data=_traced(found.data, seen))

    monkeypatch.setattr(SnapshotCatalog, "load", traced_load)
    gc.disable()
    try:
        yield seen
    finally:
        gc.enable()


def alive(seen: list[weakref.ref[Any]]) -> int:
    return sum(ref() is not None for ref in seen)


async def test_leaving_the_browser_lets_go_of_the_snapshot(
    snapshot_dir: Path, loaded: list[weakref.ref[Any]]
) -> None:
    write(snapshot_dir, sample_data(3))
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # a map open, an entry's JSON shown, a filter run: every holder of the data in use
        for key in ("enter", "j", "enter", "j", "slash", "s", "e", "enter"):
            await pilot.press(key)
            await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        assert app.screen.json_view.line_count
        assert alive(loaded) == len(loaded) > 0

        for _ in range(3):
            await pilot.press("escape")
            await settle(pilot)

        assert isinstance(app.screen, SnapshotsScreen)
        assert alive(loaded) == 0
        assert gc.get_freeze_count() == 0  # frozen while browsing, not for good


async def test_leaving_the_diff_lets_go_of_both_snapshots(
    snapshot_dir: Path, loaded: list[weakref.ref[Any]]
) -> None:
    write(snapshot_dir, sample_data(3))
    write(snapshot_dir, sample_data(5), minutes=1)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("D", "enter", "j"):  # a change open, both sides' JSON shown
            await pilot.press(key)
            await settle(pilot)
        assert isinstance(app.screen, DiffScreen)
        assert alive(loaded) > 0  # the entries that changed

        for _ in range(2):
            await pilot.press("escape")
            await settle(pilot)

        assert isinstance(app.screen, SnapshotsScreen)
        assert alive(loaded) == 0
        assert gc.get_freeze_count() == 0


async def test_a_screen_left_is_kept_by_nothing(snapshot_dir: Path) -> None:
    """Not by the thread that ran its workers either (Textual leaves the last worker in the
    pool thread's context unless the job had a context of its own)."""
    write(snapshot_dir, sample_data(3))
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = weakref.ref(app.screen)
        assert isinstance(screen(), BrowserScreen)

        await pilot.press("escape")
        await settle(pilot)
        gc.collect()

        assert screen() is None

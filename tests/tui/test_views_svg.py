"""SVG snapshots of each view at 120x36, on the original backend's files, with a frozen clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from .conftest import SIZE, copy_fixtures, make_app, settle

SnapCompare = Callable[..., bool]


def keys_then_settle(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def test_snapshots_view_with_odd_files(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    copy_fixtures(snapshot_dir, "basic", "broken", "fallback")
    app = make_app(snapshot_dir)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_settle("j", "j"))


def test_browser_view(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    copy_fixtures(snapshot_dir, "basic")
    app = make_app(snapshot_dir)
    keys = keys_then_settle("enter", "j", "enter", "j")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys)


def test_entry_json(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    copy_fixtures(snapshot_dir, "basic")
    app = make_app(snapshot_dir)
    keys = keys_then_settle("enter", "j", "j", "j", "enter", "j", "enter")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys)


def test_diff_view(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    copy_fixtures(snapshot_dir, "basic")
    app = make_app(snapshot_dir)
    keys = keys_then_settle("d", "G", "d", "j", "enter")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys)


def test_rollback_modal(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    copy_fixtures(snapshot_dir, "basic", "fallback")
    app = make_app(snapshot_dir)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_settle("G", "k", "r"))


def test_help(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    copy_fixtures(snapshot_dir, "basic")
    app = make_app(snapshot_dir)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_settle("question_mark"))

"""SVG snapshots of each view at 120x36 and at 80x24 (the default terminal), on the original
backend's files, with a frozen clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from .conftest import SIZE, copy_fixtures, make_app, settle

SnapCompare = Callable[..., bool]
SMALL = (80, 24)

VIEWS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "snapshots": (("basic", "broken", "fallback"), ("j", "j")),
    "browser": (("basic",), ("enter", "j", "enter", "j")),
    "entry_json": (("basic",), ("enter", "j", "j", "j", "enter", "j", "enter")),
    "diff": (("basic",), ("d", "G", "d", "j", "enter")),
    "help": (("basic",), ("question_mark",)),
    "rollback_modal": (("basic", "fallback"), ("G", "k", "r")),
}
"""Each view: the fixture folders in the directory, and the keys that lead to it."""


def keys_then_settle(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def snap_view(
    snapshot_dir: Path, snap_compare: SnapCompare, view: str, size: tuple[int, int]
) -> bool:
    folders, keys = VIEWS[view]
    copy_fixtures(snapshot_dir, *folders)
    app = make_app(snapshot_dir)
    return snap_compare(app, terminal_size=size, run_before=keys_then_settle(*keys))


def test_snapshots_view_with_odd_files(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    assert snap_view(snapshot_dir, snap_compare, "snapshots", SIZE)


def test_browser_view(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    assert snap_view(snapshot_dir, snap_compare, "browser", SIZE)


def test_entry_json(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    assert snap_view(snapshot_dir, snap_compare, "entry_json", SIZE)


def test_diff_view(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    assert snap_view(snapshot_dir, snap_compare, "diff", SIZE)


def test_rollback_modal(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    assert snap_view(snapshot_dir, snap_compare, "rollback_modal", SIZE)


def test_help(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    assert snap_view(snapshot_dir, snap_compare, "help", SIZE)


def test_browser_view_of_a_damaged_file(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    copy_fixtures(snapshot_dir, "broken")
    app = make_app(snapshot_dir)
    keys = keys_then_settle("j", "j", "enter", "enter", "j")  # 06-checksum-mismatch
    assert snap_compare(app, terminal_size=SIZE, run_before=keys)


def test_diff_of_two_damaged_files(snapshot_dir: Path, snap_compare: SnapCompare) -> None:
    copy_fixtures(snapshot_dir, "broken")
    app = make_app(snapshot_dir)
    keys = keys_then_settle("j", "d", "j", "d")  # 08-missing-checksum and 06-checksum-mismatch
    assert snap_compare(app, terminal_size=SIZE, run_before=keys)


@pytest.mark.parametrize("view", ["snapshots", "browser", "entry_json", "diff", "help"])
def test_at_80x24(snapshot_dir: Path, snap_compare: SnapCompare, view: str) -> None:
    assert snap_view(snapshot_dir, snap_compare, view, SMALL)

"""How much memory the dashboard keeps as ~120 MB snapshots are opened and left. Prints numbers;
asserts nothing.

    .venv/bin/python bench/bench_memory.py [--dir DIR] [--copies 12]

The files are `bench_dashboard`'s (three snapshots of ~120 MB of JSON; `--dir` keeps them for
the next run). In a headless app: resident memory (VmRSS, after `malloc_trim` hands freed
memory back) at start, with the newest snapshot open in the browser, after each of the three is
opened in turn and left with escape, with two of them open in the diff view and after leaving
it; and the peak (VmHWM) while each was being opened. No `gc.collect()` is forced: what counts
is what the dashboard lets go by itself. The ratio compares memory after leaving the last one
with memory while one is open: a dashboard that keeps nothing it no longer shows stays well
under 1.
"""

from __future__ import annotations

import contextlib
import ctypes
from pathlib import Path

from bench_dashboard import FILES, SIZE, run_on_large_files, until
from bench_snapshot import _status_kib
from statesnap.tui.app import StatesnapApp
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.screens.diff import DiffScreen
from statesnap.tui.screens.snapshots import SnapshotsScreen
from textual.pilot import Pilot


def rss_mib() -> float:
    """Resident memory now, once freed memory has gone back to the system; the peak is reset
    to it."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _status_kib("VmRSS") / 1024


def peak_mib() -> float:
    """The most resident memory since the last `rss_mib()`."""
    return _status_kib("VmHWM") / 1024


def report(label: str, mib: float, peak: float | None = None) -> None:
    line = f"{label:<44} {mib:8,.0f} MiB"
    print(line if peak is None else f"{line}   (peak while opening {peak:,.0f} MiB)")


async def settle(pilot: Pilot[None]) -> None:
    """Let the screens finish what a key started (unmounting, posted messages)."""
    for _ in range(5):
        await pilot.pause(0.05)


async def open_file(pilot: Pilot[None], row: int) -> BrowserScreen:
    app = pilot.app
    home = app.screen
    assert isinstance(home, SnapshotsScreen)
    home.table.move_cursor(row)
    await pilot.press("enter")
    screen = app.screen
    assert isinstance(screen, BrowserScreen)
    await until(pilot, lambda: screen.maps.row_count > 0)
    await settle(pilot)
    return screen


async def go_back(pilot: Pilot[None]) -> None:
    await pilot.press("escape")
    await until(pilot, lambda: isinstance(pilot.app.screen, SnapshotsScreen))
    await settle(pilot)


async def bench_memory(directory: Path) -> None:
    app = StatesnapApp(directory, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        catalog = app.context.catalog
        await until(pilot, lambda: len(catalog.entries) == FILES)
        await until(pilot, lambda: all(catalog.cached(entry) for entry in catalog.entries))
        await settle(pilot)
        report("baseline (every verdict in):", rss_mib())

        await open_file(pilot, 0)
        peak = peak_mib()
        one_open = rss_mib()
        report("one snapshot open in the browser:", one_open, peak)
        await go_back(pilot)
        report("... and back:", rss_mib())

        after_back = 0.0
        for row in range(FILES):
            await open_file(pilot, row)
            peak = peak_mib()
            report(f"snapshot {row + 1} of {FILES} open:", rss_mib(), peak)
            await go_back(pilot)
            after_back = rss_mib()
            report("... and back:", after_back)

        home = app.screen
        assert isinstance(home, SnapshotsScreen)
        home.table.move_cursor(0)
        await pilot.press("D")  # the newest against the next older
        diff = app.screen
        assert isinstance(diff, DiffScreen)
        await until(pilot, lambda: not diff.map_table.loading)
        await settle(pilot)
        peak = peak_mib()
        report("two snapshots compared in the diff view:", rss_mib(), peak)
        await go_back(pilot)
        after_diff = rss_mib()
        report("... and back:", after_diff)

        print(f"after {FILES} in turn and back / one open:       {after_back / one_open:8.2f}")
        print(f"after the diff and back / one open:           {after_diff / one_open:8.2f}")


def main() -> None:
    run_on_large_files(__doc__.splitlines()[0], bench_memory)


if __name__ == "__main__":
    main()

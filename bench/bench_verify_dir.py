"""How long the dashboard takes to verify a directory of small files, next to `statesnap list`.
Prints numbers; asserts nothing.

    .venv/bin/python bench/bench_verify_dir.py [--files 200] [--runs 5]

Writes `--files` small valid snapshots with `write_snapshot_file` into a temp dir, then times
`statesnap list` there (a subprocess, start-up included) and the dashboard (a headless app,
from its creation until every row shows its status), `--runs` times each, and prints the
median and worst of each and the ratio of the medians. (The dashboard's time varies from run
to run when its event loop falls behind: look at the worst too.)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from statesnap.engine import js_dumps, write_snapshot_file
from statesnap.tui.app import StatesnapApp
from statesnap.tui.screens.snapshots import SnapshotsScreen
from textual.widgets import Static

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SIZE = (120, 36)
STATESNAP = Path(sys.executable).with_name("statesnap")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7,.0f} ms"


def write_files(directory: Path, count: int) -> None:
    for index in range(count):
        data = {
            "sessions": [{"id": f"sess_{index}", "status": "completed"}],
            "events": {f"sess_{index}": [{"id": f"evt_{index}", "type": "session:started"}]},
        }
        write_snapshot_file(directory, js_dumps(data), T0 + timedelta(seconds=index))


def time_list(directory: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(STATESNAP), "list", "--dir", str(directory)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


async def time_dashboard(directory: Path, count: int) -> float:
    started = time.perf_counter()
    app = StatesnapApp(directory, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, SnapshotsScreen)
        catalog = app.context.catalog
        status_line = screen.query_one("#status-line", Static)

        def all_shown() -> bool:
            """Every row has its status, and the screen has caught up (its status line no
            longer counts files being verified)."""
            table = screen.table
            return (
                table.row_count == count
                and "verifying" not in str(status_line.render())
                and not any(
                    table.source.cells(row)[4].plain == "verifying…" for row in range(count)
                )
            )

        while not all_shown():
            await pilot.pause(0.001)
        elapsed = time.perf_counter() - started
        assert all(catalog.cached(entry) for entry in catalog.entries)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="how many files (default: 200)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default: 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="statesnap-bench-") as scratch:
        directory = Path(scratch) / "snapshots"
        directory.mkdir(mode=0o700)
        write_files(directory, args.files)
        listed = [time_list(directory) for _ in range(args.runs)]
        shown = [asyncio.run(time_dashboard(directory, args.files)) for _ in range(args.runs)]
    print(f"{args.files} small files, {args.runs} runs each     median    worst")
    for label, times in (("statesnap list (process)", listed), ("dashboard, all statuses", shown)):
        print(f"{label:<32}{ms(statistics.median(times))}{ms(max(times))}")
    ratio = statistics.median(shown) / statistics.median(listed)
    print(f"ratio dashboard / list (medians): {ratio:.2f}")


if __name__ == "__main__":
    main()

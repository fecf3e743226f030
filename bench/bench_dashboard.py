"""How fast the dashboard is on three ~120 MB snapshots. Prints numbers; asserts nothing.

    .venv/bin/python bench/bench_dashboard.py [--dir DIR] [--copies 12]

The files are made from `../shared/bench/afw-medium-data.json.xz` (10 MB of the original's
data) with every map replicated `--copies` times under suffixed keys, and written with
`write_snapshot_file`; `--dir` keeps them for the next run. Measured, in a headless app:
first paint of the snapshots view, when every verdict is in, the longest stall of the event
loop meanwhile, first rows of a 100,000+ entry map, page-down repaint, and how soon a new
file shows with no key pressed.
"""

from __future__ import annotations

import argparse
import asyncio
import lzma
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from statesnap.engine import js_dumps, write_snapshot_file
from statesnap.tui.app import StatesnapApp
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.screens.snapshots import SnapshotsScreen
from statesnap.tui.widgets.virtual_table import VirtualTable
from textual import events
from textual.geometry import Region
from textual.pilot import Pilot
from textual.strip import Strip

SOURCE = Path(__file__).resolve().parents[2] / "shared" / "bench" / "afw-medium-data.json.xz"
FILES = 3
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SIZE = (120, 36)


def suffixed(item: Any, copy: int) -> Any:
    """An array item made distinct for copy number `copy` (its id, or the string itself)."""
    if isinstance(item, dict) and "id" in item:
        return {**item, "id": f"{item['id']}~{copy}"}
    if isinstance(item, str):
        return f"{item}~{copy}"
    return item


def replicate(data: dict[str, Any], copies: int, salt: int) -> dict[str, Any]:
    """Every map `copies` times over, keys and ids suffixed `~N`; `salt` makes files differ."""
    grown: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, list):
            grown[name] = [suffixed(item, copy) for copy in range(copies) for item in value]
        elif isinstance(value, dict):
            grown[name] = {
                f"{key}~{copy}": item for copy in range(copies) for key, item in value.items()
            }
        else:
            grown[name] = value
    grown["benchSalt"] = {"salt": salt}
    return grown


def ensure_files(directory: Path, copies: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    existing = sorted(directory.glob("snapshot-*.json.gz"))
    if len(existing) >= FILES:
        return existing[-FILES:]
    base = orjson.loads(lzma.decompress(SOURCE.read_bytes()))
    paths = []
    for index in range(FILES):
        data_json = js_dumps(replicate(base, copies, index))
        path, _ = write_snapshot_file(directory, data_json, T0 + timedelta(minutes=index))
        print(f"  wrote {path.name}: {len(data_json) / 1e6:.0f} MB of JSON")
        paths.append(path)
    return paths


class StallMeter:
    """The longest the event loop went without running a 5 ms ticker."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, time.perf_counter() - start - 0.005)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._tick())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 120) -> float:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise TimeoutError("condition not met")
        await pilot.pause(0.001)
    return time.perf_counter() - start


def showing(screen: BrowserScreen, map_name: str) -> bool:
    return getattr(screen.entries.source, "name", "") == map_name


def paint(table: VirtualTable) -> None:
    """Draw the table's visible lines, as a screen refresh would."""
    table.render_lines(Region(0, 0, table.size.width, table.size.height))


async def repaint_after_key(app: StatesnapApp, table: VirtualTable, key: str) -> float:
    """Seconds from a key arriving (as from the terminal) to the table's last visible line
    being drawn again on the next screen update."""
    drawn = asyncio.Event()
    draw = table.render_line
    last = table.size.height - 1

    def spy(y: int) -> Strip:
        if y == last:
            drawn.set()
        return draw(y)

    table.render_line = spy  # type: ignore[method-assign]
    started = time.perf_counter()
    app.post_message(events.Key(key, None))
    await asyncio.wait_for(drawn.wait(), 10)
    elapsed = time.perf_counter() - started
    del table.render_line
    return elapsed


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


async def bench_snapshots_view(directory: Path) -> None:
    started = time.perf_counter()
    app = StatesnapApp(directory, watch=False)
    meter = StallMeter()
    async with app.run_test(size=SIZE) as pilot:
        meter.start()
        screen = app.screen
        assert isinstance(screen, SnapshotsScreen)
        await until(pilot, lambda: screen.table.row_count == FILES)
        paint(screen.table)
        print(f"first paint of the snapshots view:       {ms(time.perf_counter() - started)}")
        catalog = app.context.catalog
        await until(pilot, lambda: all(catalog.cached(entry) for entry in catalog.entries))
        print(f"every verdict in (3 x 120 MB):           {ms(time.perf_counter() - started)}")
        print(f"longest event-loop stall meanwhile:      {ms(meter.worst)}")
        meter.stop()


async def bench_browser(directory: Path) -> None:
    app = StatesnapApp(directory, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        meter = StallMeter()
        meter.start()
        started = time.perf_counter()
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        await until(pilot, lambda: screen.maps.row_count > 0)
        print(f"open a 120 MB snapshot in the browser:   {ms(time.perf_counter() - started)}")
        print(f"longest event-loop stall meanwhile:      {ms(meter.worst)}")
        meter.stop()
        names = [summary.name for summary in screen.maps.source.summaries]  # type: ignore[attr-defined]
        for name in ("telemetryEntries", "events"):
            started = time.perf_counter()
            screen.maps.move_cursor(names.index(name))
            await until(pilot, partial(showing, screen, name))
            paint(screen.entries)
            label = f"first rows of {name} ({screen.entries.row_count:,} rows):"
            print(f"{label:<40} {ms(time.perf_counter() - started)}")
        await pilot.press("enter")
        timings = [await repaint_after_key(app, screen.entries, "pagedown") for _ in range(20)]
        print(
            f"page down, key to repainted rows:        median {ms(statistics.median(timings))}, "
            f"worst {ms(max(timings))}"
        )


async def bench_new_file(directory: Path) -> None:
    app = StatesnapApp(directory, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, SnapshotsScreen)
        await until(pilot, lambda: screen.table.row_count == FILES)
        await pilot.pause(0.5)  # let the watcher start
        data_json = js_dumps({"sessions": [{"id": "new"}]})
        path, _ = write_snapshot_file(directory, data_json)
        started = time.perf_counter()
        await until(pilot, lambda: screen.table.row_count == FILES + 1, timeout=10)
        paint(screen.table)
        print(f"a new file shows (no key pressed):       {ms(time.perf_counter() - started)}")
        catalog = app.context.catalog
        new = catalog.entry(path.name)
        assert new is not None
        await until(pilot, lambda: catalog.cached(new) is not None)
        print(f"... with its verdict:                    {ms(time.perf_counter() - started)}")
        path.unlink()


def run_on_large_files(description: str, *benches: Callable[[Path], Awaitable[None]]) -> None:
    """The command line of a benchmark on the large files: --dir and --copies, the files made
    (or reused), then each bench run on their directory."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dir", type=Path, help="where to keep the generated snapshots")
    parser.add_argument("--copies", type=int, default=12, help="replication factor (12: ~120 MB)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="statesnap-bench-") as scratch:
        directory = args.dir or Path(scratch) / "snapshots"
        print(f"snapshots in {directory}")
        ensure_files(directory, args.copies)
        for bench in benches:
            asyncio.run(bench(directory))


def main() -> None:
    run_on_large_files(__doc__.splitlines()[0], bench_snapshots_view, bench_browser, bench_new_file)


if __name__ == "__main__":
    main()

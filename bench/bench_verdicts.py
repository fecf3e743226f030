"""Statuses of files already judged, at hash speed: the catalog, the dashboard and `statesnap
list` on three large snapshots, first with an empty verdict store, then with their verdicts
recorded. Prints numbers; asserts nothing.

    .venv/bin/python bench/bench_verdicts.py [--json-mb 118] [--runs 3]

Writes three snapshots of about `--json-mb` MB of JSON each (`generate_state`, written by the
engine) into a temp dir, then, `--runs` times each, prints the medians (and worst) of:
every status and count through a fresh `SnapshotCatalog` (`verify_in_batches`), with an
empty store (first time: judged in full, and recorded) and with their verdicts recorded;
the dashboard (a headless app in a new interpreter each run, from its creation until every row
shows its status), with
the verdicts recorded; and `statesnap list` as a process, its wall time and peak RSS (its
own `ru_maxrss`, from `wait4`), with the verdicts recorded (at least 5 runs, after one
unmeasured run: files in the page cache) and with an empty store; beside it, what any such
process pays before listing anything: the interpreter's start, and importing the command
(`statesnap.tui.cli.main`). The store is a temp `XDG_CACHE_HOME`: the user's own cache is never
touched. With PYTHONDONTWRITEBYTECODE set and no `__pycache__` (as in an editable install
here), every start compiles the modules it imports; the line above the figures says which.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import statesnap.tui.cli
from statesnap.engine import SnapshotCatalog, generate_state, js_dumps, write_snapshot_file
from statesnap.tui.app import StatesnapApp
from statesnap.tui.screens.snapshots import SnapshotsScreen
from textual.widgets import Static

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
FILES = 3
SIZE = (120, 36)
STATESNAP = Path(sys.executable).with_name("statesnap")


def write_files(directory: Path, json_mb: int) -> None:
    for index in range(FILES):
        data_json = js_dumps(generate_state(json_mb * 1_000_000, seed=index))
        path, _ = write_snapshot_file(directory, data_json, T0 + timedelta(minutes=index))
        print(
            f"  {path.name}: {len(data_json) / 1e6:.0f} MB of JSON,"
            f" {path.stat().st_size / 1e6:.1f} MB on disk",
            flush=True,
        )
        del data_json


def fresh_cache(scratch: Path, label: str) -> Path:
    """A new, empty verdict store for this process and the processes it starts."""
    cache = Path(tempfile.mkdtemp(prefix=f"cache-{label}-", dir=scratch))
    os.environ["XDG_CACHE_HOME"] = str(cache)
    return cache


def all_statuses_via_catalog(directory: Path) -> float:
    started = time.perf_counter()
    catalog = SnapshotCatalog(directory)
    catalog.refresh()
    try:
        verdicts = [
            found for batch in catalog.verify_in_batches(catalog.entries) for _, found in batch
        ]
    finally:
        catalog.close()
    elapsed = time.perf_counter() - started
    assert len(verdicts) == FILES and all(found.is_valid and found.counts for found in verdicts)
    return elapsed


async def all_statuses_on_dashboard(directory: Path) -> float:
    started = time.perf_counter()
    app = StatesnapApp(directory, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, SnapshotsScreen)
        status_line = screen.query_one("#status-line", Static)

        def all_shown() -> bool:
            table = screen.table
            return (
                table.row_count == FILES
                and "verifying" not in str(status_line.render())
                and not any(
                    table.source.cells(row)[4].plain == "verifying…" for row in range(FILES)
                )
            )

        while not all_shown():
            await pilot.pause(0.001)
        return time.perf_counter() - started


def dashboard_in_new_process(directory: Path) -> float:
    """`all_statuses_on_dashboard` in a new interpreter, as the dashboard starts: an app made
    again in the same process is slower (Textual keeps per-process state) than a user's."""
    shown = subprocess.run(
        [sys.executable, __file__, "--dashboard-once", str(directory)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(shown.stdout)


_LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ,
                     file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def statesnap_list(directory: Path) -> tuple[float, float]:
    """`statesnap list` as a process: wall seconds and peak RSS in MB (its own)."""
    return process([str(STATESNAP), "list", "--dir", str(directory)])


def process(argv: list[str]) -> tuple[float, float]:
    """A process's wall seconds and peak RSS in MB (its own). Started by a small launcher
    process: a child's `ru_maxrss` counts what it shared with its parent before `exec`, and
    this process holds hundreds of MB."""
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *argv], capture_output=True, check=True, text=True
    )
    elapsed, max_rss_kb, exit_code = done.stdout.split()
    assert exit_code == "0", done.stderr
    return float(elapsed), int(max_rss_kb) / 1024


IMPORT_COMMAND = "import statesnap.tui.cli.main"


def compiled_or_not() -> str:
    """Whether the processes started read their modules' bytecode or compile every module."""
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and not any(
        Path(statesnap.tui.cli.__file__).parent.glob("__pycache__/main.*.pyc")
    ):
        return "PYTHONDONTWRITEBYTECODE, no __pycache__: every start compiles what it imports"
    return "bytecode cached (or written) in __pycache__"


def report(label: str, values: list[float], unit: str, floor: str = "") -> None:
    places = 3 if unit == "s" else 1
    shown = f"{statistics.median(values):8.{places}f} {unit}  (worst {max(values):.{places}f})"
    print(f"  {label:<44}{shown}  {floor}".rstrip(), flush=True)


def repeat(runs: int, scratch: Path, cold: bool, measure: Callable[[], float]) -> list[float]:
    values = []
    for run in range(runs):
        if cold:
            fresh_cache(scratch, f"cold{run}")
        values.append(measure())
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json-mb", type=int, default=118, help="MB of JSON per file (118)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default: 3)")
    parser.add_argument("--dashboard-once", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dashboard_once:
        print(asyncio.run(all_statuses_on_dashboard(args.dashboard_once)))
        return
    with tempfile.TemporaryDirectory(prefix="statesnap-bench-") as name:
        scratch = Path(name)
        directory = scratch / "snapshots"
        directory.mkdir(mode=0o700)
        print(f"{FILES} snapshots:", flush=True)
        write_files(directory, args.json_mb)
        print(f"medians of {args.runs}:")
        cold = repeat(args.runs, scratch, True, lambda: all_statuses_via_catalog(directory))
        report("all statuses via the catalog, first time", cold, "s")
        # the last cold run recorded every verdict in the current store
        warm = repeat(args.runs, scratch, False, lambda: all_statuses_via_catalog(directory))
        report("all statuses via the catalog, judged before", warm, "s", "(target 0.5 s)")
        shown = repeat(args.runs, scratch, False, lambda: dashboard_in_new_process(directory))
        report("dashboard: all statuses, judged before", shown, "s", "(target 0.5 s)")
        quick_runs = max(5, args.runs)
        print(f"medians of {quick_runs}; {compiled_or_not()}:")
        starts = [process([sys.executable, "-c", "pass"]) for _ in range(quick_runs)]
        report("python start (the floor)", [t for t, _ in starts], "s")
        imports = [process([sys.executable, "-c", IMPORT_COMMAND]) for _ in range(quick_runs)]
        report("python start + import the command", [t for t, _ in imports], "s")
        alone = statistics.median(t for t, _ in imports) - statistics.median(t for t, _ in starts)
        print(f"  {'import the command alone (difference)':<44}{alone:8.3f} s", flush=True)
        statesnap_list(directory)  # unmeasured: the files in the page cache
        listed = [statesnap_list(directory) for _ in range(quick_runs)]
        report("statesnap list, judged before: wall", [t for t, _ in listed], "s", "(< 0.5 s)")
        report("statesnap list, judged before: peak RSS", [m for _, m in listed], "MB", "(< 200)")
        print(f"medians of {args.runs}:")
        first: list[tuple[float, float]] = []
        for run in range(args.runs):
            fresh_cache(scratch, f"list{run}")
            first.append(statesnap_list(directory))
        report("statesnap list, first time: wall", [t for t, _ in first], "s")
        report("statesnap list, first time: peak RSS", [m for _, m in first], "MB")


if __name__ == "__main__":
    main()

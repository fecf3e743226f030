"""How long one entry's history and a search take over 50 snapshots of about 1 MB of JSON each.
Prints numbers; asserts nothing. The bar (issue 14): each within 1 s.

    .venv/bin/python bench/bench_travel.py [--files 50] [--mib 1] [--runs 3]

Writes `--files` snapshots of a state from `generate_state` into a temp dir, each a little
different from the one before (one session's title every fifth file, a counter in every
file), then times `entry_history` of that session, a plain-text search for a string a few
files hold, one for a string none holds, and a regular-expression search, `--runs` times
each, and prints the median and worst; and, for scale, the time `read_snapshot` takes to
judge every file one after the other (the verdicts history gives are that work).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from statesnap.engine import (
    entry_history,
    generate_state,
    js_dumps,
    list_snapshot_names,
    read_snapshot,
    search_snapshots,
    write_snapshot_file,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def write_files(directory: Path, count: int, size: int) -> str:
    """The snapshots; returns the key of the session whose history is timed."""
    state = generate_state(size, seed=7)
    session = state["sessions"][0]
    for index in range(count):
        session["title"] = f"title {index // 5}"
        if index in (10, 30):
            session["note"] = "needle-in-the-haystack"
        state["frequencies"]["bench-counter"] = index
        write_snapshot_file(directory, js_dumps(state), T0 + timedelta(minutes=index))
    return str(session["id"])


def timed(runs: int, job: Callable[[], object]) -> tuple[float, float, object]:
    times = []
    result: object = None
    for _ in range(runs):
        start = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--mib", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        directory = Path(temp)
        key = write_files(directory, args.files, int(args.mib * (1 << 20)))
        total = sum(path.stat().st_size for path in directory.iterdir())
        print(f"{args.files} files, {total / (1 << 20):.1f} MiB gzipped in all")
        jobs: dict[str, Callable[[], object]] = {
            "(the verdicts alone, serial)": lambda: [
                read_snapshot(directory / name) for name in list_snapshot_names(directory)
            ],
            "history of one entry": lambda: entry_history(directory, "sessions", key),
            "search, a few files match": lambda: search_snapshots(directory, "NEEDLE-in"),
            "search, no file matches": lambda: search_snapshots(directory, "absent-everywhere"),
            "search, regular expression": lambda: search_snapshots(
                directory, r"needle-\w+", regex=True
            ),
        }
        for label, job in jobs.items():
            median, worst, result = timed(args.runs, job)
            what = (
                f"{len(result)} rows"
                if isinstance(result, list)
                else f"{len(getattr(result, 'matches', ()))} matches"
            )
            print(
                f"{label:28} median {median * 1000:6.0f} ms  worst {worst * 1000:6.0f} ms  ({what})"
            )


if __name__ == "__main__":
    main()

"""How long one entry's history and a search take over 50 snapshots of about 1 MB of JSON each.
Prints numbers; asserts nothing. The bar (issue 14): history and plain search within 1 s.

    .venv/bin/python bench/bench_travel.py [--files 50] [--mib 1] [--runs 3]

The process is tuned as the `statesnap` command tunes it (`tune_process_for_large_snapshots`),
and every verdict store it uses is a temp `XDG_CACHE_HOME`: the user's own is never touched.

The files are written the way a server running statesnap writes them: a `SnapshotService`
saves a state from `generate_state` `--files` times, changing it a little before each save
(one session's `lastActivityAt` every time, its title every fifth save, a note a few files
hold), and records each file's verdict as it writes it. The jobs: that session's history; a
plain-text search that a few files match, one that none matches, one that every file matches
(the session's id, in several maps), and a regular expression. Each runs `--runs` times:

- warm: with the server's verdict store, so the first run already finds every verdict (the
  files of a statesnap server, looked at by the same user). The first run is shown apart
  from the median and worst of all runs;
- cold: each run with a new, empty verdict store (files another program wrote, such as the
  original Node backend): every run judges every file, as a first look does.

And, for scale, `read_snapshot` of every file one after the other (what cold judging costs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from statesnap.engine import (
    MemoryStorage,
    SnapshotService,
    entry_history,
    generate_state,
    list_snapshot_names,
    read_snapshot,
    search_snapshots,
    tune_process_for_large_snapshots,
)

NEEDLE_FILES = (10, 11, 30)
"""The saves whose state holds the note the "few files match" search looks for."""


def write_files(directory: Path, count: int, size: int) -> str:
    """The snapshots, saved by a service; returns the key of the session whose history is
    timed."""
    storage = MemoryStorage(
        max_sessions=10**9, max_events_per_session=10**9, max_telemetry_entries=10**9
    )
    storage.load_data(generate_state(size, seed=7))
    service = SnapshotService(storage, directory, max_snapshots=count + 1)
    try:
        session = storage.list_sessions()[0]
        for index in range(count):
            session["title"] = f"title {index // 5}"
            session["lastActivityAt"] = f"2026-03-01T09:{index % 60:02d}:00.000Z"
            if index in NEEDLE_FILES:
                session["note"] = "needle-in-the-haystack"
            else:
                session.pop("note", None)
            storage.set_session(session)
            service.save_snapshot()
    finally:
        service.close()
    return str(session["id"])


def timed(runs: int, before_each: Callable[[], None], job: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(runs):
        before_each()
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return times


def shown(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:6.0f} {max(times) * 1000:6.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--mib", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tune_process_for_large_snapshots()
    with tempfile.TemporaryDirectory(prefix="statesnap-bench-travel-") as temp:
        directory = Path(temp) / "snapshots"
        server_cache = Path(temp) / "server-cache"
        os.environ["XDG_CACHE_HOME"] = str(server_cache)
        key = write_files(directory, args.files, int(args.mib * (1 << 20)))
        names = list_snapshot_names(directory)
        total = sum((directory / name).stat().st_size for name in names)
        print(
            f"{len(names)} files written by a SnapshotService, {total / (1 << 20):.1f} MiB gzipped"
        )
        print("process tuned (tune_process_for_large_snapshots); verdict stores in a temp dir")
        load = subprocess.run(["uptime"], capture_output=True, text=True, check=False)
        print(f"load: {load.stdout.strip()}")
        cold_runs = [0]

        def warm() -> None:
            os.environ["XDG_CACHE_HOME"] = str(server_cache)

        def cold() -> None:
            cold_runs[0] += 1
            os.environ["XDG_CACHE_HOME"] = str(Path(temp) / f"empty-cache-{cold_runs[0]}")

        jobs: dict[str, Callable[[], object]] = {
            "history of one entry": lambda: entry_history(directory, "sessions", key),
            "search, a few files match": lambda: search_snapshots(directory, "NEEDLE-in"),
            "search, no file matches": lambda: search_snapshots(directory, "absent-everywhere"),
            "search, every file matches": lambda: search_snapshots(directory, key),
            "search, regular expression": lambda: search_snapshots(
                directory, r"needle-\w+", regex=True
            ),
        }
        header = f"ms, {args.runs} runs each"
        print(f"{header:28} warm: first  median  worst    cold: median  worst")
        for label, job in jobs.items():
            warm_times = timed(args.runs, warm, job)
            cold_times = timed(args.runs, cold, job)
            print(
                f"{label:28}       {warm_times[0] * 1000:5.0f}  {shown(warm_times)}"
                f"          {shown(cold_times)}"
            )
        serial = timed(
            args.runs,
            lambda: None,
            lambda: [read_snapshot(directory / name) for name in names],
        )
        print(f"(read_snapshot of every file, serial: median, worst {shown(serial)} ms)")


if __name__ == "__main__":
    main()

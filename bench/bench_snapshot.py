"""Benchmark: snapshot save, load and verify against the original algorithm (Node) and the floor.

Prints, per data set, in one run on the same data (medians of `--runs`): our save/load/verify
times (load: a file the service wrote, its verdict known so no proof runs; load*: the same file
with an empty verdict store, proven as a file the original backend wrote is), the original
algorithm's (../shared/bench/node_baseline.mjs) and the ratios; each floor,
what any correct engine pays, and ours/floor:
- save: one orjson.dumps of the state, then MD5 in another thread beside isal level-1 gzip,
  then write + fsync;
- load: read, isal gunzip, orjson.loads with the collector paused, MD5 beside it;
- verify: read, isal gunzip, MD5;
one orjson.dumps of the state; the longest event-loop stall during save_snapshot_async and its
ratio to that; the extra peak memory of a save. Like a host holding large state, it opts in to
`tune_process_for_large_snapshots()` (and says so). Without ../shared it generates the data with
`statesnap.engine.generate_state` and skips the Node baseline.

    .venv/bin/python bench/bench_snapshot.py            # medium (10 MB) and large (~120 MB)
    .venv/bin/python bench/bench_snapshot.py --sizes medium --runs 5
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import gc
import hashlib
import json
import lzma
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from isal import isal_zlib
from statesnap.engine import (
    MemoryStorage,
    SnapshotService,
    generate_state,
    js_dumps,
    read_snapshot,
    tune_process_for_large_snapshots,
)
from statesnap.engine.format.snapshot_encoding import worker_pool

SHARED_BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"
MEDIUM = SHARED_BENCH / "afw-medium-data.json.xz"
NODE_BASELINE = SHARED_BENCH / "node_baseline.mjs"
LARGE_BYTES = 120_000_000
MEDIUM_BYTES = 10_300_000


def median_ms(prepare: Callable[[], Callable[[], object]], runs: int) -> float:
    """Median time of `runs` runs, each of a fresh callable from `prepare` (not timed)."""
    times = []
    for _ in range(runs):
        run = prepare()
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def scaled(data: dict[str, Any], factor: int) -> dict[str, Any]:
    """The medium state replicated `factor` times with distinct keys: same shape, larger."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, list):
            out[name] = [
                {**item, "id": f"{item['id']}-x{copy}"}
                if copy and isinstance(item, dict) and "id" in item
                else item
                for copy in range(factor)
                for item in value
            ]
        elif isinstance(value, dict):
            out[name] = {
                (f"{key}-x{copy}" if copy else key): item
                for copy in range(factor)
                for key, item in value.items()
            }
        else:
            out[name] = value
    return out


def node_baseline(data_file: Path, runs: int) -> dict[str, float]:
    node = shutil.which("node")
    if node is None or not NODE_BASELINE.exists():
        print("  Node baseline skipped: " + ("no node" if node is None else f"no {NODE_BASELINE}"))
        return {}
    result = subprocess.run(
        [node, "--max-old-space-size=8192", str(NODE_BASELINE), str(data_file), str(runs)],
        capture_output=True,
        text=True,
        check=True,
    )
    baseline: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return baseline


def fresh_storage(data: dict[str, Any]) -> MemoryStorage:
    storage = MemoryStorage(
        max_sessions=10**9, max_events_per_session=10**9, max_telemetry_entries=10**9
    )
    storage.load_data(data)
    return storage


def change_in_place(storage: MemoryStorage, counter: list[int]) -> None:
    counter[0] += 1
    session = storage.list_sessions()[0]
    session["lastActivityAt"] = f"2026-11-26T00:00:{counter[0] % 60:02d}.000Z"


def loop_stall_ms(service: SnapshotService) -> float:
    """The longest the event loop went without running while save_snapshot_async ran."""

    async def measure() -> float:
        longest = 0.0
        done = False

        async def ticker() -> None:
            nonlocal longest
            last = time.perf_counter()
            while not done:
                await asyncio.sleep(0.001)
                now = time.perf_counter()
                longest = max(longest, now - last)
                last = now

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0.01)
        await service.save_snapshot_async()
        done = True
        await task
        return longest * 1000

    return asyncio.run(measure())


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def extra_peak_mib(service: SnapshotService) -> float | None:
    """Peak resident memory a save adds over the state already in memory (Linux only)."""
    clear_refs = Path("/proc/self/clear_refs")
    if not clear_refs.exists():
        return None
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # freed memory back to the OS: no hidden reuse
    try:
        clear_refs.write_text("5")  # resets the peak (VmHWM) to the current RSS
    except OSError:
        return None
    before = _status_kib("VmRSS")
    service.save_snapshot()
    return (_status_kib("VmHWM") - before) / 1024


def _write_durably(path: Path, payload: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def floors(data: dict[str, Any], workdir: Path, runs: int) -> dict[str, float]:
    """The floors as the module doc defines them, and one orjson.dumps of the state."""
    target = workdir / "floor.json.gz"
    pool = worker_pool()

    def save_floor() -> None:
        raw = orjson.dumps(data)
        md5 = pool.submit(_md5, raw)
        payload = isal_zlib.compress(raw, 1, 31)
        md5.result()
        _write_durably(target, payload)

    def load_floor() -> None:
        text = isal_zlib.decompress(target.read_bytes(), 31)
        md5 = pool.submit(_md5, text)
        gc.disable()
        try:
            orjson.loads(text)
        finally:
            gc.enable()
        md5.result()

    def verify_floor() -> None:
        _md5(isal_zlib.decompress(target.read_bytes(), 31))

    dumps = median_ms(lambda: partial(orjson.dumps, data), runs)
    save = median_ms(lambda: save_floor, runs)
    return {
        "dumps": dumps,
        "save": save,
        "load": median_ms(lambda: load_floor, runs),
        "verify": median_ms(lambda: verify_floor, runs),
    }


def bench(label: str, data: dict[str, Any], runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="statesnap-bench-") as tmp:
        workdir = Path(tmp)
        os.environ["XDG_CACHE_HOME"] = str(workdir / "cache")  # the services' verdicts
        data_json = js_dumps(data)
        data_file = workdir / "data.json"
        data_file.write_bytes(data_json)
        print(f"\n== {label}: {len(data_json) / 1e6:.1f} MB of JSON, {runs} runs (medians)")
        node = node_baseline(data_file, runs)
        floor = floors(data, workdir, runs)

        snapdir = workdir / "snaps"
        counter = [0]

        services: list[SnapshotService] = []

        def service_on(storage: MemoryStorage) -> SnapshotService:
            """A service on the directory, the previous one closed (one serves it at a time)."""
            for earlier in services:
                earlier.close()
            services[:] = [SnapshotService(storage, snapdir, max_snapshots=3)]
            gc.collect()
            return services[0]

        def prepare_save() -> Callable[[], object]:
            """A fresh restore and a change in place: nothing earlier can be reused."""
            storage = fresh_storage(data)
            change_in_place(storage, counter)
            return service_on(storage).save_snapshot

        def prepare_load() -> Callable[[], object]:
            return service_on(fresh_storage({})).load_latest_snapshot

        def prepare_foreign_load() -> Callable[[], object]:
            """A load with an empty verdict store: the file is proven as one another program
            (the original backend) wrote would be."""
            os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(dir=workdir)
            try:
                return service_on(fresh_storage({})).load_latest_snapshot
            finally:
                os.environ["XDG_CACHE_HOME"] = str(workdir / "cache")

        save = median_ms(prepare_save, runs)
        load = median_ms(prepare_load, runs)
        foreign_load = median_ms(prepare_foreign_load, runs)
        newest = sorted(snapdir.glob("snapshot-*.json.gz"))[-1]
        verify = median_ms(lambda: partial(read_snapshot, newest, keep_data=False), runs)
        gz_bytes = newest.stat().st_size

        service = service_on(fresh_storage(data))
        stall = statistics.median(loop_stall_ms(service) for _ in range(runs))
        peak = extra_peak_mib(service)

        def row(name: str, ours: float, theirs: float | None, floor_ms: float) -> None:
            ratio = f"{theirs / ours:5.1f}x faster" if theirs else "   (no Node)"
            print(
                f"  {name:<7} ours {ours:8.0f} ms   original {theirs or 0:8.0f} ms   {ratio}"
                f"   floor {floor_ms:7.0f} ms   ours/floor {ours / floor_ms:4.2f}"
            )

        row("save", save, node.get("save_ms"), floor["save"])
        row("load", load, node.get("load_ms"), floor["load"])
        row("load*", foreign_load, node.get("load_ms"), floor["load"])
        row("verify", verify, node.get("load_ms"), floor["verify"])
        node_gz = node.get("gz_bytes", 0) / 1e6
        print("  load: a file the service wrote (verdict known); load*: proven, as a foreign file")
        print(f"  gzip    ours {gz_bytes / 1e6:.1f} MB   original {node_gz:.1f} MB")
        print(f"  one orjson.dumps of the state: {floor['dumps']:.0f} ms")
        print(
            f"  longest event-loop stall during save_snapshot_async: {stall:.0f} ms"
            f" ({stall / floor['dumps']:.2f}x one orjson.dumps)"
        )
        if peak is not None:
            ratio = peak * 1024 * 1024 / len(data_json)
            print(f"  extra peak memory of a save: {peak:.0f} MiB ({ratio:.2f}x the JSON size)")
        service.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="medium,large", help="comma-separated: medium, large")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    tune_process_for_large_snapshots()
    print("process tuned for large snapshots (tune_process_for_large_snapshots), as a host would")
    print("verdicts are kept in a temp dir, not the user's store")
    sizes = args.sizes.split(",")
    if MEDIUM.exists():
        medium: dict[str, Any] = orjson.loads(lzma.decompress(MEDIUM.read_bytes()))
        medium_label = "medium state (shared/bench)"
    else:
        print(f"no {MEDIUM}: data generated by statesnap.engine.generate_state")
        medium = generate_state(MEDIUM_BYTES)
        medium_label = "medium state (generate_state)"
    if "medium" in sizes:
        bench(medium_label, medium, args.runs)
    if "large" in sizes:
        factor = max(1, round(LARGE_BYTES / len(orjson.dumps(medium))))
        large = scaled(medium, factor)
        del medium
        bench(f"large state (medium x{factor})", large, args.runs)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.fspath(Path(__file__).resolve().parents[1]))
    sys.exit(main())

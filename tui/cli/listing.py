"""`statesnap list` and `verify`: the files with their verdicts (as JSON: `listing_record`)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from statesnap.engine import SnapshotRead, SnapshotTime, format_timestamp, newest_first
from statesnap.engine.format.snapshot_time import snapshot_time
from statesnap.tui.cli.errors import CommandError
from statesnap.tui.cli.output import print_json, say
from statesnap.tui.cli.snapshot_files import locate, snapshot_paths, verify_all
from statesnap.tui.text.formatting import (
    format_age,
    format_moment,
    format_size,
    time_mark,
    time_note,
)

__all__ = ["list_snapshots", "listing_record", "verify"]


def listing_record(found: SnapshotRead) -> dict[str, Any]:
    """A file's verdict as `list --json`, `verify --json` and `show --json` print it."""
    return {
        "file": found.path.name,
        "path": str(found.path),
        "timestamp": found.timestamp,
        "size": found.size,
        "status": found.status.value,
        "reason": found.reason,
        "checksum": found.expected_checksum,
        "actual_checksum": found.actual_checksum,
        "counts": found.counts,
    }


def _time_record(time: SnapshotTime) -> dict[str, Any]:
    """When the file was taken, by the dashboard's rule (`statesnap.engine.format.snapshot_time`),
    and where that comes from: `stored` (its `timestamp`), `name` or `modified`."""
    return {"time": format_timestamp(time.moment), "time_source": time.source.value}


def _headline_counts(counts: dict[str, int]) -> str:
    shown = [
        f"{name} {counts[name]}"
        for name in ("sessions", "events", "chatHistory", "bookmarks")
        if name in counts
    ]
    return ", ".join(shown)


def _modified(path: Path) -> datetime | None:
    """The file's modification time; None if it is gone."""
    try:
        return datetime.fromtimestamp(path.lstat().st_mtime, UTC)
    except FileNotFoundError:
        return None


def list_snapshots(args: argparse.Namespace) -> int:
    directory: Path = args.dir
    listed = [
        (path, modified)
        for path in snapshot_paths(directory)
        if (modified := _modified(path)) is not None
    ]
    verdicts = verify_all([path for path, _ in listed], args.max_bytes)
    results = [
        (found, snapshot_time(found.path.name, found.timestamp, modified))
        for found, (_, modified) in zip(verdicts, listed, strict=True)
    ]
    results.sort(key=lambda result: newest_first(result[0].path.name, result[1]), reverse=True)
    if args.json:
        print_json([{**listing_record(found), **_time_record(time)} for found, time in results])
        return 0
    if not results:
        print(f"no snapshots in {directory}", file=sys.stderr)
        return 0
    now = datetime.now(UTC)
    width = max(len(found.path.name) for found, _ in results)
    say(f"{'FILE':<{width}}  {'TIME (UTC)':24}  {'AGE':>8}  {'SIZE':>10}  {'STATUS':<19}  CONTENTS")
    for found, time in results:
        note = time_note(time)
        line = (
            f"{found.path.name:<{width}}  {format_moment(time.moment) + time_mark(time):24}  "
            f"{format_age(time.moment, now):>8}  {format_size(found.size):>10}  "
            f"{found.status.value:<19}  {_headline_counts(found.counts)}"
        )
        say(f"{line}  ({note})" if note else line.rstrip())
    return 0


def verify(args: argparse.Namespace) -> int:
    if args.files:
        paths = [locate(spec, args.dir) for spec in args.files]
    else:
        paths = snapshot_paths(args.dir)
        if not paths:
            raise CommandError(f"nothing to verify: no snapshot files in {args.dir}")
    results = verify_all(paths, args.max_bytes, full=args.full)
    for found in results:
        if args.quiet:
            continue
        if args.json:
            sys.stdout.write(orjson.dumps(listing_record(found)).decode() + "\n")
        else:
            say(f"{found.status.value:<19}  {found.path}: {found.reason}")
    return 0 if all(found.is_valid for found in results) else 1

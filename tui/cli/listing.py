"""`statesnap list`, `verify` and `show`: the files with their verdicts, and what one holds."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from statesnap.engine import SnapshotRead, SnapshotTime, format_timestamp, js_dumps, newest_first
from statesnap.engine.format.map_entries import map_entries
from statesnap.engine.format.snapshot_time import snapshot_time
from statesnap.tui.cli.errors import CommandError
from statesnap.tui.cli.output import fit, print_json, say, terminal_columns
from statesnap.tui.cli.snapshot_files import locate, read_data, snapshot_paths, verify_all
from statesnap.tui.text.formatting import (
    format_age,
    format_moment,
    format_size,
    time_mark,
    time_note,
)
from statesnap.tui.text.safe_text import escape_controls

__all__ = ["list_snapshots", "listing_record", "show", "verify"]


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


def _summary_line(value: Any) -> str:
    if isinstance(value, dict):
        parts = [
            f"{key}={item}"
            for key, item in value.items()
            if isinstance(item, str | int | float) and not isinstance(item, bool)
        ]
        text = " ".join(parts[:6]) or f"{{{len(value)} fields}}"
    elif isinstance(value, list):
        text = f"[{len(value)} items]"
    else:
        text = js_dumps(value).decode("utf-8", "replace")
    return escape_controls(text, keep_newlines=False)


def show(args: argparse.Namespace) -> int:
    if args.key is not None and args.map is None:
        raise CommandError("--key needs --map", exit_code=2)
    found = read_data(args.file, args)
    data: dict[str, Any] = found.data
    if args.map is None:
        if args.json:
            print_json({**listing_record(found), "maps": list(data)})
            return 0
        say(
            f"{found.path.name}: {found.status.value}, taken {found.timestamp or '?'},"
            f" checksum {found.expected_checksum}"
        )
        for name, count in found.counts.items():
            say(f"  {name:<24} {count:>8}")
        return 0
    if args.map not in data:
        known = ", ".join(data)
        raise CommandError(
            f"no map {escape_controls(args.map)!r} in {found.path.name}"
            f" (maps: {escape_controls(known)})"
        )
    entries = map_entries(data[args.map])
    if args.key is not None:
        if args.key not in entries:
            raise CommandError(f"no entry {escape_controls(args.key)!r} in map {args.map}")
        print_json(entries[args.key])
        return 0
    if args.json:
        print_json(data[args.map])
        return 0
    columns = terminal_columns()
    for key, value in entries.items():
        say(fit(f"{escape_controls(key, keep_newlines=False)}  {_summary_line(value)}", columns))
    return 0

"""`statesnap diff`: two snapshots compared map by map (added, removed, changed entries)."""

from __future__ import annotations

import argparse

from statesnap.engine import diff_data
from statesnap.tui.cli.output import Progress, print_json, say
from statesnap.tui.cli.snapshot_files import read_data
from statesnap.tui.text.safe_text import escape_controls

__all__ = ["diff"]


def diff(args: argparse.Namespace) -> int:
    with Progress() as progress:
        progress.show("reading 0/2 files…")
        older = read_data(args.older, args)
        progress.show("reading 1/2 files…")
        newer = read_data(args.newer, args)
        progress.show("comparing…")
        result = diff_data(older.data, newer.data)
    if args.json:
        print_json({"a": str(older.path), "b": str(newer.path), "maps": result.to_json()})
        return 0
    say(f"--- {older.path.name} ({older.timestamp or '?'})")
    say(f"+++ {newer.path.name} ({newer.timestamp or '?'})")
    if result.is_empty:
        say("no differences")
        return 0
    for map_diff in result.maps:
        if not map_diff.changes:
            continue
        say(
            f"{map_diff.name}: {len(map_diff.added)} added, {len(map_diff.removed)} removed, "
            f"{len(map_diff.changed)} changed ({map_diff.before_count} -> {map_diff.after_count})"
        )
        for mark, keys in (("+", map_diff.added), ("-", map_diff.removed), ("~", map_diff.changed)):
            for key in keys[: args.limit]:
                say(f"  {mark} {escape_controls(key, keep_newlines=False)}")
            if len(keys) > args.limit:
                say(f"  {mark} … and {len(keys) - args.limit} more")
    return 0

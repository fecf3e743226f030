"""`statesnap diff`: two snapshots compared map by map (added, removed, changed entries), or with
`--live`, one snapshot and the running server's live state ("what changed since the last
save"; the live side read page by page through the control channel)."""

from __future__ import annotations

import argparse

from statesnap.engine import (
    ControlError,
    LiveDiffProgress,
    SnapshotDiff,
    SnapshotRead,
    diff_data,
    diff_live,
    live_label,
)
from statesnap.tui.cli.errors import CommandError
from statesnap.tui.cli.output import Progress, print_json, say
from statesnap.tui.cli.servers import live_client, no_server
from statesnap.tui.cli.snapshot_files import read_data
from statesnap.tui.text.escaping import escape_controls

__all__ = ["diff"]


def diff(args: argparse.Namespace) -> int:
    if args.live:
        if args.newer is not None:
            raise CommandError("diff --live takes one snapshot: statesnap diff --live FILE", 2)
        return _diff_with_live(args)
    if args.newer is None:
        raise CommandError("diff needs two snapshots (diff A B), or --live FILE", 2)
    with Progress() as progress:
        progress.show("reading 0/2 files…")
        older = read_data(args.older, args)
        progress.show("reading 1/2 files…")
        newer = read_data(args.newer, args)
        progress.show("comparing…")
        result = diff_data(older.data, newer.data)
    _print(args, result, older, str(newer.path), f"{newer.path.name} ({newer.timestamp or '?'})")
    return 0


def _diff_with_live(args: argparse.Namespace) -> int:
    client = live_client(args.dir)
    if client is None:
        raise no_server(args.dir, "diff", "--live", args.older)
    label = live_label(client.info.pid)
    with Progress() as progress:
        progress.show("reading the file…")
        older = read_data(args.older, args)

        def show(step: LiveDiffProgress) -> None:
            progress.show(f"{escape_controls(step.words(), keep_newlines=False)}…")

        try:
            result = diff_live(older.data, client, progress=show)
        except ControlError as exc:
            raise CommandError(f"cannot read the live state: {exc}") from None
    assert result is not None  # never stopped: no keep_going was given
    _print(args, result, older, label, label)
    return 0


def _print(
    args: argparse.Namespace,
    result: SnapshotDiff,
    older: SnapshotRead,
    newer_json: str,
    newer_title: str,
) -> None:
    """The diff as JSON, or per map: counts, then up to `--limit` keys of each kind."""
    if args.json:
        print_json({"a": str(older.path), "b": newer_json, "maps": result.to_json()})
        return
    say(f"--- {older.path.name} ({older.timestamp or '?'})")
    say(f"+++ {newer_title}")
    if result.is_empty:
        say("no differences")
        return
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

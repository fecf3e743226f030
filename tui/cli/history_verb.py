"""`statesnap history MAP KEY`: one entry's versions across every snapshot, and the live state.

One line per version, oldest first: when and where it was first seen, whether it changed, for
how many snapshots it stayed, or why a file was skipped. `--json` prints
`{"map", "key", "rows": [{"state", "changed", "count", "first", "last", "value", "reason"}]}`,
where `state` is `present`, `absent` or `skipped`, `first` and `last` are
`{"file", "time", "live"}` (`time` ISO or null) and `value` the entry (null unless present).
"""

from __future__ import annotations

import argparse
from typing import Any

from statesnap.engine import (
    ControlError,
    EntryHistory,
    HistoryRow,
    HistorySource,
    format_timestamp,
)
from statesnap.tui.cli.output import Progress, print_json, say
from statesnap.tui.cli.servers import live_client
from statesnap.tui.cli.snapshot_files import require_dir
from statesnap.tui.rows.history import live_entry_value
from statesnap.tui.text.formatting import format_moment

__all__ = ["history"]


def _live_value(args: argparse.Namespace) -> Any:
    """The attached server's value of the entry, or MISSING (ControlError if it cannot say)."""
    client = live_client(args.dir)
    if client is None:
        raise ControlError("no server is running")
    return live_entry_value(lambda name, key: client.entry(name, key).value, args.map, args.key)


def _source_record(source: HistorySource) -> dict[str, Any]:
    time = format_timestamp(source.time) if source.time is not None else None
    return {"file": source.name, "time": time, "live": source.live}


def _row_record(row: HistoryRow) -> dict[str, Any]:
    return {
        "state": row.kind.value,
        "changed": row.changed,
        "count": row.count,
        "first": _source_record(row.first),
        "last": _source_record(row.last),
        "value": row.value,
        "reason": row.reason or None,
    }


def _where(source: HistorySource) -> str:
    when = format_moment(source.time) if source.time is not None else "now"
    return f"{when:24}  {source.name}"


def _row_line(row: HistoryRow) -> str:
    line = f"{_where(row.first)}  {row.state}"
    if row.count > 1:
        line += f", unchanged in {row.count} snapshots (to {row.last.name})"
    return line


def history(args: argparse.Namespace) -> int:
    require_dir(args.dir)
    attached = not args.no_live and live_client(args.dir) is not None
    live = (lambda: _live_value(args)) if attached else None
    steps = EntryHistory(args.dir, args.map, args.key, live=live, max_bytes=args.max_bytes)
    rows: list[HistoryRow] = []
    with Progress() as progress:
        progress.show(f"reading 0/{steps.total}…")
        for step in steps:
            progress.show(f"reading {step.done}/{step.total}…")
            if step.folded:
                rows[-1] = step.row
            else:
                rows.append(step.row)
    if args.json:
        print_json({"map": args.map, "key": args.key, "rows": [_row_record(r) for r in rows]})
        return 0
    if not rows:
        say(f"no snapshots in {args.dir}")
        return 0
    for row in rows:
        say(_row_line(row))
    return 0

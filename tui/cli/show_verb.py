"""`statesnap show`: what a snapshot holds: its maps and counts, a map's entries (one line each,
cut to the terminal's width), or one entry's JSON."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from rich.cells import cell_len, set_cell_size
from statesnap.engine import js_dumps
from statesnap.engine.format.map_entries import map_entries
from statesnap.tui.cli.errors import CommandError
from statesnap.tui.cli.listing import listing_record
from statesnap.tui.cli.output import print_json, say
from statesnap.tui.cli.snapshot_files import read_data
from statesnap.tui.text.escaping import escape_controls

__all__ = ["show"]


def _terminal_columns() -> int | None:
    """The width of the terminal stdout is, or None when it is a pipe or a file."""
    if not sys.stdout.isatty():
        return None
    return os.get_terminal_size(sys.stdout.fileno()).columns


def _fit(line: str, columns: int | None) -> str:
    """`line` cut to `columns` terminal cells, an ellipsis marking the cut; whole if None."""
    if columns is None or cell_len(line) <= columns:
        return line
    return set_cell_size(line, columns - 1) + "…"


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
    columns = _terminal_columns()
    for key, value in entries.items():
        say(_fit(f"{escape_controls(key, keep_newlines=False)}  {_summary_line(value)}", columns))
    return 0

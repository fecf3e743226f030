"""`statesnap pin`, `pins` and `unpin`: pinned restore points, kept apart from rotation.

`pin FILE NAME` copies a valid snapshot the directory lists; `--json` prints the pin.
`pins` lists them; `--json` prints an array. A pin as JSON: `{"name", "source", "path",
"pinned_at", "size", "status", "reason", "timestamp"}`. `unpin NAME` says what it deletes
and asks (or `--yes`), as `rollback` does.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from statesnap.engine import PinError, PinInfo, format_timestamp, list_pins, pin, pin_path, unpin
from statesnap.tui.cli.errors import CommandError
from statesnap.tui.cli.output import print_json, say
from statesnap.tui.cli.snapshot_files import require_dir
from statesnap.tui.cli.state_changes import confirm
from statesnap.tui.text.escaping import escape_controls
from statesnap.tui.text.formatting import format_moment, format_size
from statesnap.tui.text.rollback_plan import plan_replace_pin, plan_unpin

__all__ = ["pin_snapshot", "show_pins", "unpin_snapshot"]


def _refused(exc: PinError) -> CommandError:
    return CommandError(escape_controls(str(exc), keep_newlines=False))


def _pin_record(info: PinInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "source": info.source,
        "path": str(info.path),
        "pinned_at": format_timestamp(info.pinned_at),
        "size": info.size,
        "status": info.status.value,
        "reason": info.reason,
        "timestamp": info.timestamp,
    }


def pin_snapshot(args: argparse.Namespace) -> int:
    require_dir(args.dir)
    if args.replace:
        with contextlib.suppress(PinError):  # no pin of that name: nothing is replaced
            confirm(plan_replace_pin(args.name, pin_path(args.dir, args.name), args.file), args)
    try:
        info = pin(args.dir, args.file, args.name, replace=args.replace, max_bytes=args.max_bytes)
    except PinError as exc:
        raise _refused(exc) from None
    if args.json:
        print_json(_pin_record(info))
    else:
        say(f"pinned {info.source} as {info.name} ({info.path}); rotation never deletes it")
    return 0


def show_pins(args: argparse.Namespace) -> int:
    pins = list_pins(args.dir, max_bytes=args.max_bytes)
    if args.json:
        print_json([_pin_record(info) for info in pins])
        return 0
    if not pins:
        say(f"no pins in {args.dir}")
        return 0
    width = max(len(info.name) for info in pins)
    for info in pins:
        say(
            f"{info.name:<{width}}  {info.source}  pinned {format_moment(info.pinned_at)}"
            f"  {format_size(info.size):>10}  {info.status.value}"
        )
    return 0


def unpin_snapshot(args: argparse.Namespace) -> int:
    try:
        copy = pin_path(args.dir, args.name)
    except PinError as exc:
        raise _refused(exc) from None
    confirm(plan_unpin(args.name, copy), args)
    try:
        unpin(args.dir, args.name)
    except PinError as exc:
        raise _refused(exc) from None
    say(f"unpinned {args.name}")
    return 0

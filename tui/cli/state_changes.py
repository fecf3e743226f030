"""`statesnap snapshot` and `rollback`: the verbs that change the state, through the running
server (snapshot now, roll back, undo) or, with none running, by promoting a file; each says
what will change and asks first."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from statesnap.engine import (
    ControlClient,
    ControlError,
    PinError,
    list_snapshot_names,
    pin_label,
    pin_path,
    promote_pin,
    promote_snapshot,
    read_snapshot,
)
from statesnap.tui.cli.errors import CommandError
from statesnap.tui.cli.output import say
from statesnap.tui.cli.servers import live_client, no_server
from statesnap.tui.text.escaping import escape_controls
from statesnap.tui.text.rollback_plan import ChangePlan, command_hint, plan_rollback, plan_undo

__all__ = ["rollback", "snapshot_now"]


def snapshot_now(args: argparse.Namespace) -> int:
    client = live_client(args.dir)
    if client is None:
        raise no_server(args.dir, "snapshot")
    try:
        name = client.snapshot()
    except ControlError as exc:
        raise CommandError(f"the server refused: {exc}") from None
    say(f"wrote {name}")
    return 0


def _listed_name(spec: str, directory: Path) -> str:
    """A roll-back target: a name the directory lists, or a path to such a file in it, whose
    file is valid (checked before anything is asked or changed)."""
    if os.sep in spec or spec in (".", ".."):
        path = Path(spec)
        if path.parent.resolve() != directory.resolve():
            raise CommandError(
                f"rollback takes a snapshot of {directory}: {escape_controls(spec)} is elsewhere",
                exit_code=2,
            )
        spec = path.name
    if spec not in list_snapshot_names(directory):
        raise CommandError(f"no snapshot named {escape_controls(spec)} in {directory}")
    found = read_snapshot(directory / spec, keep_data=False)
    if not found.is_valid:
        raise CommandError(escape_controls(f"cannot roll back to {spec}: {found.summary}"))
    return spec


def _show_plan(plan: ChangePlan, shown: int = 10) -> None:
    say(plan.title)
    for line in plan.steps:
        say(f"  {line}")
    say(f"  {plan.summary}")
    if plan.later_heading:
        say(f"  {plan.later_heading}")
    for name in plan.later_deleted[:shown]:
        say(f"    {name}")
    if len(plan.later_deleted) > shown:
        say(f"    … and {len(plan.later_deleted) - shown} more")


def confirm(plan: ChangePlan, args: argparse.Namespace) -> None:
    """Say what will change, then ask (unless --yes); CommandError when not confirmed."""
    _show_plan(plan)
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise CommandError("not confirmed: pass --yes (there is no terminal to ask on)", 2)
    sys.stdout.write("Go ahead? [y/N] ")
    sys.stdout.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise CommandError("cancelled; nothing changed")


def _undo(args: argparse.Namespace, client: ControlClient | None) -> int:
    if client is None:
        raise no_server(args.dir, "rollback", "--undo")
    try:
        status = client.status()
        if status.can_undo and status.last_rollback is not None:
            confirm(plan_undo(status), args)
        result = client.undo()  # with nothing to undo, the server says why and changes nothing
    except ControlError as exc:
        raise CommandError(str(exc)) from None
    say(
        f"undone: the state you left is saved as {result.undo_point.name}; the state from "
        f"before the roll-back is back, saved as {result.after.name}"
    )
    return 0


def _pin_name(name: str, directory: Path) -> str:
    """A roll-back target pin: one the directory has, whose copy is valid."""
    try:
        found = read_snapshot(pin_path(directory, name), keep_data=False)
    except PinError as exc:
        raise CommandError(escape_controls(str(exc), keep_newlines=False)) from None
    if not found.is_valid:
        raise CommandError(escape_controls(f"cannot roll back to pin {name}: {found.summary}"))
    return name


def _promote(args: argparse.Namespace, name: str, *, pin: bool) -> Path:
    try:
        if pin:
            return promote_pin(args.dir, name, max_bytes=args.max_bytes)
        return promote_snapshot(args.dir, name, max_bytes=args.max_bytes)
    except ValueError as exc:
        raise CommandError(escape_controls(str(exc))) from None


def rollback(args: argparse.Namespace) -> int:
    client = live_client(args.dir)
    if args.undo:
        return _undo(args, client)
    pin = args.pin is not None
    name = _pin_name(args.pin, args.dir) if pin else _listed_name(args.file, args.dir)
    shown = escape_controls(pin_label(name) if pin else name)
    listed = list_snapshot_names(args.dir)
    if client is not None:
        try:
            confirm(plan_rollback(name, listed, client.status(), pin=pin), args)
            result = client.rollback(name, pin=pin)
        except ControlError as exc:
            raise CommandError(f"the server refused: {exc}") from None
        say(
            f"rolled back to {shown}: the state before is saved as {result.undo_point.name},"
            f" the restored state as {result.after.name}; nothing was deleted"
        )
        say(f"undo with: {command_hint(args.dir, 'rollback', '--undo')}")
        return 0
    confirm(plan_rollback(name, listed, None, pin=pin), args)
    path = _promote(args, name, pin=pin)
    say(
        f"wrote {path.name} holding {shown}'s state (the next server start loads it);"
        " nothing was deleted"
    )
    return 0

"""The verbs that open the dashboard: no verb at all, and `statesnap demo`. They import the
dashboard (and so Textual) inside the function, only once a terminal is known to be there."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from statesnap.tui.cli.snapshot_files import require_dir
from statesnap.tui.text.escaping import escape_controls

__all__ = ["dashboard", "demo"]


def dashboard(args: argparse.Namespace) -> int:
    from statesnap.tui.terminal import require_terminal

    require_terminal()  # before importing Textual: without a terminal, say so at once
    from statesnap.tui.app import run_dashboard  # noqa: TID251 - asked for: a terminal is there

    directory: Path = args.dir
    if directory.exists():
        require_dir(directory)
    run_dashboard(directory)
    return 0


def demo(args: argparse.Namespace) -> int:
    from statesnap.engine import StorageConfigError
    from statesnap.tui.cli.demo import run_demo
    from statesnap.tui.terminal import require_terminal

    if not args.headless:
        require_terminal()

    try:
        return run_demo(args.dir, headless=args.headless, interval_s=args.interval, seed=args.seed)
    except StorageConfigError as exc:  # a bad $AFW_REDIS_URL, read as the server starts
        print(f"statesnap: {escape_controls(str(exc))}", file=sys.stderr)
        return 2

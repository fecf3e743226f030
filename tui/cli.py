"""The `statesnap` command: argument parsing and dispatch to the dashboard or a headless verb."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from engine import DEFAULT_MAX_BYTES, default_snapshot_dir
from tui import commands
from tui.commands import CommandError
from tui.safe_text import escape_controls

__all__ = ["build_parser", "main"]

DEMO_DIR = Path(".statesnap-demo")

_DESCRIPTION = """\
Keep a dev server's in-memory state alive across restarts, and see and steer it.

With no command, open the dashboard on the snapshot directory."""

_EPILOG = """\
The snapshot directory is --dir, else $AFW_SNAPSHOT_DIR, else ./.actionflows-snapshot.
Read-only commands (show, export, verify, diff) take a file path or a snapshot name in
that directory; commands that change things (rollback) take only names it lists.
show and diff also read a file that is not valid if its data can be read (a checksum
mismatch, another version, a field missing), with a warning; export needs --salvage for it.

exit status: 0 success, 1 failure (or: a file is not valid), 2 usage error."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text}")
    return value


def _common_options() -> argparse.ArgumentParser:
    """Options every command accepts, before or after its name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--dir",
        type=Path,
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="snapshot directory (default: $AFW_SNAPSHOT_DIR or ./.actionflows-snapshot)",
    )
    common.add_argument(
        "--max-bytes",
        type=_positive_int,
        metavar="N",
        default=argparse.SUPPRESS,
        help=f"refuse files that decompress to more than N bytes (default: {DEFAULT_MAX_BYTES})",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="statesnap",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND", title="commands")

    def verb(
        name: str, summary: str, run: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        sub = verbs.add_parser(name, help=summary, description=summary, parents=[common])
        sub.set_defaults(run=run)
        return sub

    demo = verb(
        "demo",
        "run a demo server with live simulated activity, and the dashboard on it",
        commands.demo,
    )
    demo.add_argument(
        "--headless", action="store_true", help="run only the server, until SIGINT/SIGTERM"
    )
    demo.add_argument(
        "--interval",
        type=_positive_float,
        default=10.0,
        metavar="SECONDS",
        help="seconds between snapshots (default: 10)",
    )
    demo.add_argument("--seed", type=int, default=None, help="seed for the simulated activity")

    listing = verb(
        "list", "list snapshot files, newest first, with their status", commands.list_snapshots
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array")

    verify = verb(
        "verify",
        "check files as the original backend would; exit 0 iff all are valid",
        commands.verify,
    )
    verify.add_argument(
        "files", nargs="*", metavar="FILE", help="files or names (default: every snapshot in DIR)"
    )
    verify.add_argument("--json", action="store_true", help="print one JSON object per file")
    verify.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing; only the exit status"
    )

    show = verb(
        "show",
        "show what a snapshot holds: maps and counts, a map's entries, or one entry",
        commands.show,
    )
    show.add_argument("file", metavar="FILE")
    show.add_argument("--map", metavar="NAME", help="list the entries of this map")
    show.add_argument("--key", metavar="KEY", help="with --map: print this entry's JSON")
    show.add_argument("--json", action="store_true", help="print JSON instead of text")

    export = verb("export", "write a snapshot's data object as plain JSON", commands.export)
    export.add_argument("file", metavar="FILE")
    export.add_argument(
        "-o", "--output", type=Path, metavar="OUT", help="write to OUT instead of stdout"
    )
    export.add_argument("--force", action="store_true", help="replace OUT if it exists")
    export.add_argument(
        "--salvage",
        action="store_true",
        help="export the data of a file that is not valid but can be read (checksum mismatch,"
        " other version, field missing), with a warning",
    )

    importing = verb(
        "import",
        "write a new snapshot holding the data in a JSON file ('-': stdin)",
        commands.import_data,
    )
    importing.add_argument("source", metavar="JSON")
    importing.add_argument(
        "--keep", type=_positive_int, default=3, metavar="N", help="snapshots to keep (default: 3)"
    )

    diff = verb(
        "diff", "compare two snapshots map by map: added, removed, changed entries", commands.diff
    )
    diff.add_argument("older", metavar="A")
    diff.add_argument("newer", metavar="B")
    diff.add_argument("--json", action="store_true", help="print JSON")
    diff.add_argument(
        "--limit",
        type=_positive_int,
        default=20,
        metavar="N",
        help="keys listed per kind (default: 20)",
    )

    verb("snapshot", "ask the running server to write a snapshot now", commands.snapshot_now)

    rollback = verb(
        "rollback",
        "roll the running server back to FILE (its current state is saved first);"
        " with no server, make FILE's state the newest snapshot",
        commands.rollback,
    )
    target = rollback.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "file", nargs="?", metavar="FILE", help="a snapshot name from the directory's listing"
    )
    target.add_argument(
        "--undo",
        action="store_true",
        help="running server: go back to the state before the last roll-back",
    )
    rollback.add_argument(
        "--keep",
        type=_positive_int,
        default=3,
        metavar="N",
        help="snapshots to keep offline (default: 3)",
    )
    return parser


class _SafeFormatter(logging.Formatter):
    """Log lines as one line each, with any text from a file made harmless to a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        return escape_controls(super().format(record), keep_newlines=False)


def _configure_logging() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_SafeFormatter("statesnap: %(levelname)s: %(message)s"))
    level = logging.DEBUG if os.environ.get("STATESNAP_DEBUG") else logging.WARNING
    logging.basicConfig(level=level, handlers=[handler])


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "dir"):
        args.dir = DEMO_DIR if args.verb == "demo" else default_snapshot_dir()
    if not hasattr(args, "max_bytes"):
        args.max_bytes = DEFAULT_MAX_BYTES
    _configure_logging()
    run: Callable[[argparse.Namespace], int] = getattr(args, "run", commands.dashboard)
    try:
        return run(args)
    except CommandError as exc:
        print(f"statesnap: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        print(f"statesnap: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except Exception as exc:
        if os.environ.get("STATESNAP_DEBUG"):
            raise
        print(
            f"statesnap: internal error: {type(exc).__name__}: {exc}"
            " (STATESNAP_DEBUG=1 shows more)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())

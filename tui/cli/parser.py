"""The `statesnap` command's arguments: every verb, its options and its help, each verb's
function named (`VerbRun`) and imported only when it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from statesnap.engine import DATA_KEYS, DEFAULT_MAX_BYTES
from statesnap.tui.cli.travel_parsers import add_grep_parser, add_history_parser, add_pin_parsers
from statesnap.tui.cli.verb_run import VerbRun

__all__ = ["DASHBOARD", "DEMO_DIR", "build_parser"]

DASHBOARD = VerbRun("dashboard", "dashboard")
"""What `statesnap` with no verb runs."""

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


def _common_options(
    dir_help: str = "snapshot directory (default: $AFW_SNAPSHOT_DIR or ./.actionflows-snapshot)",
) -> argparse.ArgumentParser:
    """Options every command accepts, before or after its name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dir", type=Path, metavar="DIR", default=argparse.SUPPRESS, help=dir_help)
    return common


_READ_LIMIT = "refuse snapshot files that decompress to more than N bytes"


def _add_max_bytes(sub: argparse.ArgumentParser, refuse: str = _READ_LIMIT) -> None:
    """`--max-bytes`, for the commands that read files: the bound on what they read."""
    sub.add_argument(
        "--max-bytes",
        type=_positive_int,
        metavar="N",
        default=DEFAULT_MAX_BYTES,
        help=f"{refuse} (default: {DEFAULT_MAX_BYTES})",
    )


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
        name: str,
        summary: str,
        run: VerbRun,
        details: str = "",
        options: argparse.ArgumentParser = common,
    ) -> argparse.ArgumentParser:
        sub = verbs.add_parser(
            name,
            help=summary,
            description=f"{summary}\n\n{details}" if details else summary,
            parents=[options],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(run=run)
        return sub

    demo_command = verb(
        "demo",
        "run a demo server with live simulated activity, and the dashboard on it",
        VerbRun("dashboard", "demo"),
        details=f"Its directory is --dir, else ./{DEMO_DIR} (never $AFW_SNAPSHOT_DIR). It refuses"
        " a directory\nholding snapshots it did not write, and one another server serves.",
        options=_common_options(f"the demo's own directory (default: ./{DEMO_DIR})"),
    )
    demo_command.add_argument(
        "--headless", action="store_true", help="run only the server, until SIGINT/SIGTERM"
    )
    demo_command.add_argument(
        "--interval",
        type=_positive_float,
        default=10.0,
        metavar="SECONDS",
        help="seconds between snapshots (default: 10)",
    )
    demo_command.add_argument(
        "--seed", type=int, default=None, help="seed for the simulated activity"
    )

    listing = verb(
        "list",
        "list snapshot files, newest first, with their status",
        VerbRun("listing", "list_snapshots"),
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    _add_max_bytes(listing)

    verify_command = verb(
        "verify",
        "check files as the original backend would; exit 0 iff all are valid",
        VerbRun("listing", "verify"),
    )
    verify_command.add_argument(
        "files", nargs="*", metavar="FILE", help="files or names (default: every snapshot in DIR)"
    )
    verify_command.add_argument(
        "--json", action="store_true", help="print one JSON object per file"
    )
    verify_command.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing; only the exit status"
    )
    verify_command.add_argument(
        "--full",
        action="store_true",
        help="judge every file in full, even one whose exact bytes (by SHA-256) were judged"
        " before (by default their recorded verdict is reused; see the README)",
    )
    _add_max_bytes(verify_command)

    show_command = verb(
        "show",
        "show what a snapshot holds: maps and counts, a map's entries, or one entry",
        VerbRun("show_verb", "show"),
    )
    show_command.add_argument("file", metavar="FILE")
    show_command.add_argument("--map", metavar="NAME", help="list the entries of this map")
    show_command.add_argument("--key", metavar="KEY", help="with --map: print this entry's JSON")
    show_command.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_max_bytes(show_command)

    export_command = verb(
        "export",
        "write a snapshot's data object as plain JSON",
        VerbRun("export_import", "export"),
    )
    export_command.add_argument("file", metavar="FILE")
    export_command.add_argument(
        "-o", "--output", type=Path, metavar="OUT", help="write to OUT instead of stdout"
    )
    export_command.add_argument("--force", action="store_true", help="replace OUT if it exists")
    _add_max_bytes(export_command)
    export_command.add_argument(
        "--salvage",
        action="store_true",
        help="export the data of a file that is not valid but can be read (checksum mismatch,"
        " other version, field missing), with a warning",
    )

    importing = verb(
        "import",
        "write a new snapshot holding the data in a JSON file ('-': stdin); deletes nothing",
        VerbRun("export_import", "import_data"),
        details="JSON is a snapshot's data object, as `statesnap export` prints it, not a\n"
        "snapshot file; to import the data of a .json.gz file:\n"
        "  statesnap export FILE | statesnap import -\n"
        f"Input holding none of the {len(DATA_KEYS)} maps of a snapshot is refused unless"
        " --allow-unknown.",
    )
    importing.add_argument("source", metavar="JSON")
    importing.add_argument(
        "--allow-unknown",
        action="store_true",
        help=f"write it even if the input holds none of the {len(DATA_KEYS)} known maps"
        " (its keys are kept as they are; a warning names them)",
    )
    _add_max_bytes(importing, "refuse input larger than N bytes")

    diff_command = verb(
        "diff",
        "compare two snapshots map by map: added, removed, changed entries; with --live,"
        " a snapshot and the running server's live state",
        VerbRun("diff", "diff"),
    )
    diff_command.add_argument("older", metavar="A")
    diff_command.add_argument("newer", metavar="B", nargs="?")
    diff_command.add_argument(
        "--live",
        action="store_true",
        help="compare A with the running server's live state (what changed since A was saved)",
    )
    diff_command.add_argument("--json", action="store_true", help="print JSON")
    diff_command.add_argument(
        "--limit",
        type=_positive_int,
        default=20,
        metavar="N",
        help="keys listed per kind (default: 20)",
    )
    _add_max_bytes(diff_command)

    verb(
        "snapshot",
        "ask the running server to write a snapshot now",
        VerbRun("state_changes", "snapshot_now"),
    )

    rollback_command = verb(
        "rollback",
        "roll the running server back to FILE (its current state is saved first);"
        " with no server, make FILE's state the newest snapshot. Deletes nothing; says what"
        " will change and asks first",
        VerbRun("state_changes", "rollback"),
    )
    target = rollback_command.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "file", nargs="?", metavar="FILE", help="a snapshot name from the directory's listing"
    )
    target.add_argument(
        "--pin", metavar="NAME", help="roll back to the pin NAME (`statesnap pins` lists them)"
    )
    target.add_argument(
        "--undo",
        action="store_true",
        help="running server: go back to the state before the last roll-back",
    )
    rollback_command.add_argument(
        "-y", "--yes", action="store_true", help="do not ask (what will change is still printed)"
    )
    _add_max_bytes(
        rollback_command,
        "with no server running: refuse a FILE that decompresses to more than N bytes",
    )
    for add in (add_history_parser, add_grep_parser, add_pin_parsers):
        add(verb, _add_max_bytes)
    return parser

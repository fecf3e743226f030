"""The `statesnap` command: dispatch to the dashboard or a headless verb (whose arguments are
`parser`'s), with the directory chosen when --dir is not given and every error said in one line."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from statesnap.engine import (
    DEFAULT_SNAPSHOT_DIR,
    default_snapshot_dir,
    tune_process_for_large_snapshots,
)
from statesnap.tui.cli.errors import CommandError
from statesnap.tui.cli.nearby import servers_nearby
from statesnap.tui.cli.parser import DASHBOARD, DEMO_DIR, build_parser
from statesnap.tui.cli.verb_run import VerbRun
from statesnap.tui.text.escaping import escape_controls

__all__ = ["main"]


class _SafeFormatter(logging.Formatter):
    """Log lines as one line each, with any text from a file made harmless to a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        return escape_controls(super().format(record), keep_newlines=False)


def _configure_logging() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_SafeFormatter("statesnap: %(levelname)s: %(message)s"))
    level = logging.DEBUG if os.environ.get("STATESNAP_DEBUG") else logging.WARNING
    logging.basicConfig(level=level, handlers=[handler])


def _default_dir(verb: str | None) -> Path:
    """The directory when --dir is not given: the demo's own; else $AFW_SNAPSHOT_DIR; else
    ./.actionflows-snapshot, unless that has neither snapshots nor a server while exactly one
    server runs on a directory under this folder (a demo started here): then that one."""
    if verb == "demo":
        return DEMO_DIR
    if os.environ.get("AFW_SNAPSHOT_DIR"):
        return default_snapshot_dir()
    default = default_snapshot_dir()
    nearby = servers_nearby(default)
    if len(nearby) != 1:
        return default
    chosen = nearby[0]
    print(
        f"statesnap: using {escape_controls(str(chosen))}, the directory a server serves here"
        f" (--dir {DEFAULT_SNAPSHOT_DIR} for the default one)",
        file=sys.stderr,
    )
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    tune_process_for_large_snapshots()
    if not hasattr(args, "dir"):
        args.dir = _default_dir(args.verb)
    _configure_logging()
    run: VerbRun = getattr(args, "run", DASHBOARD)
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

"""`statesnap grep PATTERN`: which snapshots hold entries whose key or JSON text matches.

One line per file holding matches, newest first: the file and its count per map; a file that
could not be searched says why. Exit 0 when something matched, 1 when nothing did (as grep).
`--json` prints `{"pattern", "map", "regex", "case_sensitive", "total", "counts",
"files": [{"file", "time", "status", "skipped", "counts", "matches": [{"map", "key"}]}]}`
with every file searched (`status` null for a file a quick scan showed holds no match,
`skipped` null unless the file has no data to search).
"""

from __future__ import annotations

import argparse
from typing import Any

from statesnap.engine import (
    FileMatches,
    SearchError,
    SearchResult,
    SnapshotSearch,
    format_timestamp,
)
from statesnap.tui.cli.errors import CommandError
from statesnap.tui.cli.output import Progress, print_json, say
from statesnap.tui.cli.snapshot_files import require_dir
from statesnap.tui.text.escaping import escape_controls

__all__ = ["grep"]


def _file_record(found: FileMatches) -> dict[str, Any]:
    return {
        "file": found.file,
        "time": format_timestamp(found.time),
        "status": found.status.value if found.status is not None else None,
        "skipped": found.skipped or None,
        "counts": found.counts,
        "matches": [{"map": match.map, "key": match.key} for match in found.matches],
    }


def _file_line(found: FileMatches) -> str:
    if found.skipped:
        return f"{found.file}  skipped: {found.skipped}"
    counts = ", ".join(f"{name} {count}" for name, count in found.counts.items())
    status = "" if found.status is None or found.status.value == "valid" else f"  ({found.status})"
    return f"{found.file}  {counts}{status}"


def grep(args: argparse.Namespace) -> int:
    require_dir(args.dir)
    try:
        search = SnapshotSearch(
            args.dir,
            args.pattern,
            map_name=args.map,
            regex=args.regex,
            case_sensitive=args.case_sensitive,
            max_bytes=args.max_bytes,
        )
    except SearchError as exc:
        raise CommandError(escape_controls(str(exc), keep_newlines=False), exit_code=2) from None
    files: list[FileMatches] = []
    with Progress() as progress:
        progress.show(f"searching 0/{search.total} files…")
        for step in search:
            files.append(step.file)
            progress.show(f"searching {step.done}/{step.total} files…")
    result = SearchResult(tuple(files))
    total = len(result.matches)
    if args.json:
        print_json(
            {
                "pattern": args.pattern,
                "map": args.map,
                "regex": args.regex,
                "case_sensitive": args.case_sensitive,
                "total": total,
                "counts": result.counts,
                "files": [_file_record(found) for found in files],
            }
        )
    else:
        for found in files:
            if found.total or found.skipped:
                say(_file_line(found))
        holding = sum(1 for found in files if found.total)
        say(f"{total} matching entries in {holding} of {len(files)} files")
    return 0 if total else 1

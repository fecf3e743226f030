"""The time-travel verbs' arguments (history, grep, pin, pins, unpin), added to the parser by
`main`'s way of adding a verb; each verb's module loads only when it runs (`VerbRun`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Protocol

from statesnap.tui.cli.verb_run import VerbRun

__all__ = ["AddMaxBytes", "AddVerb", "add_grep_parser", "add_history_parser", "add_pin_parsers"]

AddMaxBytes = Callable[[argparse.ArgumentParser], None]
"""`main`'s `--max-bytes` option, added to a verb that reads files."""


class AddVerb(Protocol):
    """`main`'s way of adding a verb: its name, a one-line summary, the function it runs."""

    def __call__(
        self,
        name: str,
        summary: str,
        run: VerbRun,
        details: str = "",
    ) -> argparse.ArgumentParser: ...


def add_history_parser(verb: AddVerb, add_max_bytes: AddMaxBytes) -> None:
    sub = verb(
        "history",
        "one entry's versions across every snapshot (and the running server's live state)",
        VerbRun("history_verb", "history"),
        details="Oldest first; identical versions in a row fold into one line, files without"
        " the entry\nsay absent, files that are not valid say why they were skipped.",
    )
    sub.add_argument("map", metavar="MAP")
    sub.add_argument("key", metavar="KEY")
    sub.add_argument("--json", action="store_true", help="print JSON")
    sub.add_argument(
        "--no-live", action="store_true", help="leave out the running server's live state"
    )
    add_max_bytes(sub)


def add_grep_parser(verb: AddVerb, add_max_bytes: AddMaxBytes) -> None:
    sub = verb(
        "grep",
        "which snapshots hold entries whose key or JSON text matches PATTERN",
        VerbRun("grep_verb", "grep"),
        details="Plain text, case-insensitive, unless --case-sensitive or --regex says"
        " otherwise.\nexit status: 0 something matched, 1 nothing did, 2 a bad pattern.",
    )
    sub.add_argument("pattern", metavar="PATTERN")
    sub.add_argument("--map", metavar="NAME", help="search only this map")
    sub.add_argument("--regex", action="store_true", help="PATTERN is a regular expression")
    sub.add_argument("--case-sensitive", action="store_true", help="match case exactly")
    sub.add_argument("--json", action="store_true", help="print JSON")
    add_max_bytes(sub)


def add_pin_parsers(verb: AddVerb, add_max_bytes: AddMaxBytes) -> None:
    pinning = verb(
        "pin",
        "keep a copy of a valid snapshot as NAME, where rotation never deletes it",
        VerbRun("pin_verbs", "pin_snapshot"),
        details="The copy goes to DIR/.statesnap-pins/NAME/, which the original backend never"
        " lists.\nNAME: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or"
        " digit.",
    )
    pinning.add_argument("file", metavar="FILE", help="a snapshot name from the directory")
    pinning.add_argument("name", metavar="NAME")
    pinning.add_argument(
        "--replace",
        action="store_true",
        help="replace a pin of that name (says what it deletes and asks)",
    )
    pinning.add_argument("-y", "--yes", action="store_true", help="do not ask")
    pinning.add_argument("--json", action="store_true", help="print the pin as JSON")
    add_max_bytes(pinning)

    listing = verb(
        "pins", "list pinned restore points with their status", VerbRun("pin_verbs", "show_pins")
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    add_max_bytes(listing)

    unpinning = verb(
        "unpin",
        "delete a pin (only that copy); says what it deletes and asks",
        VerbRun("pin_verbs", "unpin_snapshot"),
    )
    unpinning.add_argument("name", metavar="NAME")
    unpinning.add_argument("-y", "--yes", action="store_true", help="do not ask")

"""The running server a verb talks to: a client for the one serving a directory, and the error
that names the servers running under this folder when the one asked for is not running."""

from __future__ import annotations

from pathlib import Path

from statesnap.engine import ControlClient, find_server
from statesnap.tui.cli.errors import CommandError
from statesnap.tui.cli.nearby import servers_here
from statesnap.tui.text.rollback_plan import command_hint

__all__ = ["live_client", "no_server"]


def no_server(directory: Path, *words: str) -> CommandError:
    """No server serves `directory`: say so, and name the servers running under this folder
    with the command that reaches each."""
    nearby = servers_here()
    message = f"no statesnap server is running for {directory}"
    if nearby:
        hints = "; ".join(f"{command_hint(where, *words)} (pid {pid})" for where, pid in nearby)
        return CommandError(f"{message}; a server runs on another directory: {hints}")
    return CommandError(
        f"{message} (a server embeds SnapshotService with its ControlServer;"
        " `statesnap demo` runs one on a directory of its own)"
    )


def live_client(directory: Path) -> ControlClient | None:
    """A client for the server that serves this directory, if one is running."""
    info = find_server(directory)
    return ControlClient(info) if info is not None else None

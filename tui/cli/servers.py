"""Which statesnap servers run here: a client for the one serving a directory, the directories
served under this folder, and the error that names them when the one asked for is not running."""

from __future__ import annotations

from pathlib import Path

from statesnap.engine import ControlClient, find_server, list_servers, list_snapshot_names
from statesnap.tui.cli.errors import CommandError
from statesnap.tui.text.rollback_plan import command_hint

__all__ = ["live_client", "no_server", "servers_nearby"]


def _servers_here() -> list[tuple[Path, int]]:
    """The directories (relative to this folder) that running servers serve under it, with
    their pids."""
    here = Path.cwd()
    return [
        (info.directory.relative_to(here), info.pid)
        for info in list_servers()
        if info.directory.is_relative_to(here)
    ]


def servers_nearby(default: Path) -> list[Path]:
    """Where a command run without --dir may mean to look: nothing if `default` has a server
    or snapshots; else the directories that servers serve under this folder."""
    try:
        if find_server(default) is not None or list_snapshot_names(default):
            return []
    except OSError:
        return []
    return [directory for directory, _ in _servers_here()]


def no_server(directory: Path, *words: str) -> CommandError:
    """No server serves `directory`: say so, and name the servers running under this folder
    with the command that reaches each."""
    nearby = _servers_here()
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

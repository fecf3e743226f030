"""Which statesnap servers run under this folder: the directories they serve, and where a command
run without --dir may mean to look. Light on purpose (discovery only, no control client): `main`
asks it before every verb that is given no --dir."""

from __future__ import annotations

from pathlib import Path

from statesnap.engine import find_server, list_servers, list_snapshot_names

__all__ = ["servers_here", "servers_nearby"]


def servers_here() -> list[tuple[Path, int]]:
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
    return [directory for directory, _ in servers_here()]

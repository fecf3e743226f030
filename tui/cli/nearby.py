"""Which statesnap servers run under this folder: the directories they serve, and where a command
run without --dir may mean to look. `main` asks it only for a verb given no --dir; it names the
engine's discovery through the package (`engine.find_server`), which loads it on that first use,
so a verb given --dir loads none of it (nor `socket`)."""

from __future__ import annotations

from pathlib import Path

from statesnap import engine

__all__ = ["servers_here", "servers_nearby"]


def servers_here() -> list[tuple[Path, int]]:
    """The directories (relative to this folder) that running servers serve under it, with
    their pids."""
    here = Path.cwd()
    return [
        (info.directory.relative_to(here), info.pid)
        for info in engine.list_servers()
        if info.directory.is_relative_to(here)
    ]


def servers_nearby(default: Path) -> list[Path]:
    """Where a command run without --dir may mean to look: nothing if `default` has a server
    or snapshots; else the directories that servers serve under this folder."""
    try:
        if engine.find_server(default) is not None or engine.list_snapshot_names(default):
            return []
    except OSError:
        return []
    return [directory for directory, _ in servers_here()]

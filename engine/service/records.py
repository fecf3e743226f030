"""What the snapshot service reports: a save's outcome, a roll-back's, and its status record."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["RollbackResult", "SaveResult", "ServiceStatus", "SkippedSnapshot"]


@dataclass(frozen=True)
class SaveResult:
    """The outcome of one save attempt."""

    at: str
    ok: bool
    path: Path | None = None
    checksum: str | None = None
    skipped_unchanged: bool = False
    error: str | None = None
    duration_s: float = 0.0
    reason: str = "manual"


@dataclass(frozen=True)
class SkippedSnapshot:
    """A file passed over at restore, and why."""

    name: str
    status: str
    reason: str


@dataclass(frozen=True)
class RollbackResult:
    """A live roll-back (or its undo): the state before saved first (`undo_point`), then what
    was restored (`restored`: a file name, or the state before the last roll-back), saved as
    `after`."""

    restored: str
    undo_point: Path
    after: Path


@dataclass(frozen=True)
class ServiceStatus:
    """What a dashboard shows about a running service."""

    pid: int
    mode: str
    directory: Path
    enabled: bool
    interval_s: float
    max_snapshots: int
    running: bool
    last_save: SaveResult | None
    restored_from: str | None
    skipped: tuple[SkippedSnapshot, ...]
    can_undo: bool
    counts: dict[str, int] = field(default_factory=dict)
    last_rollback: RollbackResult | None = None
    """The roll-back `undo` would undo (None: nothing to undo)."""
    kept: tuple[str, ...] = ()
    """Files rotation keeps whatever their age: those of the last roll-back (and, for
    `rollback_grace_s` after it, every file listed then), and held ones."""
    rollback_grace_s: float = 0.0

"""What the snapshot service raises when it will not, or could not fully, do what was asked."""

from __future__ import annotations

__all__ = [
    "NothingToUndoError",
    "RollbackNotSavedError",
    "ServiceClosedError",
    "SnapshotsDisabledError",
]


class RollbackNotSavedError(RuntimeError):
    """The roll-back took place in memory, but saving the restored state failed."""

    def __init__(self, label: str, cause: OSError) -> None:
        super().__init__(
            f"rolled back to {label} in memory, but saving that state failed "
            f"({cause.strerror or cause}); the next save writes it"
        )


class NothingToUndoError(ValueError):
    """There is no roll-back to undo: none since the service started, or it was undone."""


class ServiceClosedError(RuntimeError):
    """The service wrote its final snapshot: nothing may be written after it."""


class SnapshotsDisabledError(RuntimeError):
    """Snapshots are off: the storage keeps its state elsewhere (Redis mode)."""

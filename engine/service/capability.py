"""SnapshotCapable: what a storage must offer for the service to keep its state in files."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from statesnap.engine.storage.protocol import Storage

__all__ = ["SnapshotCapable", "snapshot_capable"]


@runtime_checkable
class SnapshotCapable(Protocol):
    """What the service needs of a storage: a lock, the live data object, and a way to refill it."""

    lock: Any

    def snapshot_data(self) -> dict[str, Any]: ...

    def load_data(self, data: dict[str, Any]) -> None: ...


def snapshot_capable(storage: Storage) -> SnapshotCapable | None:
    """The storage, if the service can keep its state in files (it keeps it in process)."""
    return storage if isinstance(storage, SnapshotCapable) else None

"""Snapshot files damaged on purpose: written by the engine, then tampered with, so that their
JSON still parses but the verdict is not `valid`."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from statesnap.engine import SnapshotStatus

__all__ = ["DAMAGES", "damage", "rewrite"]

Change = Callable[[dict[str, Any]], object]

DAMAGES: dict[str, tuple[SnapshotStatus, Change]] = {
    "checksum changed": (
        SnapshotStatus.CHECKSUM_MISMATCH,
        lambda doc: doc.update(checksum="0" * 32),
    ),
    "version 2": (SnapshotStatus.UNSUPPORTED_VERSION, lambda doc: doc.update(version=2)),
    "checksum dropped": (SnapshotStatus.CORRUPT, lambda doc: doc.pop("checksum")),
}
"""Ways to damage a file, by name: the verdict it then gets, and the change to its JSON."""


def rewrite(path: Path, change: Change) -> None:
    """Rewrite the snapshot file at `path` with `change` made to its top-level object."""
    doc = json.loads(gzip.decompress(path.read_bytes()))
    change(doc)
    path.write_bytes(gzip.compress(json.dumps(doc).encode()))


def damage(path: Path, how: str) -> SnapshotStatus:
    """Rewrite the snapshot file at `path` damaged as `DAMAGES[how]` says; return its verdict."""
    status, change = DAMAGES[how]
    rewrite(path, change)
    return status

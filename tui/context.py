"""What every screen of one dashboard shares: the directory, its catalog, the clock, the server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from engine import SnapshotCatalog
from tui.attachment import Attachment

__all__ = ["DashboardContext"]

ROLLBACK_KEEP = 3
"""Files an offline roll-back keeps (the server's default `max_snapshots`)."""


@dataclass
class DashboardContext:
    directory: Path
    catalog: SnapshotCatalog
    clock: Callable[[], datetime]
    attachment: Attachment | None = None

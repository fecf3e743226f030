"""What every screen of one dashboard shares: the directory, its catalog, the clock, the server."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from engine import CatalogEntry, ServiceStatus, SnapshotCatalog, SnapshotRead
from tui.attachment import Attachment

__all__ = ["DashboardContext"]


@dataclass
class DashboardContext:
    directory: Path
    catalog: SnapshotCatalog
    clock: Callable[[], datetime]
    attachment: Attachment | None = None
    server_status: ServiceStatus | None = None
    """What the attached server last said about itself (None: not known yet, or no server)."""

    def load(self, entry: CatalogEntry) -> SnapshotRead:
        """The file with its data, for browsing or a diff (blocking: call it from a worker).

        A 120 MB snapshot parses into millions of objects, none of them in a reference cycle.
        Left to the cyclic garbage collector, its next full pass walks all of them, and that
        pass lands on whatever the UI allocates next (half a second when a map of 100,000
        entries opens). `gc.freeze()` exempts them, and every object made before, from the
        collector; reference counting still frees the data when the catalog drops it.
        """
        found = self.catalog.load(entry)
        gc.freeze()
        return found

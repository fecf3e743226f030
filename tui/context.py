"""What every screen of one dashboard shares: the directory, its catalog, the clock, the server."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from statesnap.engine import CatalogEntry, ServiceStatus, SnapshotCatalog, SnapshotRead
from statesnap.tui.attachment import Attachment

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
        """The file with its data, for browsing or a diff (blocking: call it from a worker);
        call `release()` when the screen that shows it is left.

        A 120 MB snapshot parses into millions of objects, none of them in a reference cycle.
        Left to the cyclic garbage collector, every full pass would walk all of them, and land
        on whatever the UI allocates next (seconds of stall while browsing). `gc.freeze()`
        exempts them, and every object made before, from the collector until `release()`;
        reference counting still frees the data as soon as the screen lets go of it.
        """
        found = self.catalog.load(entry)
        gc.freeze()
        return found

    def release(self) -> None:
        """The screen showing loaded data was left: what `load` froze goes back to the
        collector, so that the cyclic garbage made meanwhile (the screen itself, finished
        workers) is collected again."""
        gc.unfreeze()

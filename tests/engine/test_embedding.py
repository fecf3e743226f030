"""The README's embedding recipe, as a host would run it: restore at start, the control channel
found by `statesnap`, a final snapshot on the way out, and the next start restores it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from statesnap.engine import (
    ControlClient,
    ControlServer,
    MemoryStorage,
    SnapshotService,
    find_server,
    list_snapshot_names,
)

pytestmark = pytest.mark.usefixtures("runtime")


@asynccontextmanager
async def lifespan(storage: MemoryStorage, directory: Path) -> AsyncIterator[SnapshotService]:
    async with (
        SnapshotService(storage, directory, interval_s=300) as service,
        ControlServer(service),
    ):
        yield service


async def test_the_readme_recipe_keeps_state_across_restarts(tmp_path: Path) -> None:
    directory = tmp_path / ".actionflows-snapshot"
    first = MemoryStorage()
    async with lifespan(first, directory):
        first.set_session({"id": "s1", "status": "running"})
        info = find_server(directory)
        assert info is not None and info.mode == "memory"
        # what `statesnap snapshot` does, from another thread (the server runs on this loop)
        name = await asyncio.to_thread(ControlClient(info).snapshot)
        assert name in list_snapshot_names(directory)
        first.get_session("s1")["status"] = "completed"  # changed in place, as hosts do
    assert find_server(directory) is None
    second = MemoryStorage()
    async with lifespan(second, directory) as service:
        assert service.restored_from == list_snapshot_names(directory)[0]
        assert second.get_session("s1") == {"id": "s1", "status": "completed"}

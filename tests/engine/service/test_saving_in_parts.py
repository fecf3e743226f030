"""A save prints the state part by part while other threads encode it: whatever the cut, the
file is one the original loads, holding exactly the bytes JavaScript prints for the state."""

from __future__ import annotations

import asyncio
import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest
from statesnap.engine import MemoryStorage, SnapshotService, generate_state, js_dumps, read_snapshot
from statesnap.engine.format import data_parts

from tests.support.node_bridge import js_verify

STATES: dict[str, dict[str, Any]] = {
    "generated": generate_state(300_000, seed=5),
    "a float ends a batch": {"sessions": [{"id": "a", "n": 1}, {"id": "b", "n": 2.0}], "x": [1.0]},
    "an index key in a batch": {"chains": {"a": {"k": 1}, "b": {"7": 1, "k": 2}}},
    "exponents": {"events": {"s": [{"v": 1e16}, {"v": 2e-6}, {"v": 1.5e-7}]}},
}


@pytest.fixture(params=["one entry a part", "as shipped"])
def cutting(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.param == "one entry a part":
        monkeypatch.setattr(data_parts, "_PART_BYTES", 1)
        monkeypatch.setattr(data_parts, "_FIRST_BATCH", 1)
        monkeypatch.setattr(data_parts, "_SMALL_ENTRY_BYTES", 0)


@pytest.mark.parametrize("name", STATES)
def test_the_file_saved_in_parts_loads_in_the_original(
    name: str, cutting: None, tmp_path: Path
) -> None:
    storage = MemoryStorage()
    storage.load_data(STATES[name])
    expected = js_dumps(storage.snapshot_data())
    service = SnapshotService(storage, tmp_path / "snaps")
    try:
        paths = [service.save_snapshot(), asyncio.run(service.save_snapshot_async())]
    finally:
        service.close()
    assert js_verify(*paths) == [True, True]
    for path in paths:
        found = read_snapshot(path)
        assert found.is_valid, found.summary
        assert js_dumps(found.data) == expected
        document = gzip.decompress(path.read_bytes())
        assert document.endswith(b'"data":' + expected + b"}")
        assert orjson.loads(document)["checksum"] == found.expected_checksum

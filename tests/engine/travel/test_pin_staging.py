"""Staging folders a crashed pin left in `.statesnap-pins` are swept once they are stale (a
younger one may be another process's, under way), by the next pin or unpin."""

from __future__ import annotations

import os
import time
from pathlib import Path

from statesnap.engine import PINS_DIR, js_dumps, list_pins, pin, unpin, write_snapshot_file
from statesnap.engine.directory.files import TEMP_PREFIX


def test_stale_staging_folders_go_and_fresh_ones_stay(tmp_path: Path) -> None:
    path, _ = write_snapshot_file(tmp_path, js_dumps({"sessions": []}))
    pins = tmp_path / PINS_DIR
    stale, fresh = pins / f"{TEMP_PREFIX}1-dead", pins / f"{TEMP_PREFIX}2-busy"
    for folder in (stale, fresh):
        folder.mkdir(parents=True)
        (folder / "half-written").write_bytes(b"x")
    old = time.time() - 120
    os.utime(stale, (old, old))
    assert list_pins(tmp_path) == []  # listing never shows them, nor sweeps

    pin(tmp_path, path.name, "one")
    assert not stale.exists() and fresh.exists()

    os.utime(fresh, (old, old))
    unpin(tmp_path, "one")
    assert sorted(os.listdir(pins)) == []

"""Snapshot directories made of given states, a minute apart, written by the engine itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from statesnap.engine import js_dumps, write_snapshot_file

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
"""When the first state of `write_states` was taken."""


def write_states(directory: Path, states: list[dict[str, Any]]) -> list[Path]:
    """One snapshot file per state, oldest first, taken a minute apart from START."""
    directory.mkdir(mode=0o700, exist_ok=True)
    return [
        write_snapshot_file(directory, js_dumps(state), START + timedelta(minutes=index))[0]
        for index, state in enumerate(states)
    ]

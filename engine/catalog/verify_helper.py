"""The helper process that judges one large snapshot file for the catalog, and its output.

Run as `python -m statesnap.engine.catalog.verify_helper PATH MAX_BYTES`: it prints the
verdict of `read_snapshot(PATH, keep_data=False)` as one JSON object on stdout, which
`verdict_from_json` turns back into a SnapshotRead. A parse holds the GIL for a second at a
time on a large file; done here, it holds this process's, and its memory goes back to the
system when the process ends.
"""

from __future__ import annotations

import sys
from pathlib import Path

from statesnap.engine.format.js_reader import js_loads
from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.format.snapshot_reading import SnapshotRead, SnapshotStatus, read_snapshot

__all__ = ["HELPER_MODULE", "helper_command", "main", "verdict_from_json", "verdict_json"]

HELPER_MODULE = "statesnap.engine.catalog.verify_helper"
"""This module, as `python -m` runs it."""


def helper_command(path: Path, max_bytes: int) -> list[str]:
    """The command line that runs the helper on `path` with this interpreter."""
    return [sys.executable, "-m", HELPER_MODULE, str(path), str(max_bytes)]


def verdict_json(found: SnapshotRead) -> bytes:
    """A verdict (without data) as the helper prints it."""
    return js_dumps(
        {
            "status": found.status.value,
            "reason": found.reason,
            "size": found.size,
            "json_bytes": found.json_bytes,
            "timestamp": found.timestamp,
            "version": found.version,
            "expected_checksum": found.expected_checksum,
            "actual_checksum": found.actual_checksum,
            "counts": list(found.counts.items()),
        }
    )


def verdict_from_json(path: Path, raw: bytes) -> SnapshotRead:
    """The verdict the helper printed for `path`; ValueError, KeyError or TypeError if the
    output is not one."""
    fields = js_loads(raw)
    return SnapshotRead(
        path,
        SnapshotStatus(fields["status"]),
        fields["reason"],
        size=fields["size"],
        json_bytes=fields["json_bytes"],
        timestamp=fields["timestamp"],
        version=fields["version"],
        expected_checksum=fields["expected_checksum"],
        actual_checksum=fields["actual_checksum"],
        counts=dict(fields["counts"]),
    )


def main(argv: list[str]) -> None:
    """The helper process: `argv` is PATH MAX_BYTES; stdout gets the verdict as JSON."""
    path, max_bytes = Path(argv[0]), int(argv[1])
    found = read_snapshot(path, max_bytes=max_bytes, keep_data=False)
    sys.stdout.buffer.write(verdict_json(found))


if __name__ == "__main__":
    main(sys.argv[1:])

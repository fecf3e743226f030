"""A verdict (without data) as JSON bytes and back: what the helper process prints and what
the verdict store keeps."""

from __future__ import annotations

from pathlib import Path

from statesnap.engine.format.js_reader import js_loads
from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.format.snapshot_reading import SnapshotRead, SnapshotStatus

__all__ = ["verdict_from_json", "verdict_json"]


def verdict_json(found: SnapshotRead) -> bytes:
    """A verdict (without data) as one JSON object, on one line."""
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
    """The verdict `verdict_json` wrote, for `path`; ValueError, KeyError or TypeError if the
    bytes are not one."""
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

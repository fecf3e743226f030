"""The ActionFlows snapshot file format, version 1: one import for its names, encoding and verdict.

A file is `gzip(JSON {"version":1,"timestamp":…,"checksum":…,"data":{…}})`, where checksum is
the MD5 of `JSON.stringify(data)`. The work is done in `snapshot_names` (file names),
`snapshot_encoding` (writing a file), `snapshot_reading` (the verdict on any file) and
`schema` (the maps of `data`).
"""

from __future__ import annotations

from statesnap.engine.format.snapshot_encoding import (
    FORMAT_VERSION,
    GZIP_LEVEL,
    EncodedSnapshot,
    data_checksum,
    encode_snapshot,
)
from statesnap.engine.format.snapshot_names import (
    is_snapshot_name,
    next_moment,
    snapshot_name,
    timestamp_from_name,
)
from statesnap.engine.format.snapshot_reading import (
    DEFAULT_MAX_BYTES,
    SnapshotRead,
    SnapshotStatus,
    format_size,
    read_snapshot,
    read_snapshot_bytes,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMAT_VERSION",
    "GZIP_LEVEL",
    "EncodedSnapshot",
    "SnapshotRead",
    "SnapshotStatus",
    "data_checksum",
    "encode_snapshot",
    "format_size",
    "is_snapshot_name",
    "next_moment",
    "read_snapshot",
    "read_snapshot_bytes",
    "snapshot_name",
    "timestamp_from_name",
]

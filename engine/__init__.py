"""statesnap's engine: the dev state, its snapshot files, and the services around them.

A library any Python program can embed (sync or asyncio); it never imports the UI.
"""

from engine.diff import ChangeKind, EntryChange, MapDiff, SnapshotDiff, diff_data
from engine.jsjson import MAX_DEPTH, JSONInputError, js_dumps, js_loads, js_number_text
from engine.map_entries import entry_key, map_entries
from engine.memory_storage import MemoryStorage, SnapshotRejectedError
from engine.redis_storage import RedisStorage
from engine.resilient_storage import BreakerState, ResilientStorage
from engine.snapshot_dir import (
    DEFAULT_SNAPSHOT_DIR,
    SnapshotDirError,
    default_snapshot_dir,
    ensure_snapshot_dir,
    list_snapshot_names,
    promote_snapshot,
    resolve_listed_name,
    rotate_snapshots,
    sweep_temp_files,
    write_snapshot_file,
)
from engine.snapshot_format import (
    DATA_KEYS,
    DEFAULT_MAX_BYTES,
    FORMAT_VERSION,
    EncodedSnapshot,
    SnapshotRead,
    SnapshotStatus,
    encode_snapshot,
    format_timestamp,
    is_snapshot_name,
    map_counts,
    read_snapshot,
    read_snapshot_bytes,
    snapshot_name,
    timestamp_from_name,
)
from engine.snapshot_service import (
    RollbackResult,
    SaveResult,
    ServiceStatus,
    SkippedSnapshot,
    SnapshotCapable,
    SnapshotsDisabledError,
    SnapshotService,
)
from engine.storage import Storage, create_storage

__all__ = [
    "DATA_KEYS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_SNAPSHOT_DIR",
    "FORMAT_VERSION",
    "MAX_DEPTH",
    "BreakerState",
    "ChangeKind",
    "EncodedSnapshot",
    "EntryChange",
    "JSONInputError",
    "MapDiff",
    "MemoryStorage",
    "RedisStorage",
    "ResilientStorage",
    "RollbackResult",
    "SaveResult",
    "ServiceStatus",
    "SkippedSnapshot",
    "SnapshotCapable",
    "SnapshotDiff",
    "SnapshotDirError",
    "SnapshotRead",
    "SnapshotRejectedError",
    "SnapshotService",
    "SnapshotStatus",
    "SnapshotsDisabledError",
    "Storage",
    "create_storage",
    "default_snapshot_dir",
    "diff_data",
    "encode_snapshot",
    "ensure_snapshot_dir",
    "entry_key",
    "format_timestamp",
    "is_snapshot_name",
    "js_dumps",
    "js_loads",
    "js_number_text",
    "list_snapshot_names",
    "map_counts",
    "map_entries",
    "promote_snapshot",
    "read_snapshot",
    "read_snapshot_bytes",
    "resolve_listed_name",
    "rotate_snapshots",
    "snapshot_name",
    "sweep_temp_files",
    "timestamp_from_name",
    "write_snapshot_file",
]

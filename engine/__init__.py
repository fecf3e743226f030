"""statesnap's engine: the dev state, its snapshot files, and the services around them.

A library any Python program can embed (sync or asyncio); it never imports the UI.
"""

import importlib
from typing import TYPE_CHECKING, Any

from engine.catalog import (
    CatalogChange,
    CatalogChangeKind,
    CatalogClosedError,
    CatalogEntry,
    CatalogUpdate,
    DirectoryState,
    SnapshotCatalog,
)
from engine.control_client import ControlClient, ControlError, EntryPage, LiveEntry, MapSummary
from engine.control_server import ControlServer
from engine.demo_directory import ForeignSnapshotsError, check_demo_directory
from engine.diff import ChangeKind, EntryChange, MapDiff, SnapshotDiff, diff_data
from engine.directory_lock import DirectoryInUseError, check_directory_free
from engine.discovery import (
    RuntimeDirError,
    ServerGone,
    ServerInfo,
    find_server,
    list_servers,
    runtime_dir,
    why_server_gone,
)
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
    rotation_victims,
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
    format_size,
    format_timestamp,
    is_snapshot_name,
    map_counts,
    read_snapshot,
    read_snapshot_bytes,
    snapshot_name,
    timestamp_from_name,
)
from engine.snapshot_service import (
    NothingToUndoError,
    RollbackNotSavedError,
    RollbackResult,
    SaveResult,
    ServiceClosedError,
    ServiceStatus,
    SkippedSnapshot,
    SnapshotCapable,
    SnapshotsDisabledError,
    SnapshotService,
)
from engine.snapshot_time import (
    SnapshotTime,
    TimeSource,
    newest_first,
    parse_timestamp,
    snapshot_time,
)
from engine.storage import Storage, StorageConfigError, check_storage_config, create_storage
from engine.workload import Workload, generate_state

if TYPE_CHECKING:
    from engine.demo_server import DemoOutcome, run_demo_server

_LAZY = {"DemoOutcome", "run_demo_server"}
"""Loaded on first use, so that `python -m engine.demo_server` does not import itself twice."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module("engine.demo_server"), name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")


__all__ = [
    "DATA_KEYS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_SNAPSHOT_DIR",
    "FORMAT_VERSION",
    "MAX_DEPTH",
    "BreakerState",
    "CatalogChange",
    "CatalogChangeKind",
    "CatalogClosedError",
    "CatalogEntry",
    "CatalogUpdate",
    "ChangeKind",
    "ControlClient",
    "ControlError",
    "ControlServer",
    "DemoOutcome",
    "DirectoryInUseError",
    "DirectoryState",
    "EncodedSnapshot",
    "EntryChange",
    "EntryPage",
    "ForeignSnapshotsError",
    "JSONInputError",
    "LiveEntry",
    "MapDiff",
    "MapSummary",
    "MemoryStorage",
    "NothingToUndoError",
    "RedisStorage",
    "ResilientStorage",
    "RollbackNotSavedError",
    "RollbackResult",
    "RuntimeDirError",
    "SaveResult",
    "ServerGone",
    "ServerInfo",
    "ServiceClosedError",
    "ServiceStatus",
    "SkippedSnapshot",
    "SnapshotCapable",
    "SnapshotCatalog",
    "SnapshotDiff",
    "SnapshotDirError",
    "SnapshotRead",
    "SnapshotRejectedError",
    "SnapshotService",
    "SnapshotStatus",
    "SnapshotTime",
    "SnapshotsDisabledError",
    "Storage",
    "StorageConfigError",
    "TimeSource",
    "Workload",
    "check_demo_directory",
    "check_directory_free",
    "check_storage_config",
    "create_storage",
    "default_snapshot_dir",
    "diff_data",
    "encode_snapshot",
    "ensure_snapshot_dir",
    "entry_key",
    "find_server",
    "format_size",
    "format_timestamp",
    "generate_state",
    "is_snapshot_name",
    "js_dumps",
    "js_loads",
    "js_number_text",
    "list_servers",
    "list_snapshot_names",
    "map_counts",
    "map_entries",
    "newest_first",
    "parse_timestamp",
    "promote_snapshot",
    "read_snapshot",
    "read_snapshot_bytes",
    "resolve_listed_name",
    "rotation_victims",
    "run_demo_server",
    "runtime_dir",
    "snapshot_name",
    "snapshot_time",
    "sweep_temp_files",
    "timestamp_from_name",
    "why_server_gone",
    "write_snapshot_file",
]

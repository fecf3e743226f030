"""statesnap's engine: the dev state, its snapshot files, and the services around them.

A library any Python program can embed (sync or asyncio); it never imports the UI.

Every public name loads on first use (`_LAZY`): importing `statesnap.engine` or one of its
modules loads no other, so a program (or a `statesnap` verb) pays only for what it uses.
"""

import importlib
from typing import TYPE_CHECKING, Any

from statesnap.engine.public_names import EXPORTS

if TYPE_CHECKING:
    from statesnap.engine.catalog.catalog import SnapshotCatalog
    from statesnap.engine.catalog.records import (
        CatalogChange,
        CatalogChangeKind,
        CatalogClosedError,
        CatalogEntry,
        CatalogUpdate,
        DirectoryState,
    )
    from statesnap.engine.control.client import ControlClient, ControlError, NoSuchEntryError
    from statesnap.engine.control.discovery import (
        RuntimeDirError,
        ServerGone,
        ServerInfo,
        find_server,
        list_servers,
        runtime_dir,
        why_server_gone,
    )
    from statesnap.engine.control.records import EntryPage, LiveEntry, MapSummary
    from statesnap.engine.control.server import ControlServer
    from statesnap.engine.demo.directory import ForeignSnapshotsError, check_demo_directory
    from statesnap.engine.demo.server import DemoOutcome, run_demo_server
    from statesnap.engine.demo.states import generate_state
    from statesnap.engine.demo.workload import Workload
    from statesnap.engine.directory.files import (
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
    from statesnap.engine.directory.lock import DirectoryInUseError, check_directory_free
    from statesnap.engine.format.diff import (
        ChangeKind,
        EntryChange,
        MapDiff,
        SnapshotDiff,
        diff_data,
    )
    from statesnap.engine.format.js_reader import js_loads
    from statesnap.engine.format.js_writer import js_dumps, js_number_text
    from statesnap.engine.format.jsjson_limits import MAX_DEPTH, JSONInputError
    from statesnap.engine.format.map_entries import entry_key, map_entries
    from statesnap.engine.format.process_tuning import tune_process_for_large_snapshots
    from statesnap.engine.format.schema import (
        DATA_KEYS,
        ImportShapeError,
        MapShape,
        check_import_shape,
        entry_count,
        map_counts,
    )
    from statesnap.engine.format.snapshot_encoding import (
        FORMAT_VERSION,
        EncodedSnapshot,
        encode_snapshot,
    )
    from statesnap.engine.format.snapshot_names import (
        is_snapshot_name,
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
    from statesnap.engine.format.snapshot_time import (
        SnapshotTime,
        TimeSource,
        newest_first,
        parse_timestamp,
        snapshot_time,
    )
    from statesnap.engine.format.timestamps import format_timestamp
    from statesnap.engine.service.capability import SnapshotCapable
    from statesnap.engine.service.errors import (
        NothingToUndoError,
        RollbackNotSavedError,
        ServiceClosedError,
        SnapshotsDisabledError,
    )
    from statesnap.engine.service.records import (
        RollbackResult,
        SaveResult,
        ServiceStatus,
        SkippedSnapshot,
    )
    from statesnap.engine.service.snapshot_service import SnapshotService
    from statesnap.engine.storage.create import (
        StorageConfigError,
        check_storage_config,
        create_storage,
    )
    from statesnap.engine.storage.memory import MemoryStorage
    from statesnap.engine.storage.memory_snapshot import SnapshotRejectedError
    from statesnap.engine.storage.protocol import Storage
    from statesnap.engine.storage.redis import RedisStorage
    from statesnap.engine.storage.resilient import BreakerState, ResilientStorage
    from statesnap.engine.travel.history import (
        MISSING,
        EntryHistory,
        HistoryRow,
        HistorySource,
        HistoryStep,
        VersionDiff,
        VersionKind,
        diff_versions,
        entry_history,
    )
    from statesnap.engine.travel.live_diff import LiveDiffProgress, LivePages, diff_live, live_label
    from statesnap.engine.travel.pins import (
        PIN_NAME_RULE,
        PINS_DIR,
        PinError,
        PinInfo,
        checked_pin_name,
        list_pins,
        pin,
        pin_label,
        pin_path,
        promote_pin,
        unpin,
    )
    from statesnap.engine.travel.search import (
        FileMatches,
        SearchError,
        SearchMatch,
        SearchResult,
        SearchStep,
        SnapshotSearch,
        search_snapshots,
    )

_LAZY = {name: f"statesnap.engine.{module}" for module, names in EXPORTS.items() for name in names}
"""Each loaded on first use, with its module: so redis-py loads only for a program that uses
Redis mode, `python -m statesnap.engine.demo.server` does not import itself twice, and
`statesnap list` loads none of the server, the control wire, the catalog or time travel.
A new public name goes in three places: `public_names.EXPORTS`, the `TYPE_CHECKING` imports
above (for type checkers) and `__all__`; tests/engine/test_lazy_exports.py checks they agree."""


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'statesnap.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "DATA_KEYS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_SNAPSHOT_DIR",
    "FORMAT_VERSION",
    "MAX_DEPTH",
    "MISSING",
    "PINS_DIR",
    "PIN_NAME_RULE",
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
    "EntryHistory",
    "EntryPage",
    "FileMatches",
    "ForeignSnapshotsError",
    "HistoryRow",
    "HistorySource",
    "HistoryStep",
    "ImportShapeError",
    "JSONInputError",
    "LiveDiffProgress",
    "LiveEntry",
    "LivePages",
    "MapDiff",
    "MapShape",
    "MapSummary",
    "MemoryStorage",
    "NoSuchEntryError",
    "NothingToUndoError",
    "PinError",
    "PinInfo",
    "RedisStorage",
    "ResilientStorage",
    "RollbackNotSavedError",
    "RollbackResult",
    "RuntimeDirError",
    "SaveResult",
    "SearchError",
    "SearchMatch",
    "SearchResult",
    "SearchStep",
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
    "SnapshotSearch",
    "SnapshotService",
    "SnapshotStatus",
    "SnapshotTime",
    "SnapshotsDisabledError",
    "Storage",
    "StorageConfigError",
    "TimeSource",
    "VersionDiff",
    "VersionKind",
    "Workload",
    "check_demo_directory",
    "check_directory_free",
    "check_import_shape",
    "check_storage_config",
    "checked_pin_name",
    "create_storage",
    "default_snapshot_dir",
    "diff_data",
    "diff_live",
    "diff_versions",
    "encode_snapshot",
    "ensure_snapshot_dir",
    "entry_count",
    "entry_history",
    "entry_key",
    "find_server",
    "format_size",
    "format_timestamp",
    "generate_state",
    "is_snapshot_name",
    "js_dumps",
    "js_loads",
    "js_number_text",
    "list_pins",
    "list_servers",
    "list_snapshot_names",
    "live_label",
    "map_counts",
    "map_entries",
    "newest_first",
    "parse_timestamp",
    "pin",
    "pin_label",
    "pin_path",
    "promote_pin",
    "promote_snapshot",
    "read_snapshot",
    "read_snapshot_bytes",
    "resolve_listed_name",
    "rotation_victims",
    "run_demo_server",
    "runtime_dir",
    "search_snapshots",
    "snapshot_name",
    "snapshot_time",
    "sweep_temp_files",
    "timestamp_from_name",
    "tune_process_for_large_snapshots",
    "unpin",
    "why_server_gone",
    "write_snapshot_file",
]

"""The control channel's results, operation by operation: what each reply's `result` holds,
encoded by the server and decoded by the client (the envelope and requests are in `wire`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from statesnap.engine.control.records import EntryPage, LiveEntry, MapSummary
from statesnap.engine.control.wire import PROTOCOL_VERSION, ReplyError
from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.service.records import (
    RollbackResult,
    SaveResult,
    ServiceStatus,
    SkippedSnapshot,
)

__all__ = [
    "decode_entries",
    "decode_entry",
    "decode_held",
    "decode_maps",
    "decode_rollback",
    "decode_saved",
    "decode_status",
    "encode_entries",
    "encode_entry",
    "encode_held",
    "encode_maps",
    "encode_rollback",
    "encode_saved",
    "encode_status",
]


def _field(obj: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = obj.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ReplyError(f"the server sent a malformed reply ({key!r} missing or mistyped)")
    return value


def _optional(obj: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    return None if obj.get(key) is None else _field(obj, key, kind)


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ReplyError("the server sent a malformed reply (a count is not an integer)")
    return value


# -- results, operation by operation --------------------------------------------------------


def _save_fields(result: SaveResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "at": result.at,
        "ok": result.ok,
        "file": result.path.name if result.path is not None else None,
        "checksum": result.checksum,
        "skipped_unchanged": result.skipped_unchanged,
        "error": result.error,
        "duration_s": result.duration_s,
        "reason": result.reason,
    }


def _save_result(raw: Any, directory: Path) -> SaveResult | None:
    if not isinstance(raw, dict):
        return None
    file_name = _optional(raw, "file", str)
    return SaveResult(
        at=_field(raw, "at", str),
        ok=_field(raw, "ok", bool),
        path=directory / file_name if file_name else None,
        checksum=_optional(raw, "checksum", str),
        skipped_unchanged=bool(raw.get("skipped_unchanged")),
        error=_optional(raw, "error", str),
        duration_s=float(_field(raw, "duration_s", (int, float))),
        reason=_field(raw, "reason", str),
    )


def _rollback_fields(result: RollbackResult) -> dict[str, str]:
    return {
        "restored": result.restored,
        "undo_point": result.undo_point.name,
        "after": result.after.name,
    }


def encode_status(status: ServiceStatus, *, socket: Path | None, started_at: str | None) -> bytes:
    """A `status` result: the service's status, and where and since when it is served."""
    return js_dumps(
        {
            "protocol": PROTOCOL_VERSION,
            "pid": status.pid,
            "mode": status.mode,
            "directory": str(status.directory),
            "enabled": status.enabled,
            "interval_s": status.interval_s,
            "max_snapshots": status.max_snapshots,
            "running": status.running,
            "last_save": _save_fields(status.last_save),
            "restored_from": status.restored_from,
            "skipped": [
                {"name": item.name, "status": item.status, "reason": item.reason}
                for item in status.skipped
            ],
            "can_undo": status.can_undo,
            "last_rollback": (
                _rollback_fields(status.last_rollback) if status.last_rollback else None
            ),
            "kept": list(status.kept),
            "rollback_grace_s": status.rollback_grace_s,
            "counts": status.counts,
            "socket": str(socket) if socket else None,
            "started_at": started_at,
        }
    )


def decode_status(result: dict[str, Any], directory: Path) -> ServiceStatus:
    """The status a `status` result holds; its files are named in `directory`."""
    counts = _field(result, "counts", dict)
    skipped = _field(result, "skipped", list)
    return ServiceStatus(
        pid=_field(result, "pid", int),
        mode=_field(result, "mode", str),
        directory=Path(_field(result, "directory", str)),
        enabled=_field(result, "enabled", bool),
        interval_s=float(_field(result, "interval_s", (int, float))),
        max_snapshots=_field(result, "max_snapshots", int),
        running=_field(result, "running", bool),
        last_save=_save_result(result.get("last_save"), directory),
        restored_from=_optional(result, "restored_from", str),
        skipped=tuple(
            SkippedSnapshot(
                _field(item, "name", str), _field(item, "status", str), _field(item, "reason", str)
            )
            for item in skipped
            if isinstance(item, dict)
        ),
        can_undo=_field(result, "can_undo", bool),
        counts={str(key): _count(value) for key, value in counts.items()},
        last_rollback=(
            decode_rollback(result["last_rollback"], directory)
            if isinstance(result.get("last_rollback"), dict)
            else None
        ),
        kept=tuple(name for name in result.get("kept") or () if isinstance(name, str)),
        rollback_grace_s=float(_optional(result, "rollback_grace_s", (int, float)) or 0.0),
    )


def encode_saved(name: str) -> bytes:
    """A `snapshot` result: the new file's name."""
    return js_dumps({"file": name})


def decode_saved(result: dict[str, Any]) -> str:
    return str(_field(result, "file", str))


def encode_rollback(result: RollbackResult) -> bytes:
    """A `rollback` or `undo` result."""
    return js_dumps(_rollback_fields(result))


def decode_rollback(result: dict[str, Any], directory: Path) -> RollbackResult:
    """The roll-back a `rollback` or `undo` result describes; its files are in `directory`."""
    return RollbackResult(
        restored=_field(result, "restored", str),
        undo_point=directory / _field(result, "undo_point", str),
        after=directory / _field(result, "after", str),
    )


def encode_held(name: str, seconds: int) -> bytes:
    """A `hold` result: the file held, and for how long (as capped)."""
    return js_dumps({"file": name, "seconds": seconds})


def decode_held(result: dict[str, Any]) -> tuple[str, int]:
    return _field(result, "file", str), _field(result, "seconds", int)


def encode_maps(mode: str, maps: Iterable[MapSummary]) -> bytes:
    """A `maps` result: the storage mode and the live state's maps."""
    listed = [{"name": item.name, "kind": item.kind, "count": item.count} for item in maps]
    return js_dumps({"mode": mode, "maps": listed})


def decode_maps(result: dict[str, Any]) -> list[MapSummary]:
    return [
        MapSummary(_field(item, "name", str), _field(item, "kind", str), _field(item, "count", int))
        for item in _field(result, "maps", list)
        if isinstance(item, dict)
    ]


def encode_entries(page: EntryPage) -> bytes:
    """An `entries` result: one page of a map's entries."""
    return js_dumps(
        {
            "map": page.map,
            "offset": page.offset,
            "limit": page.limit,
            "total": page.total,
            "items": [[key, value] for key, value in page.items],
        }
    )


def decode_entries(result: dict[str, Any]) -> EntryPage:
    items = []
    for item in _field(result, "items", list):
        if not isinstance(item, list) or len(item) != 2 or not isinstance(item[0], str):
            raise ReplyError("the server sent a malformed entry")
        items.append((item[0], item[1]))
    return EntryPage(
        map=_field(result, "map", str),
        offset=_field(result, "offset", int),
        limit=_field(result, "limit", int),
        total=_field(result, "total", int),
        items=tuple(items),
    )


def encode_entry(entry: LiveEntry) -> bytes:
    """An `entry` result: one entry in full."""
    return js_dumps({"map": entry.map, "key": entry.key, "value": entry.value})


def decode_entry(result: dict[str, Any]) -> LiveEntry:
    if "value" not in result:
        raise ReplyError("the server sent a malformed reply ('value' missing)")
    return LiveEntry(_field(result, "map", str), _field(result, "key", str), result["value"])

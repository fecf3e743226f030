"""Snapshots in and out of `MemoryStorage`: checking a snapshot, filling the maps from its data.

Restore accepts only a version 1 snapshot whose checksum is the MD5 of its data's JSON; the
data then fills the maps defensively: a value of the wrong type is skipped with a logged
warning, never fatal, and maps the format does not name are kept verbatim, in place.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.format.jsjson_limits import JSONInputError
from statesnap.engine.format.schema import MapShape, map_shape
from statesnap.engine.format.snapshot_encoding import data_checksum
from statesnap.engine.storage.memory_maps import MemoryMaps

__all__ = ["SnapshotRejectedError", "data_of", "loaded_maps"]

log = logging.getLogger(__name__)


class SnapshotRejectedError(ValueError):
    """A snapshot that must not be restored: version other than 1, bad checksum, bad shape."""


def data_of(snapshot: Any) -> dict[str, Any]:
    """The `data` of a snapshot that may be restored; SnapshotRejectedError if the version is
    not 1, `data` is not an object, or the checksum is not the MD5 of `data`'s JSON."""
    if not isinstance(snapshot, dict):
        raise SnapshotRejectedError("a snapshot is a JSON object")
    version = snapshot.get("version")
    if isinstance(version, bool) or not isinstance(version, int | float) or version != 1:
        raise SnapshotRejectedError(f"unsupported snapshot version {version!r}")
    data = snapshot.get("data")
    if not isinstance(data, dict):
        raise SnapshotRejectedError('snapshot "data" is not an object')
    checksum = snapshot.get("checksum")
    try:
        actual = data_checksum(js_dumps(data))
    except (TypeError, JSONInputError) as exc:
        raise SnapshotRejectedError(f"snapshot data cannot be serialized: {exc}") from None
    if checksum != actual:
        raise SnapshotRejectedError(
            f"checksum mismatch: snapshot says {checksum!r}, data hashes to {actual}"
        )
    return data


def loaded_maps(data: dict[str, Any], max_telemetry_entries: int) -> MemoryMaps:
    """New maps filled from a snapshot's `data` object, defensively (see the module doc).

    Top-level containers are copied, so later writes never change `data`. Caps are not applied
    (lossless: a fuller file keeps every entry). Raises TypeError if `data` is not a dict.
    """
    if not isinstance(data, dict):
        raise TypeError(f"snapshot data must be a dict, not {type(data).__name__}")
    maps = MemoryMaps(max_telemetry_entries)
    for name, value in data.items():
        _take(maps, name, value)
    maps.file_order = tuple(data)
    return maps


def _take(maps: MemoryMaps, name: str, value: Any) -> None:
    shape = map_shape(name)
    if shape is None:
        maps.extra[name] = _copy_top(value)
    elif shape.is_array:
        if not isinstance(value, list):
            _skip(name, f"is a {_kind(value)}, not an array")
        elif shape is MapShape.SESSIONS:
            _take_sessions(maps, value)
        elif name == "followedSessions":
            maps.followed = dict.fromkeys(_strings(name, value))
        else:
            # Restore is lossless: a file holding more than the cap keeps every entry,
            # and new entries then push out the oldest.
            cap = max(maps.telemetry.maxlen or 0, len(value))
            maps.telemetry = deque(value, maxlen=cap)
    elif not isinstance(value, dict):
        _skip(name, f"is a {_kind(value)}, not an object")
    elif shape is MapShape.ID_SETS:
        for user, ids in value.items():
            if isinstance(ids, list):
                maps.users[user] = dict.fromkeys(_strings(f"{name}.{user}", ids))
            else:
                _skip(f"{name}.{user}", f"is a {_kind(ids)}, not an array")
    elif shape is MapShape.ARRAYS:
        target = maps.lists[name]
        for key, items in value.items():
            if isinstance(items, list):
                target[key] = list(items)
            else:
                _skip(f"{name}.{key}", f"is a {_kind(items)}, not an array")
    else:
        maps.objects[name] = dict(value)


def _take_sessions(maps: MemoryMaps, items: list[Any]) -> None:
    for index, session in enumerate(items):
        session_id = session.get("id") if isinstance(session, dict) else None
        if isinstance(session_id, str):
            maps.sessions[session_id] = session
        else:
            _skip(f"sessions[{index}]", 'is not an object with a string "id"')


def _strings(where: str, items: list[Any]) -> list[str]:
    kept = [item for item in items if isinstance(item, str)]
    if len(kept) != len(items):
        _skip(where, f"{len(items) - len(kept)} item(s) that are not session ids")
    return kept


def _copy_top(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def _kind(value: Any) -> str:
    """The JSON type name of a value, for log messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def _skip(where: str, why: str) -> None:
    log.warning("restore: skipped %s: %s", where, why)

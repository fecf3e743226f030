"""The control channel's wire protocol, used by both ends: op names, limits, the line format,
and the encoding and decoding of every request and reply.

A request is one JSON object on one line, `{"op": …, …fields}`, at most MAX_REQUEST_BYTES with
its newline; decoding one raises RequestError, whose message is the refusal sent back. The
reply is one JSON object on one line, `{"ok": true, "result": {…}}` or `{"ok": false, "error":
"…"}`; decoding one raises ReplyError with the refusal, or with what is malformed in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any

import orjson
from statesnap.engine.control.records import EntryPage, LiveEntry, MapSummary
from statesnap.engine.format.js_reader import js_loads
from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.format.jsjson_limits import JSONInputError
from statesnap.engine.service.records import (
    RollbackResult,
    SaveResult,
    ServiceStatus,
    SkippedSnapshot,
)

__all__ = [
    "DEFAULT_PAGE",
    "MAX_PAGE",
    "MAX_REPLY_BYTES",
    "MAX_REQUEST_BYTES",
    "PROTOCOL_VERSION",
    "REQUEST_TOO_LARGE",
    "Op",
    "ReplyError",
    "RequestError",
    "decode_entries",
    "decode_entry",
    "decode_held",
    "decode_maps",
    "decode_reply",
    "decode_request",
    "decode_rollback",
    "decode_saved",
    "decode_status",
    "encode_entries",
    "encode_entry",
    "encode_held",
    "encode_maps",
    "encode_refusal",
    "encode_reply",
    "encode_request",
    "encode_rollback",
    "encode_saved",
    "encode_status",
]

PROTOCOL_VERSION = 1
MAX_REQUEST_BYTES = 64 * 1024
"""Longest request line accepted, newline included."""
MAX_REPLY_BYTES = 1 << 30
"""Longest reply line a client reads."""
MAX_PAGE = 1000
"""Most entries one `entries` reply holds (a larger `limit` is capped)."""
DEFAULT_PAGE = 100
_MAX_NAME_CHARS = 1024
"""Longest map name a request may give."""
_MAX_KEY_CHARS = 16 * 1024
"""Longest entry key a request may give."""
REQUEST_TOO_LARGE = f"request too large (limit {MAX_REQUEST_BYTES} bytes)"


class Op(StrEnum):
    """The operations a request names in its `op` field."""

    STATUS = "status"
    SNAPSHOT = "snapshot"
    ROLLBACK = "rollback"
    UNDO = "undo"
    HOLD = "hold"
    MAPS = "maps"
    ENTRIES = "entries"
    ENTRY = "entry"


_FIELDS: dict[Op, dict[str, tuple[type, bool]]] = {
    Op.STATUS: {},
    Op.SNAPSHOT: {},
    Op.UNDO: {},
    Op.MAPS: {},
    Op.ROLLBACK: {"file": (str, False), "pin": (str, False)},
    Op.HOLD: {"file": (str, True), "seconds": (int, True)},
    Op.ENTRIES: {"map": (str, True), "offset": (int, False), "limit": (int, False)},
    Op.ENTRY: {"map": (str, True), "key": (str, True)},
}
"""Each operation's fields: (type, required)."""
_ONE_OF = {Op.ROLLBACK: ("file", "pin")}
"""Operations that take exactly one of two fields."""
_TEXT_LIMITS = {"map": _MAX_NAME_CHARS, "key": _MAX_KEY_CHARS}
_NOT_NEGATIVE = ("offset", "limit")


class RequestError(Exception):
    """A request the server refuses; the message goes back to the client."""


class ReplyError(Exception):
    """The server refused the request, or sent a reply that breaks the protocol."""


# -- requests -------------------------------------------------------------------------------


def encode_request(op: Op, **fields: Any) -> bytes:
    """The request line (newline included); RequestError if it would be too large."""
    line = js_dumps({"op": op.value, **fields}) + b"\n"
    if len(line) > MAX_REQUEST_BYTES:
        raise RequestError(REQUEST_TOO_LARGE)
    return line


def decode_request(line: bytes) -> tuple[Op, dict[str, Any]]:
    """The operation and its checked fields from one request line; RequestError if malformed."""
    try:
        request = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise RequestError(f"malformed request: not JSON ({exc})") from None
    if not isinstance(request, dict):
        raise RequestError('malformed request: expected a JSON object with an "op"')
    name = request.get("op")
    if not isinstance(name, str) or name not in _FIELDS:
        known = ", ".join(sorted(Op))
        shown = repr(name)[:60] if name is not None else "none"
        raise RequestError(f"unknown operation {shown}; expected one of: {known}")
    op = Op(name)
    fields = _FIELDS[op]
    unexpected = sorted(key for key in request if key != "op" and key not in fields)
    if unexpected:
        shown = ", ".join(repr(key)[:40] for key in unexpected[:5])
        raise RequestError(f"unexpected field(s) for {op}: {shown}")
    for key, (_kind, required) in fields.items():
        if required and key not in request:
            raise RequestError(f'{op} needs "{key}"')
    if op in _ONE_OF and sum(key in request for key in _ONE_OF[op]) != 1:
        raise RequestError('{} needs "{}" or "{}" (one of them)'.format(op, *_ONE_OF[op]))
    args: dict[str, Any] = {}
    for key, (kind, _required) in fields.items():
        if key not in request:
            continue
        value = request[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise RequestError(f'"{key}" must be {"a string" if kind is str else "an integer"}')
        args[key] = value
    for key, limit in _TEXT_LIMITS.items():
        if key in args and len(args[key]) > limit:
            raise RequestError(f'"{key}" is too long')
    for key in _NOT_NEGATIVE:
        if args.get(key, 0) < 0:
            raise RequestError(f'"{key}" must not be negative')
    return op, args


# -- the reply envelope ---------------------------------------------------------------------


def encode_reply(result: bytes) -> bytes:
    """The reply line (newline included) carrying a result, itself encoded JSON."""
    return b'{"ok":true,"result":' + result + b"}\n"


def encode_refusal(message: str) -> bytes:
    """The reply line (newline included) refusing a request."""
    return b'{"ok":false,"error":' + js_dumps(message) + b"}\n"


def decode_reply(line: bytes) -> dict[str, Any]:
    """The result a reply line carries; ReplyError with the refusal's message, or if malformed."""
    try:
        reply = js_loads(line)
    except JSONInputError as exc:
        raise ReplyError(f"the server sent a malformed reply: {exc}") from None
    if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
        raise ReplyError("the server sent a malformed reply")
    if not reply["ok"]:
        error = reply.get("error")
        raise ReplyError(error if isinstance(error, str) else "the server refused")
    result = reply.get("result")
    if not isinstance(result, dict):
        raise ReplyError("the server sent a malformed reply (no result)")
    return result


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

"""The control channel's wire protocol, used by both ends: op names, limits, the line format,
and the encoding and decoding of every request and reply.

A request is one JSON object on one line, `{"op": …, …fields}`, at most MAX_REQUEST_BYTES with
its newline; decoding one raises RequestError, whose message is the refusal sent back. The
reply is one JSON object on one line, `{"ok": true, "result": {…}}` or `{"ok": false, "error":
"…"}`; decoding one raises ReplyError with the refusal, or with what is malformed in it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import orjson
from statesnap.engine.format.js_reader import js_loads
from statesnap.engine.format.js_writer import js_dumps
from statesnap.engine.format.jsjson_limits import JSONInputError

__all__ = [
    "DEFAULT_PAGE",
    "MAX_PAGE",
    "MAX_REPLY_BYTES",
    "MAX_REQUEST_BYTES",
    "NO_ENTRY",
    "PROTOCOL_VERSION",
    "REQUEST_TOO_LARGE",
    "Op",
    "ReplyError",
    "RequestError",
    "decode_reply",
    "decode_request",
    "encode_refusal",
    "encode_reply",
    "encode_request",
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
NO_ENTRY = "no entry "
"""How the refusal of an `entry` request for a key the live state does not hold begins."""


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


_PAGING = {"offset": (int, False), "limit": (int, False), "after": (str, False)}
"""An `entries` request's paging: from `offset`, or just past the key `after` (see live_state)."""
_FIELDS: dict[Op, dict[str, tuple[type, bool]]] = {
    Op.STATUS: {},
    Op.SNAPSHOT: {},
    Op.UNDO: {},
    Op.MAPS: {},
    Op.ROLLBACK: {"file": (str, False), "pin": (str, False)},
    Op.HOLD: {"file": (str, True), "seconds": (int, True)},
    Op.ENTRIES: {"map": (str, True), **_PAGING},
    Op.ENTRY: {"map": (str, True), "key": (str, True)},
}
"""Each operation's fields: (type, required)."""
_ONE_OF = {Op.ROLLBACK: ("file", "pin")}
"""Operations that take exactly one of two fields."""
_TEXT_LIMITS = {"map": _MAX_NAME_CHARS, "key": _MAX_KEY_CHARS, "after": _MAX_KEY_CHARS}
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

"""JavaScript-compatible JSON out: the bytes `JSON.stringify` prints for a value.

`js_dumps` is orjson's output whenever that output is already what JavaScript would print
(the common case, checked by a few fast scans), and an exact encoder only for the subtrees that
differ: floats orjson prints in another form, integers beyond 2^53, array-index object keys
that JavaScript moves first, lone surrogates and non-string keys. The exact encoder keeps its
own stack, so deep documents need no change to the interpreter's recursion limit.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from statesnap.engine.format.js_exactness import is_array_index, may_differ_from_javascript
from statesnap.engine.format.jsjson_limits import MAX_DEPTH, JSONInputError

__all__ = [
    "js_dumps",
    "js_number_text",
    "orjson_dumps",
]

log = logging.getLogger(__name__)

_MAX_SAFE_INTEGER = 2**53
_ORJSON_OPTIONS = orjson.OPT_STRICT_INTEGER


def js_number_text(value: int | float) -> str:
    """The text JavaScript prints for a number (an int beyond 2^53 is first rounded to a double)."""
    if isinstance(value, int):
        if -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER:
            return str(value)
        try:
            value = float(value)
        except OverflowError:
            return "null"
    if not math.isfinite(value):
        return "null"
    if value == 0:
        return "0"
    return _float_text(value)


def _float_text(value: float) -> str:
    """Number::toString for a finite, non-zero double (ECMA-262 6.1.6.1.20)."""
    sign = "-" if value < 0 else ""
    mantissa, _, exp_text = repr(abs(value)).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    digits = (int_part + frac_part).lstrip("0")
    stripped = digits.rstrip("0")
    # value = 0.<stripped> * 10^n
    n = len(digits) + (int(exp_text) if exp_text else 0) - len(frac_part)
    k = len(stripped)
    if k <= n <= 21:
        text = stripped + "0" * (n - k)
    elif 0 < n <= 21:
        text = stripped[:n] + "." + stripped[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + stripped
    else:
        exponent = n - 1
        exp_sign = "+" if exponent >= 0 else "-"
        head = stripped[0] + ("." + stripped[1:] if k > 1 else "")
        text = f"{head}e{exp_sign}{abs(exponent)}"
    return sign + text


def orjson_dumps(value: Any) -> bytes | None:
    """orjson's bytes for `value`, or None where orjson refuses it (lone surrogates, integers
    beyond 2^53, non-string keys, deep nesting, unknown types). Not yet checked against
    JavaScript: see `may_differ_from_javascript`."""
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError
        return None


def _fast_dumps(value: Any) -> bytes | None:
    """orjson's bytes for `value` if they are exactly JavaScript's, else None."""
    out = orjson_dumps(value)
    return None if out is None or may_differ_from_javascript(out) else out


def js_dumps(value: Any) -> bytes:
    """Serialize `value` to the bytes `JSON.stringify` prints for it after `JSON.parse`.

    Raises TypeError for a value JSON cannot hold (naming where it sits), and
    JSONInputError for nesting deeper than MAX_DEPTH.
    """
    fast = _fast_dumps(value)
    if fast is not None:
        return fast
    parts: list[str] = []
    _encode(value, parts.append)
    return "".join(parts).encode("utf-8", "surrogatepass")


_Pending = tuple[Any, str, int]
"""A value still to encode: the value, where it sits, the depth of the container holding it."""


def _encode(root: Any, emit: Callable[[str], None]) -> None:
    """The exact encoder, without recursion (a deep document needs no raised recursion limit):
    a stack of the open containers, each an iterator over its remaining parts."""
    frames: list[Iterator[str | _Pending]] = []
    _open(root, "$", 0, emit, frames)
    while frames:
        part = next(frames[-1], None)
        if part is None:
            frames.pop()
        elif isinstance(part, str):
            emit(part)
        else:
            value, path, depth = part
            if isinstance(value, dict | list | tuple) and depth < 200:
                fast = _fast_dumps(value)
                if fast is not None:
                    emit(fast.decode("utf-8"))
                    continue
            _open(value, path, depth, emit, frames)


def _open(
    value: Any,
    path: str,
    depth: int,
    emit: Callable[[str], None],
    frames: list[Iterator[str | _Pending]],
) -> None:
    """Emit a scalar, or push a container's parts (at `depth + 1`)."""
    if value is None:
        emit("null")
    elif value is True:
        emit("true")
    elif value is False:
        emit("false")
    elif isinstance(value, str):
        emit(_string_text(value))
    elif isinstance(value, int | float):
        _emit_number(value, emit, path)
    elif isinstance(value, dict):
        _check_depth(depth + 1)
        frames.append(_object_parts(value, path, depth + 1))
    elif isinstance(value, list | tuple):
        _check_depth(depth + 1)
        frames.append(_array_parts(value, path, depth + 1))
    else:
        _open(_plain(value, path), path, depth, emit, frames)


def _emit_number(value: int | float, emit: Callable[[str], None], path: str) -> None:
    text = js_number_text(value)
    if isinstance(value, int) and not _is_exact_double(value):
        # %a: the path holds the data's own keys, which may hold terminal escapes
        log.warning("integer at %a is beyond 2^53; written as JavaScript reads it: %s", path, text)
    emit(text)


def _is_exact_double(value: int) -> bool:
    """Whether a double holds this integer exactly (every one JavaScript wrote does)."""
    if -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER:
        return True
    try:
        return int(float(value)) == value
    except OverflowError:
        return False


def _plain(value: Any, path: str) -> Any:
    """Types orjson knows (datetime, UUID, dataclass, enum…): the JSON value orjson gives them."""
    try:
        return orjson.loads(orjson.dumps(value))
    except TypeError as exc:
        raise TypeError(f"{type(value).__name__} at {path} is not JSON-serializable") from exc


def _check_depth(depth: int) -> None:
    if depth > MAX_DEPTH:
        raise JSONInputError(f"nested deeper than {MAX_DEPTH} levels")


def _array_parts(
    items: list[Any] | tuple[Any, ...], path: str, depth: int
) -> Iterator[str | _Pending]:
    yield "["
    for index, item in enumerate(items):
        if index:
            yield ","
        yield item, f"{path}[{index}]", depth
    yield "]"


def _object_parts(obj: dict[Any, Any], path: str, depth: int) -> Iterator[str | _Pending]:
    yield "{"
    for index, (key, item) in enumerate(_javascript_key_order(obj, path)):
        if index:
            yield ","
        yield _string_text(key)
        yield ":"
        yield item, f"{path}.{key}", depth
    yield "}"


def _javascript_key_order(obj: dict[Any, Any], path: str) -> Iterator[tuple[str, Any]]:
    """Items with string keys in JavaScript's property order: array indexes ascending first."""
    items = [(_key_text(key, path), item) for key, item in obj.items()]
    indexed = sorted(
        ((int(key), key, item) for key, item in items if is_array_index(key)),
        key=lambda entry: entry[0],
    )
    if not indexed:
        yield from items
        return
    for _, key, item in indexed:
        yield key, item
    for key, item in items:
        if not is_array_index(key):
            yield key, item


def _key_text(key: Any, path: str) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, int | float) and not isinstance(key, bool):
        return js_number_text(key)
    raise TypeError(f"object key {key!r} at {path} is not a string")


_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def _string_text(text: str) -> str:
    try:
        return orjson.dumps(text).decode("utf-8")
    except TypeError:  # lone or split surrogates, which orjson refuses
        return _surrogate_string_text(text)


def _surrogate_string_text(text: str) -> str:
    # Join surrogate pairs into the characters they encode; lone halves stay.
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif code < 0x20 or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)

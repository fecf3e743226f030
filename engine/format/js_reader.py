"""JavaScript-compatible JSON in: values as `JSON.parse` reads them.

`js_loads` parses with orjson first, and with the standard library for the inputs orjson
refuses but JavaScript accepts (lone surrogate escapes, numbers beyond the double range,
nesting deeper than orjson allows). A document nested deeper than the interpreter's recursion
limit allows the standard library goes through `_parse_deep`, the same grammar with its own
stack: the recursion limit is never raised. The garbage collector is left alone unless the host
opted in (`statesnap.engine.format.process_tuning`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from json import decoder
from typing import Any, Final

import orjson
from statesnap.engine.format.jsjson_limits import MAX_DEPTH, JSONInputError
from statesnap.engine.format.process_tuning import collector_paused, parsed_document

__all__ = ["js_loads"]

_DEEPEST: Final = 4 * MAX_DEPTH + 1000
"""Nesting at which a parse gives up at once (the recursion limit the parse once ran under);
anything deeper than MAX_DEPTH is refused after parsing anyway."""


def js_loads(text: bytes | str) -> Any:
    """Parse JSON as JavaScript's `JSON.parse` does. Raises JSONInputError when it would fail.

    Bytes that are not UTF-8 are refused; Node would first replace invalid sequences with
    U+FFFD, which the caller can do and try again.
    """
    try:
        with collector_paused():
            value = orjson.loads(text)
            parsed_document(len(text))
            return value
    except orjson.JSONDecodeError:
        pass
    try:
        if isinstance(text, bytes | bytearray | memoryview):
            text = bytes(text).decode("utf-8")
        value = _stdlib_loads(text)
    except json.JSONDecodeError as exc:
        raise JSONInputError(exc.msg + f" at line {exc.lineno} column {exc.colno}") from None
    except UnicodeDecodeError as exc:
        raise JSONInputError(f"invalid UTF-8 at byte {exc.start}") from None
    except ValueError as exc:
        raise JSONInputError(str(exc)) from None
    _check_nesting(value)
    return value


def _reject_constant(name: str) -> Any:
    raise JSONInputError(f"{name} is not valid JSON")


def _parse_int(text: str) -> int | float:
    # JavaScript reads every number as a double; a very long digit string would also trip
    # Python's int-conversion limit.
    return int(text) if len(text) <= 300 else float(text)


def _stdlib_loads(text: str) -> Any:
    """`json.loads` with JavaScript's rules; past the recursion limit, the same without it."""
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except RecursionError:
        return _parse_deep(text)


# -- the standard library's grammar, iteratively --------------------------------------------
# Mirrors json.decoder (JSONObject, JSONArray, the scanner) step for step, so that every
# input gets the same value or the same JSONDecodeError (message and position).

_scanstring: Callable[[str, int, bool], tuple[str, int]] = decoder.scanstring  # type: ignore[attr-defined]
"""The standard library's string scanner (its C one where built), as `json.loads` uses it."""
_WS_CHARS: Final = " \t\n\r"
_WS: Final = re.compile(r"[ \t\n\r]*")
_NUMBER: Final = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_CONSTANTS: Final = (("null", None), ("true", True), ("false", False))
_NON_FINITE: Final = ("NaN", "Infinity", "-Infinity")


class _NoValue(Exception):
    """No JSON value starts at `index`."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def _skip_ws(s: str, index: int) -> int:
    match = _WS.match(s, index)
    assert match is not None  # `*`: always matches
    return match.end()


def _scalar(s: str, index: int) -> tuple[Any, int]:
    """The string, number or literal at `index`; _NoValue if none starts there."""
    char = s[index : index + 1]
    if char == '"':
        return _scanstring(s, index + 1, True)
    for word, value in _CONSTANTS:
        if s.startswith(word, index):
            return value, index + len(word)
    number = _NUMBER.match(s, index)
    if number is not None:
        integer, frac, exp = number.groups()
        if frac or exp:
            return float(integer + (frac or "") + (exp or "")), number.end()
        return _parse_int(integer), number.end()
    for word in _NON_FINITE:
        if s.startswith(word, index):
            return _reject_constant(word), index + len(word)
    raise _NoValue(index)


def _after_comma(s: str, index: int) -> int:
    """Skip the whitespace after a ',' or ':' exactly as json.decoder does."""
    if s[index : index + 1] and s[index] in _WS_CHARS:
        index += 1
        if s[index : index + 1] and s[index] in _WS_CHARS:
            index = _skip_ws(s, index + 1)
    return index


def _object_key(s: str, index: int) -> tuple[str, int]:
    """Read `"key"` (its opening quote at index - 1) and the ':' after it; the value's index."""
    key, index = _scanstring(s, index, True)
    if s[index : index + 1] != ":":
        index = _skip_ws(s, index)
        if s[index : index + 1] != ":":
            raise json.JSONDecodeError("Expecting ':' delimiter", s, index)
    return key, _after_comma(s, index + 1)


def _parse_deep(s: str) -> Any:
    """`json.loads(s)` with js_loads's hooks, for documents of any depth (no recursion)."""
    containers: list[dict[str, Any] | list[Any]] = []
    keys: list[str] = []
    index = _skip_ws(s, 0)
    try:
        while True:
            # a value starts at index
            char = s[index : index + 1]
            if char in ("{", "["):
                if len(containers) >= _DEEPEST:
                    raise JSONInputError(f"nested deeper than {MAX_DEPTH} levels")
                index += 1
                following = s[index : index + 1]
                if following in _WS_CHARS:  # "" too, as json.decoder tests it
                    index = _skip_ws(s, index)
                    following = s[index : index + 1]
                if char == "[":
                    if following == "]":
                        value: Any = []
                        index += 1
                    else:
                        containers.append([])
                        continue
                elif following == "}":
                    value = {}
                    index += 1
                elif following != '"':
                    raise json.JSONDecodeError(
                        "Expecting property name enclosed in double quotes", s, index
                    )
                else:
                    key, index = _object_key(s, index + 1)
                    containers.append({})
                    keys.append(key)
                    continue
            else:
                value, index = _scalar(s, index)
            # a value ended at index: give it to its container, then see what follows
            while containers:
                container = containers[-1]
                following = s[index : index + 1]
                if following in _WS_CHARS:
                    index = _skip_ws(s, index)
                    following = s[index : index + 1]
                index += 1
                if isinstance(container, list):
                    container.append(value)
                    if following == "]":
                        value = containers.pop()
                        continue
                    if following != ",":
                        raise json.JSONDecodeError("Expecting ',' delimiter", s, index - 1)
                    index = _after_comma(s, index)
                    break
                container[keys[-1]] = value
                if following == "}":
                    value = containers.pop()
                    keys.pop()
                    continue
                if following != ",":
                    raise json.JSONDecodeError("Expecting ',' delimiter", s, index - 1)
                index = _skip_ws(s, index)
                if s[index : index + 1] != '"':
                    raise json.JSONDecodeError(
                        "Expecting property name enclosed in double quotes", s, index
                    )
                keys[-1], index = _object_key(s, index + 1)
                break
            else:
                end = _skip_ws(s, index)
                if end != len(s):
                    raise json.JSONDecodeError("Extra data", s, end)
                return value
    except _NoValue as missing:
        raise json.JSONDecodeError("Expecting value", s, missing.index) from None


def _check_nesting(value: Any) -> None:
    """Reject nesting deeper than MAX_DEPTH without recursing."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise JSONInputError(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend(
                (child, depth + 1) for child in node.values() if isinstance(child, dict | list)
            )
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node if isinstance(child, dict | list))

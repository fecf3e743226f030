"""The proof that orjson's bytes are what `JSON.stringify` prints: scans for where they differ.

orjson and JavaScript print the same bytes for a value except at a few places: floats orjson
prints in another form (`1.0`, `1e+16`, `2e-6`) and object keys that are array indexes
(JavaScript lists those first, in ascending order). `may_differ_from_javascript` finds any of
them; a look-alike inside a string is a false alarm that costs only the exact encoder's time,
never correctness. Each scan is one regular expression that starts with a literal, searched at
C speed (a one-byte literal fastest: the exponent scans start at the sign and look back for the
`e`). They run window by window (a lookbehind sees past a window's start) so that the bytes are
read while they are in cache and other threads get the GIL between windows.
`is_javascript_text_of` joins the byte comparison with the scans in the same pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

__all__ = ["is_array_index", "is_javascript_text_of", "may_differ_from_javascript"]

_MAX_ARRAY_INDEX: Final = 4294967294
_WINDOW: Final = 1 << 20
_OVERLAP: Final = 64
"""Each window reaches this far into the next, past the longest pattern (an index key)."""

_FLOAT_INTEGRAL: Final = re.compile(rb"\.0[,\]}]")
_EXPONENT_PLUS: Final = re.compile(rb"\+(?<=[0-9]e\+)[0-9]+[,\]}]")
_EXPONENT_MINUS: Final = re.compile(rb"-(?<=[0-9]e-)[0-9]+[,\]}]")
_FLOAT_SCANS: Final = (_FLOAT_INTEGRAL, _EXPONENT_PLUS, _EXPONENT_MINUS)
_DIGIT_KEY_END: Final = re.compile(rb'":(?<=[0-9]":)(?<![^"0-9][0-9]":)(?<![^"0-9][0-9][0-9]":)')
"""The end of a key that may be all digits (`":` is found at C speed; JSON text has it nowhere
else but inside strings)."""
_INDEX_KEY: Final = re.compile(rb'[{,]"(0|[1-9][0-9]{0,9})":\Z')


def is_array_index(key: str) -> bool:
    """Whether JavaScript takes this property key for an array index (and lists it first)."""
    return (
        key.isascii()
        and key.isdigit()
        and (key == "0" or key[0] != "0")
        and len(key) <= 10
        and int(key) <= _MAX_ARRAY_INDEX
    )


def _windows(size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, max(size, 1), _WINDOW):
        yield start, min(size, start + _WINDOW + _OVERLAP)


def _has_index_key(raw: bytes, start: int, end: int) -> bool:
    for match in _DIGIT_KEY_END.finditer(raw, start, end):
        key_end = match.end()
        index_key = _INDEX_KEY.search(raw, max(0, key_end - 14), key_end)
        if index_key is not None and int(index_key[1]) <= _MAX_ARRAY_INDEX:
            return True
    return False


def _window_differs(raw: bytes, start: int, end: int) -> bool:
    return any(scan.search(raw, start, end) for scan in _FLOAT_SCANS) or _has_index_key(
        raw, start, end
    )


def may_differ_from_javascript(raw: bytes) -> bool:
    """Whether orjson's output `raw` may differ from what JavaScript prints for the same value.

    True where it holds a float orjson prints in another form (`1.0`, `1e+21`) or an object key
    that is an array index (JavaScript lists those first).
    """
    if raw[:1] not in (b"{", b"["):  # a lone scalar: no delimiter follows it
        return b"." in raw or b"e" in raw
    return any(_window_differs(raw, start, end) for start, end in _windows(len(raw)))


def is_javascript_text_of(text: bytes, start: int, end: int, printed: bytes) -> bool:
    """Whether `text[start:end]` is exactly `printed` (orjson's bytes for a value) and those
    bytes are what JavaScript prints too: the comparison and the scans in one pass."""
    if len(printed) != end - start:
        return False
    if printed[:1] not in (b"{", b"["):
        return text.startswith(printed, start) and not may_differ_from_javascript(printed)
    view = memoryview(printed)
    for window_start, window_end in _windows(len(printed)):
        if not text.startswith(view[window_start : window_start + _WINDOW], start + window_start):
            return False
        if _window_differs(printed, window_start, window_end):
            return False
    return True

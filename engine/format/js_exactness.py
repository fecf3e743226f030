"""The proof that orjson's bytes are what `JSON.stringify` prints: where they may differ.

orjson and JavaScript print the same bytes for a value except at a few places: floats orjson
prints in another form (`1.0`, `1e+16`, `2e-6`) and object keys that are array indexes
(JavaScript lists those first, in ascending order). `may_differ_from_javascript` finds any of
them in one pass over the text, outside strings only, in compiled code that releases the GIL
(`_jsscan.c`): the scan of a large text runs beside the parse, the hashing and the deflating.
"""

from __future__ import annotations

from typing import Final

from statesnap.engine.format._jsscan import may_differ

__all__ = ["is_array_index", "may_differ_from_javascript"]

_MAX_ARRAY_INDEX: Final = 4294967294


def is_array_index(key: str) -> bool:
    """Whether JavaScript takes this property key for an array index (and lists it first)."""
    return (
        key.isascii()
        and key.isdigit()
        and (key == "0" or key[0] != "0")
        and len(key) <= 10
        and int(key) <= _MAX_ARRAY_INDEX
    )


def may_differ_from_javascript(raw: bytes | memoryview) -> bool:
    """Whether orjson's output `raw` may differ from what JavaScript prints for the same value.

    True where it holds a float orjson prints in another form (`1.0`, `1e+21`) or an object key
    that is an array index (JavaScript lists those first). `raw` must be JSON as orjson prints
    it; the GIL is released while it is read.
    """
    return may_differ(raw)

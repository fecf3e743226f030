"""JavaScript-compatible JSON: the bytes `JSON.stringify` prints, values as `JSON.parse` reads.

One import for the rest of statesnap; the work is done in `js_writer` (out), `js_reader` (in)
and `jsjson_limits` (what both refuse).
"""

from __future__ import annotations

from statesnap.engine.format.js_reader import js_loads
from statesnap.engine.format.js_writer import (
    js_dumps,
    js_number_text,
    may_differ_from_javascript,
    orjson_dumps,
)
from statesnap.engine.format.jsjson_limits import MAX_DEPTH, JSONInputError

__all__ = [
    "MAX_DEPTH",
    "JSONInputError",
    "js_dumps",
    "js_loads",
    "js_number_text",
    "may_differ_from_javascript",
    "orjson_dumps",
]

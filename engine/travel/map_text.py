"""Which entries of a map hold a plain pattern, found in the map's text as a whole.

Rather than print each entry's JSON and look in it, the map is printed once by orjson with an
indent: every entry then starts a line indented by two spaces (JSON text has no line break
inside a string), and a match found in that text belongs to the entry whose line range holds
it. This is exactly the per-entry answer for a `token_bound` pattern (see `patterns`): its
matches lie inside one token, never in the whitespace the indent adds, never across entries or
across the `": ` after a key; and the tokens orjson prints for strings and literals are the
ones JavaScript prints. A `numeric` pattern may match inside a number, so it is answered here
only for a map whose orjson text is proven to be JavaScript's.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from functools import partial
from typing import Any, AnyStr

import orjson
from statesnap.engine.format.js_exactness import may_differ_from_javascript
from statesnap.engine.format.js_writer import orjson_dumps
from statesnap.engine.travel.patterns import Finder

__all__ = ["entries_holding", "printed_map"]

_ENTRY_START = re.compile(rb"\n  (?=[^ \]}])")
"""Where an entry's line starts (a line indented by two spaces that does not close the
value of the entry before)."""
_ENTRY_START_TEXT = re.compile(r"\n  (?=[^ \]}])")


def printed_map(finder: Finder, value: Any) -> bytes | None:
    """The map's text for `entries_holding`: orjson's, with an indent; None where the map's
    matches cannot be found in it (not a plain `token_bound` pattern, a value orjson does not
    print, or, for a `numeric` pattern, a map whose numbers JavaScript prints otherwise)."""
    if finder.plain is None or not finder.token_bound:
        return None
    if finder.numeric:
        compact = orjson_dumps(value)
        if compact is None or may_differ_from_javascript(compact):
            return None
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except TypeError:  # orjson.JSONEncodeError: lone surrogates, too deep, too large an int
        return None


def _starts(entry_start: re.Pattern[AnyStr], hay: AnyStr) -> list[int]:
    return [match.end() for match in entry_start.finditer(hay)]


def _byte_finder(hay: bytes, plain: bytes) -> Callable[[int], int]:
    def find(at: int) -> int:
        return hay.find(plain, at)

    return find


def _text_finder(hay: str, pattern: re.Pattern[str]) -> Callable[[int], int]:
    def find(at: int) -> int:
        found = pattern.search(hay, at)
        return -1 if found is None else found.start()

    return find


def entries_holding(
    finder: Finder, printed: bytes, value: Any, bytewise: bool | None
) -> set[int] | None:
    """The indexes (in the order of the map's entries: an object's keys, an array's items) of
    the entries whose JSON text holds the plain pattern, found in `printed` (`printed_map`);
    None where this cannot tell (each entry must be looked at). `bytewise`, if known, is
    `folds_bytewise` of a text holding the whole map."""
    plain = finder.plain
    assert plain is not None
    hay: bytes | str
    if finder.case_sensitive or (plain.isascii() and (bytewise or finder.folds_bytewise(printed))):
        hay = printed if finder.case_sensitive else printed.lower()
        find = _byte_finder(hay, plain)
        entry_starts = partial(_starts, _ENTRY_START, hay)
    else:
        hay = printed.decode("utf-8")
        find = _text_finder(hay, finder.text)
        entry_starts = partial(_starts, _ENTRY_START_TEXT, hay)
    holding: set[int] = set()
    at = find(0)
    if at < 0:
        return holding
    starts = entry_starts()
    if len(starts) != len(value):
        return None
    keys = list(value) if isinstance(value, dict) else None
    while at >= 0:
        index = bisect_right(starts, at) - 1
        if index < 0:
            return None
        begin = starts[index]
        if keys is not None:  # the entry's value follows its key and `": `
            key = orjson.dumps(keys[index])
            begin += len(key) + 2 if isinstance(hay, bytes) else len(key.decode()) + 2
        if at >= begin:
            holding.add(index)
            begin = starts[index + 1] if index + 1 < len(starts) else len(hay)
        at = find(begin)
    return holding

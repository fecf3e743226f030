"""Any JSON value as pretty-printed lines, and one line at a time as highlighted, safe text.

Lines are produced once per value (orjson, in C: a 10 MB entry takes a few tens of ms) and
drawn lazily by `JsonView`, so only visible lines are escaped and highlighted. Values orjson
refuses (lone surrogates, integers beyond 64 bits, nesting deeper than 254) go through a
slower printer that never recurses, so 4,000 levels cannot overflow the stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from rich.style import Style
from rich.text import Text
from statesnap.engine import js_number_text
from statesnap.tui.text.safe_text import escape_controls

__all__ = ["JsonStyles", "highlight_json_line", "pretty_json", "pretty_json_lines"]

_INDENT = "  "
_SURROGATE = re.compile("[\ud800-\udfff]")
_TOKEN = re.compile(
    r'(?P<key>"[^"\\]*(?:\\.[^"\\]*)*"(?=:))'
    r'|(?P<string>"[^"\\]*(?:\\.[^"\\]*)*")'
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"|(?P<literal>\b(?:true|false|null)\b)"
)


@dataclass(frozen=True)
class JsonStyles:
    key: Style
    string: Style
    number: Style
    literal: Style


def pretty_json(value: Any) -> str:
    """`value` as JSON indented by two spaces (what `y` copies and the entry view shows)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    except (TypeError, orjson.JSONEncodeError):
        return "\n".join(_slow_lines(value))


def pretty_json_lines(value: Any) -> list[str]:
    return pretty_json(value).split("\n")


def _string(text: str) -> str:
    """A JSON string literal: raw UTF-8, lone surrogates escaped as JavaScript does."""
    return _SURROGATE.sub(_escape_surrogate, json.dumps(text, ensure_ascii=False))


def _escape_surrogate(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return js_number_text(value)
    return _string(str(value))


def _slow_lines(value: Any) -> Iterator[str]:
    """Pretty lines with an explicit stack: (prefix, value, suffix, depth) still to print."""
    stack: list[tuple[str, Any, str, int]] = [("", value, "", 0)]
    while stack:
        prefix, item, suffix, depth = stack.pop()
        indent = _INDENT * depth
        if isinstance(item, _Close):
            yield indent + item.text + suffix
        elif isinstance(item, dict) and item:
            yield indent + prefix + "{"
            stack.append(("", _Close("}"), suffix, depth))
            pairs = list(item.items())
            for index in range(len(pairs) - 1, -1, -1):
                key, child = pairs[index]
                comma = "," if index < len(pairs) - 1 else ""
                stack.append((_string(str(key)) + ": ", child, comma, depth + 1))
        elif isinstance(item, list) and item:
            yield indent + prefix + "["
            stack.append(("", _Close("]"), suffix, depth))
            for index in range(len(item) - 1, -1, -1):
                comma = "," if index < len(item) - 1 else ""
                stack.append(("", item[index], comma, depth + 1))
        elif isinstance(item, dict | list):
            yield indent + prefix + ("{}" if isinstance(item, dict) else "[]") + suffix
        else:
            yield indent + prefix + _scalar(item) + suffix


@dataclass(frozen=True)
class _Close:
    text: str


def highlight_json_line(line: str, styles: JsonStyles) -> Text:
    """One line of pretty JSON as safe, highlighted text (escapes first, then colours)."""
    text = Text(escape_controls(line, keep_newlines=False), no_wrap=True, end="")
    for match in _TOKEN.finditer(text.plain):
        kind = match.lastgroup
        if kind is not None:
            text.stylize(getattr(styles, kind), match.start(), match.end())
    return text

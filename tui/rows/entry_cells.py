"""What an entry's cells hold, in a map's layout: short one-line texts, escaped.

Cells are cut short before they are escaped, so a 100 KB string costs no more than a short
one; times read as `2026-02-14 09:00:00`, ids are cut in the middle, where they are alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from rich.text import Text
from statesnap.engine import format_timestamp, js_dumps, js_number_text
from statesnap.tui.rows.map_layouts import ID_FIELDS, Field, Form, MapLayout
from statesnap.tui.text.formatting import middle_cut
from statesnap.tui.text.safe_text import safe_text

__all__ = ["CELL_CHARS", "entry_cells", "entry_search_text", "entry_summary"]

CELL_CHARS = 200
"""Longest text a cell holds (no column is wider)."""


def _clip(text: str) -> str:
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS] + "…"


def entry_summary(value: Any, *, skip: frozenset[str] = frozenset()) -> str:
    """A short one-line view of any value: scalars as text, containers by their first parts
    (leaving out the fields in `skip`)."""
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            if key in skip:
                continue
            parts.append(f"{key}: {_scalar_summary(item)}")
            if sum(len(part) for part in parts) > CELL_CHARS:
                break
        return _clip(", ".join(parts))
    if isinstance(value, list):
        parts = []
        for item in value:
            parts.append(_scalar_summary(item))
            if sum(len(part) for part in parts) > CELL_CHARS:
                break
        more = "" if len(parts) == len(value) else ", …"
        return _clip(f"{len(value)}: " + ", ".join(parts) + more)
    return _scalar_summary(value)


def _scalar_summary(value: Any) -> str:
    if isinstance(value, str):
        return _clip(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return js_number_text(value)
    if isinstance(value, dict):
        return f"{{{len(value)} keys}}" if value else "{}"
    if isinstance(value, list):
        return f"[{len(value)} items]" if value else "[]"
    return _clip(str(value))


def _time_text(value: Any) -> str:
    """ISO timestamps as `2026-02-14 09:00:00`; epoch milliseconds likewise; else as is."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            value = format_timestamp(datetime.fromtimestamp(value / 1000, UTC))
        except (OverflowError, OSError, ValueError):
            return js_number_text(value)
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        return value[:10] + " " + value[11:19]
    return _scalar_summary(value)


def _first_line(value: Any) -> str:
    if isinstance(value, str):
        first, _, rest = value.lstrip("\n").partition("\n")
        return _clip(first + (" …" if rest.strip() else ""))
    return _scalar_summary(value)


def _count(value: Any) -> str:
    return str(len(value)) if isinstance(value, dict | list) else _scalar_summary(value)


_FORMS: dict[Form, Callable[[Any], str]] = {
    "text": entry_summary,
    "time": _time_text,
    "first_line": _first_line,
    "count": _count,
    "id": _scalar_summary,
}

_MISSING = object()


def _cell(field: Field, layout: MapLayout, key: str, entry: Any) -> str:
    text = _cell_text(field, layout, key, entry)
    return middle_cut(text, field.width) if field.form == "id" else text


def _cell_text(field: Field, layout: MapLayout, key: str, entry: Any) -> str:
    if field.source == "@key":
        return _clip(key)
    if field.source == "@value":
        return _FORMS[field.form](entry)
    if field.source == "@rest":
        return entry_summary(entry, skip=layout.hidden_from_rest) if isinstance(entry, dict) else ""
    if field.source == "@last":
        last = entry[-1] if isinstance(entry, list) and entry else None
        return entry_summary(last, skip=ID_FIELDS) if last is not None else ""
    value = entry.get(field.source, _MISSING) if isinstance(entry, dict) else _MISSING
    return "" if value is _MISSING else _FORMS[field.form](value)


def entry_cells(layout: MapLayout, key: str, entry: Any) -> list[Text]:
    """One entry's cells, safe to show, in the layout's columns."""
    return [safe_text(_cell(field, layout, key, entry)) for field in layout.fields]


def entry_search_text(key: str, entry: Any) -> str:
    """What `/` searches: the key and the entry's JSON, lower-cased."""
    try:
        raw = orjson.dumps(entry)
    except (TypeError, orjson.JSONEncodeError):
        raw = js_dumps(entry)
    return (key + "\n" + raw.decode("utf-8", "replace")).lower()

"""How the entries of each map are shown as table rows: columns that fit its records.

A map whose entries are arrays of records per session (events, chatHistory, chains, …) shows
one row per record, keyed by the session; every other map shows one row per entry. A map we
do not know gets a generic key / summary layout. Cells are cut short before they are escaped,
so a 100 KB string costs no more than a short one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from rich.text import Text
from statesnap.engine import format_timestamp, js_dumps, js_number_text
from statesnap.engine.format.map_entries import map_entries
from statesnap.tui.text.formatting import middle_cut
from statesnap.tui.text.safe_text import safe_text
from statesnap.tui.rows.columns import Column

__all__ = [
    "ID_FIELDS",
    "Field",
    "MapLayout",
    "MapRows",
    "MapSummary",
    "MapSummaryRows",
    "entry_cells",
    "entry_search_text",
    "entry_summary",
    "key_layout_for",
    "layout_columns",
    "layout_for",
    "summarize_maps",
]

CELL_CHARS = 200
"""Longest text a cell holds (no column is wider)."""

Form = Literal["text", "time", "first_line", "count", "id"]
"""How a cell shows its value; `id` cuts a long one in the middle, where ids are alike
(`session-1767…-ihks6i`), and keeps both ends."""


@dataclass(frozen=True)
class Field:
    """One column: its title, width (0: the remaining width), what it shows and how.

    `source` is a record field name, or `@key` (the map key), `@value` (the whole entry),
    `@rest` (the fields no other column shows), `@last` (the last record of a list entry,
    summed up)."""

    title: str
    width: int
    source: str
    form: Form = "text"


@dataclass(frozen=True)
class MapLayout:
    fields: tuple[Field, ...]
    per_key_lists: bool = False
    """Entries are arrays of records (per session, per project): one row per record."""

    @property
    def hidden_from_rest(self) -> frozenset[str]:
        """Fields `@rest` leaves out: those other columns show, and the ids the key repeats."""
        return frozenset(field.source for field in self.fields) | ID_FIELDS


ID_FIELDS = frozenset({"id", "sessionId"})
"""Fields that repeat what the key column already shows."""


def _key(title: str, width: int = 20) -> Field:
    return Field(title, width, "@key", "id")


_TIME = 19
_LAYOUTS: dict[str, MapLayout] = {
    "sessions": MapLayout(
        (
            Field("id", 20, "id", "id"),
            Field("status", 12, "status"),
            Field("user", 10, "user"),
            Field("cwd", 0, "cwd"),
            Field("started", _TIME, "startedAt", "time"),
        )
    ),
    "events": MapLayout(
        (
            _key("session"),
            Field("time", _TIME, "timestamp", "time"),
            Field("type", 18, "type"),
            Field("detail", 0, "@rest"),
        ),
        per_key_lists=True,
    ),
    "chains": MapLayout(
        (
            _key("session"),
            Field("id", 14, "id", "id"),
            Field("status", 11, "status"),
            Field("steps", 5, "steps", "count"),
            Field("title", 0, "title", "first_line"),
        ),
        per_key_lists=True,
    ),
    "chatHistory": MapLayout(
        (
            _key("session"),
            Field("role", 9, "role"),
            Field("time", _TIME, "timestamp", "time"),
            Field("first line", 0, "content", "first_line"),
        ),
        per_key_lists=True,
    ),
    "sessionsByUser": MapLayout(
        (_key("user"), Field("sessions", 8, "@value", "count"), Field("ids", 0, "@value"))
    ),
    "commandsQueue": MapLayout(
        (
            _key("session"),
            Field("time", _TIME, "timestamp", "time"),
            Field("type", 16, "type"),
            Field("detail", 0, "@rest"),
        ),
        per_key_lists=True,
    ),
    "inputQueue": MapLayout(
        (
            _key("session"),
            Field("time", _TIME, "timestamp", "time"),
            Field("type", 10, "type"),
            Field("value", 0, "value", "first_line"),
        ),
        per_key_lists=True,
    ),
    "followedSessions": MapLayout((Field("session", 0, "@value"),)),
    "sessionWindowConfigs": MapLayout((_key("session"), Field("config", 0, "@value"))),
    "frequencies": MapLayout(
        (
            _key("key", 36),
            Field("action", 18, "actionType"),
            Field("count", 6, "count"),
            Field("last seen", _TIME, "lastSeen", "time"),
        )
    ),
    "bookmarks": MapLayout(
        (
            Field("id", 12, "id", "id"),
            Field("session", 20, "sessionId", "id"),
            Field("category", 14, "category"),
            Field("content", 0, "messageContent", "first_line"),
        )
    ),
    "patterns": MapLayout(
        (
            Field("id", 12, "id", "id"),
            Field("type", 12, "patternType"),
            Field("confidence", 10, "confidence"),
            Field("description", 0, "description", "first_line"),
        )
    ),
    "harmonyChecks": MapLayout(
        (
            _key("session"),
            Field("time", _TIME, "timestamp", "time"),
            Field("result", 9, "result"),
            Field("text", 0, "text", "first_line"),
        ),
        per_key_lists=True,
    ),
    "harmonyChecksByProject": MapLayout(
        (
            _key("project"),
            Field("time", _TIME, "timestamp", "time"),
            Field("result", 9, "result"),
            Field("text", 0, "text", "first_line"),
        ),
        per_key_lists=True,
    ),
    "dossiers": MapLayout(
        (
            Field("id", 12, "id", "id"),
            Field("status", 10, "status"),
            Field("updated", _TIME, "updatedAt", "time"),
            Field("name", 0, "name", "first_line"),
        )
    ),
    "suggestions": MapLayout(
        (
            Field("id", 12, "id", "id"),
            Field("type", 18, "type"),
            Field("needed", 16, "needed"),
            Field("reason", 0, "reason", "first_line"),
        )
    ),
    "telemetryEntries": MapLayout(
        (
            Field("time", _TIME, "timestamp", "time"),
            Field("level", 5, "level"),
            Field("source", 16, "source"),
            Field("message", 0, "message", "first_line"),
        )
    ),
    "reminderInstances": MapLayout(
        (
            Field("id", 14, "id", "id"),
            Field("session", 20, "sessionId", "id"),
            Field("addressed", 9, "addressed"),
            Field("text", 0, "reminderText", "first_line"),
        )
    ),
    "sessionTtlExtensions": MapLayout(
        (
            _key("session"),
            Field("expires", _TIME, "expiresAt", "time"),
            Field("extensions", 10, "extensionCount"),
        )
    ),
    "resourceFreshness": MapLayout((_key("resource", 0), Field("time", _TIME, "@value", "time"))),
}
_GENERIC = MapLayout((_key("key", 30), Field("value", 0, "@value")))


def layout_for(map_name: str) -> MapLayout:
    """The columns for a map: its own layout if we know it, else key and summary."""
    return _LAYOUTS.get(map_name, _GENERIC)


def key_layout_for(map_name: str) -> MapLayout:
    """The columns for a map shown one row per key (a live map, read a page of keys at a
    time, whose record counts are unknown until read): maps of per-key lists show the key,
    how many records it holds, and the last one; other maps their usual layout."""
    layout = layout_for(map_name)
    if not layout.per_key_lists:
        return layout
    key = layout.fields[0] if layout.fields[0].source == "@key" else _key("key")
    return MapLayout((key, Field("records", 7, "@value", "count"), Field("last", 0, "@last")))


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


def layout_columns(layout: MapLayout) -> list[Column]:
    return [Column(field.title, field.width) for field in layout.fields]


def entry_search_text(key: str, entry: Any) -> str:
    """What `/` searches: the key and the entry's JSON, lower-cased."""
    try:
        raw = orjson.dumps(entry)
    except (TypeError, orjson.JSONEncodeError):
        raw = js_dumps(entry)
    return (key + "\n" + raw.decode("utf-8", "replace")).lower()


class MapRows:
    """One map's rows for the entries table: (key, position in the key's list or None)."""

    def __init__(
        self,
        name: str,
        entries: dict[str, Any],
        rows: Sequence[tuple[str, int | None]] | None = None,
        layout: MapLayout | None = None,
    ) -> None:
        self.name = name
        self.layout = layout or layout_for(name)
        self._entries = entries
        self._rows = list(rows) if rows is not None else self._all_rows()

    @classmethod
    def of_map(cls, name: str, value: Any) -> MapRows:
        return cls(name, map_entries(value))

    def _all_rows(self) -> list[tuple[str, int | None]]:
        if not self.layout.per_key_lists:
            return [(key, None) for key in self._entries]
        rows: list[tuple[str, int | None]] = []
        for key, value in self._entries.items():
            if isinstance(value, list):
                rows.extend((key, index) for index in range(len(value)))
            else:
                rows.append((key, None))
        return rows

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def columns(self) -> list[Column]:
        return layout_columns(self.layout)

    @property
    def key_count(self) -> int:
        return len(self._entries)

    def key(self, row: int) -> str:
        return self._rows[row][0]

    def label(self, row: int) -> str:
        """The row's address: `sess_a1` or, for one record of a list, `sess_a1 [3]`."""
        key, index = self._rows[row]
        return key if index is None else f"{key} [{index}]"

    def entry(self, row: int) -> Any:
        key, index = self._rows[row]
        value = self._entries[key]
        return value if index is None else value[index]

    def cells(self, row: int) -> list[Text]:
        return entry_cells(self.layout, self.key(row), self.entry(row))

    def matching(self, query: str, keep_going: Callable[[], bool]) -> MapRows | None:
        """The rows whose key or JSON contains `query` (any case); None if stopped early."""
        needle = query.lower()
        found = []
        for row, address in enumerate(self._rows):
            if row % 1024 == 0 and not keep_going():
                return None
            if needle in entry_search_text(address[0], self.entry(row)):
                found.append(address)
        return MapRows(self.name, self._entries, found, self.layout)


@dataclass(frozen=True)
class MapSummary:
    """One map of a snapshot: its entries, and for maps of per-key lists, their records."""

    name: str
    keys: int
    records: int | None


def summarize_maps(data: Any) -> list[MapSummary]:
    """Every map of a `data` object, in file order."""
    if not isinstance(data, dict):
        return []
    summaries = []
    for name, value in data.items():
        keys = len(value) if isinstance(value, dict | list) else 0
        records = None
        if layout_for(name).per_key_lists and isinstance(value, dict):
            records = sum(len(item) if isinstance(item, list) else 1 for item in value.values())
        summaries.append(MapSummary(name, keys, records))
    return summaries


class MapSummaryRows:
    """Row source for the list of maps."""

    def __init__(self, summaries: Sequence[MapSummary]) -> None:
        self.summaries = summaries

    def __len__(self) -> int:
        return len(self.summaries)

    def cells(self, row: int) -> list[Text]:
        """The map's name, and how many rows its table has: its entries, or for per-key lists
        their records (the crumbs of an open map say both: `15 entries · 752 records`)."""
        summary = self.summaries[row]
        dim = "" if summary.keys else "dim"
        rows = summary.keys if summary.records is None else summary.records
        return [safe_text(summary.name, dim), Text(f"{rows:,}", dim)]

"""Which columns each map's entries show: the per-map layouts, and the generic one.

A map whose entries are arrays of records per session (events, chatHistory, chains, …) shows
one row per record, keyed by the session; every other map shows one row per entry. A map we
do not know gets a generic key / summary layout. What a cell holds is
`statesnap.tui.rows.entry_cells`; a map's rows, `statesnap.tui.rows.map_rows`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from statesnap.tui.rows.columns import Column

__all__ = [
    "ID_FIELDS",
    "Field",
    "Form",
    "MapLayout",
    "key_layout_for",
    "layout_columns",
    "layout_for",
]

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


def layout_columns(layout: MapLayout) -> list[Column]:
    """The table columns of a layout."""
    return [Column(field.title, field.width) for field in layout.fields]

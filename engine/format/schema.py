"""The 19 maps of a snapshot's `data` object: their names, order and shapes, described once.

Every part of statesnap that needs to know what a map holds asks here: the storages (how to
keep and cascade each map), the file reader (entry counts), the demo (ready-made states) and
`statesnap import` (whether a data object can be imported). A map this module does not name
is unknown: kept as read, in place, and written back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

__all__ = [
    "ARRAY_MAPS",
    "DATA_KEYS",
    "FINISHED_SESSION_STATUSES",
    "LIST_MAPS",
    "MAPS",
    "OBJECT_MAPS",
    "SESSION_LIST_MAPS",
    "SESSION_OBJECT_MAPS",
    "ImportShapeError",
    "MapShape",
    "MapSpec",
    "check_import_shape",
    "empty_map",
    "entry_count",
    "is_finished",
    "map_counts",
    "map_shape",
]


class MapShape(StrEnum):
    """What one map holds."""

    SESSIONS = "sessions"
    """An array of session records, each known by its string `id` (kept keyed by it)."""
    ARRAY = "array"
    """A plain array: followedSessions (a set of session ids), telemetryEntries (a ring)."""
    ID_SETS = "id_sets"
    """An object of arrays of session ids, each a set: sessionsByUser (user -> ids)."""
    ARRAYS = "arrays"
    """An object of arrays appended to in order (a session's events, a project's checks)."""
    VALUES = "values"
    """An object of any JSON values (bookmarks by id, frequencies, freshness stamps…)."""

    @property
    def is_array(self) -> bool:
        """Whether the map itself is a JSON array (else it is a JSON object)."""
        return self in (MapShape.SESSIONS, MapShape.ARRAY)


@dataclass(frozen=True)
class MapSpec:
    """One map of the format."""

    name: str
    shape: MapShape
    per_session: bool = False
    """Keyed by session id: deleting a session deletes its entry here."""


MAPS: Final[tuple[MapSpec, ...]] = (
    MapSpec("sessions", MapShape.SESSIONS),
    MapSpec("events", MapShape.ARRAYS, per_session=True),
    MapSpec("chains", MapShape.ARRAYS, per_session=True),
    MapSpec("chatHistory", MapShape.ARRAYS, per_session=True),
    MapSpec("sessionsByUser", MapShape.ID_SETS),
    MapSpec("commandsQueue", MapShape.ARRAYS, per_session=True),
    MapSpec("inputQueue", MapShape.ARRAYS, per_session=True),
    MapSpec("followedSessions", MapShape.ARRAY),
    MapSpec("sessionWindowConfigs", MapShape.VALUES, per_session=True),
    MapSpec("frequencies", MapShape.VALUES),
    MapSpec("bookmarks", MapShape.VALUES),
    MapSpec("patterns", MapShape.VALUES),
    MapSpec("harmonyChecks", MapShape.ARRAYS, per_session=True),
    MapSpec("harmonyChecksByProject", MapShape.ARRAYS),
    MapSpec("dossiers", MapShape.VALUES),
    MapSpec("suggestions", MapShape.VALUES),
    MapSpec("telemetryEntries", MapShape.ARRAY),
    MapSpec("sessionTtlExtensions", MapShape.VALUES, per_session=True),
    MapSpec("resourceFreshness", MapShape.VALUES),
)
"""The 19 maps, in the order the original writes them."""

DATA_KEYS: Final[tuple[str, ...]] = tuple(spec.name for spec in MAPS)
"""The names of the 19 maps, in the order the original writes them."""

_SHAPES: Final = {spec.name: spec.shape for spec in MAPS}


def _named(shape: MapShape, *, per_session: bool | None = None) -> tuple[str, ...]:
    return tuple(
        spec.name
        for spec in MAPS
        if spec.shape is shape and (per_session is None or spec.per_session == per_session)
    )


LIST_MAPS: Final = _named(MapShape.ARRAYS)
"""Maps of key -> array (appended to, in order)."""
SESSION_LIST_MAPS: Final = _named(MapShape.ARRAYS, per_session=True)
"""The list maps keyed by session id."""
OBJECT_MAPS: Final = _named(MapShape.VALUES)
"""Maps of key -> any JSON value."""
SESSION_OBJECT_MAPS: Final = _named(MapShape.VALUES, per_session=True)
"""The object maps keyed by session id."""
ARRAY_MAPS: Final = _named(MapShape.ARRAY)
"""Known maps that are plain arrays, not objects: they have no entries by key."""

FINISHED_SESSION_STATUSES: Final = frozenset({"completed", "failed", "ended"})
"""Session statuses that end a session (and make it eligible for eviction)."""


def map_shape(name: str) -> MapShape | None:
    """The shape of a known map; None for a map the format does not name."""
    return _SHAPES.get(name)


def is_finished(session: Any) -> bool:
    """Whether a session record's status says the session has ended."""
    return isinstance(session, dict) and session.get("status") in FINISHED_SESSION_STATUSES


def empty_map(name: str) -> list[Any] | dict[str, Any]:
    """A new empty value for a map: an array for the array maps, else an object (also for a
    map the format does not name)."""
    shape = _SHAPES.get(name)
    return [] if shape is not None and shape.is_array else {}


def entry_count(value: Any) -> int:
    """Entries in one map's value: keys of an object, items of an array, 0 for anything else."""
    return len(value) if isinstance(value, dict | list) else 0


def map_counts(data: Any) -> dict[str, int]:
    """Entries per top-level map of a data object, in its own key order ({} if not an object)."""
    if not isinstance(data, dict):
        return {}
    return {key: entry_count(value) for key, value in data.items()}


class ImportShapeError(ValueError):
    """A data object that cannot be imported; the message names the first key at fault."""


def check_import_shape(data: Any) -> None:
    """Raise ImportShapeError unless `data` is an object whose known maps have their shapes.

    A missing known map is fine (it imports as empty), so is an unknown key (kept as it is).
    Sessions must be objects with a string `id`; sessionsByUser's members must be arrays.
    The message holds the data's own keys raw: escape it before showing it on a terminal.
    """
    if not isinstance(data, dict):
        raise ImportShapeError("import expects a JSON object (a snapshot's data object)")
    for spec in MAPS:
        if spec.name not in data:
            continue
        value = data[spec.name]
        expected = list if spec.shape.is_array else dict
        if not isinstance(value, expected):
            kind = "an array" if expected is list else "an object"
            raise ImportShapeError(f'"{spec.name}" must be {kind}, not {type(value).__name__}')
        if spec.shape is MapShape.SESSIONS:
            for index, session in enumerate(value):
                if not isinstance(session, dict) or not isinstance(session.get("id"), str):
                    raise ImportShapeError(
                        f'"{spec.name}"[{index}] must be an object with a string "id"'
                    )
        elif spec.shape is MapShape.ID_SETS and isinstance(value, dict):
            for user, members in value.items():
                if not isinstance(members, list):
                    raise ImportShapeError(f'"{spec.name}"."{user}" must be an array')

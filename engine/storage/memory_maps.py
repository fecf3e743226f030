"""The containers `MemoryStorage` keeps its maps in, and each map as a snapshot's `data` shows it.

Sessions are a dict by id (insertion order), set-like maps are dicts of keys to None, the
telemetry a capped deque; the list and object maps are dicts, as in a snapshot. Maps the
format does not name are kept as they were read (`extra`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from statesnap.engine.format.schema import DATA_KEYS, LIST_MAPS, OBJECT_MAPS, entry_count
from statesnap.engine.storage.records import check_keyed_map

__all__ = ["MemoryMaps"]


@dataclass
class MemoryMaps:
    """Every map's container; `file_order` is the key order of the last restored file."""

    max_telemetry_entries: int
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    lists: dict[str, dict[str, list[Any]]] = field(
        default_factory=lambda: {name: {} for name in LIST_MAPS}
    )
    users: dict[str, dict[str, None]] = field(default_factory=dict)
    followed: dict[str, None] = field(default_factory=dict)
    telemetry: deque[Any] = field(init=False)
    objects: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {name: {} for name in OBJECT_MAPS}
    )
    extra: dict[str, Any] = field(default_factory=dict)
    file_order: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.telemetry = deque(maxlen=self.max_telemetry_entries)

    def names(self) -> list[str]:
        """Every map held, in snapshot key order (the last restored file's, then the rest)."""
        order = list(self.file_order)
        seen = set(order)
        order += [name for name in DATA_KEYS if name not in seen]
        order += [name for name in self.extra if name not in seen]
        return order

    def holds(self, name: str) -> bool:
        return name in DATA_KEYS or name in self.extra

    def rendered(self, name: str) -> Any:
        """A map as a snapshot's `data` holds it, made of references to the live objects."""
        if name not in DATA_KEYS:
            return self.extra[name]
        if name == "sessions":
            return list(self.sessions.values())
        if name == "sessionsByUser":
            return {user: list(ids) for user, ids in self.users.items()}
        if name == "followedSessions":
            return list(self.followed)
        if name == "telemetryEntries":
            return list(self.telemetry)
        if name in self.lists:
            return self.lists[name]
        return self.objects[name]

    def size(self, name: str) -> int:
        return entry_count(self.rendered(name))

    def object_map(self, name: str, *, create: bool) -> dict[str, Any] | None:
        """The dict holding a map's entries by key (None for an unknown map not held, unless
        `create`); TypeError for an array map or an unknown map that is not an object."""
        if name in self.lists:
            return self.lists[name]
        if name in self.objects:
            return self.objects[name]
        check_keyed_map(name)
        if name not in self.extra:
            if not create:
                return None
            self.extra[name] = {}
        container = self.extra[name]
        if not isinstance(container, dict):
            raise TypeError(f"{name} holds a {type(container).__name__}, not a map of entries")
        return container

    def drop_member(self, user: str, session_id: str) -> None:
        """Remove a session from a user's set (and the user once the set is empty)."""
        members = self.users.get(user)
        if members is not None:
            members.pop(session_id, None)
            if not members:
                del self.users[user]

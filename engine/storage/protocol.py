"""The `Storage` protocol: what a dev server uses of its state store, in every mode.

Each method is documented here, once. The storages (`MemoryStorage`, `RedisStorage`,
`ResilientStorage`) document only where they differ. In memory mode returned records are the
live stored objects; in Redis mode they are decoded copies, so write a changed record back
(`set_session`, `set_entry`).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["Storage"]


@runtime_checkable
class Storage(Protocol):
    """What a dev server uses of its state store, in every mode (see the module doc)."""

    @property
    def mode(self) -> str:
        """`"memory"`, `"redis"`, or `"fallback"` (Redis unreachable, memory serving)."""
        ...

    # -- sessions -----------------------------------------------------------------------

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        """The session record, or None."""
        ...

    def set_session(self, session: dict[str, Any]) -> None:
        """Insert the session, or replace the one with its `id` (which keeps its place).

        Adds it to `sessionsByUser` under its `user` (and drops it from a previous user's
        set), stamps `session:<id>` fresh in `resourceFreshness`, and, when more than the
        storage's `max_sessions` are held after an insert, evicts the oldest finished sessions
        (never the one just inserted). Raises TypeError/ValueError unless `session` is a dict
        with a string `id`.
        """
        ...

    def list_sessions(self) -> list[dict[str, Any]]:
        """All sessions, oldest insert first."""
        ...

    def delete_session(self, session_id: str) -> bool:
        """Delete a session and everything kept for it; whether the session existed.

        Cascades over events, chains, chat, queues, harmony checks, window config, TTL
        extension, followed sessions, `sessionsByUser` and its freshness stamps.
        """
        ...

    def sessions_for_user(self, user: str) -> list[str]:
        """The ids of the user's sessions, in the order they were added."""
        ...

    # -- per-session arrays ---------------------------------------------------------------

    def append_event(self, session_id: str, event: Any) -> None:
        """Append an event to the session's events (dropping the oldest beyond the cap) and
        stamp `events:<session_id>` fresh."""
        ...

    def get_events(self, session_id: str) -> list[Any]:
        """The session's events, oldest first."""
        ...

    def get_events_since(self, session_id: str, iso_timestamp: str) -> list[Any]:
        """The session's events whose `timestamp` is at or after `iso_timestamp`, oldest
        first. Raises ValueError if `iso_timestamp` is not an ISO-8601 time."""
        ...

    def add_chain(self, session_id: str, chain: dict[str, Any]) -> None:
        """Append a chain record to the session's chains (each update is appended, as the
        original does) and stamp `chain:<chain id>` fresh."""
        ...

    def get_chains(self, session_id: str) -> list[dict[str, Any]]:
        """The session's chain records, oldest first."""
        ...

    def append_chat_message(self, session_id: str, message: Any) -> None:
        """Append a message to the session's chat history."""
        ...

    def get_chat_history(self, session_id: str) -> list[Any]:
        """The session's chat messages, oldest first."""
        ...

    def queue_command(self, session_id: str, command: Any) -> None:
        """Queue a command for the session (taken in order by `take_commands`)."""
        ...

    def take_commands(self, session_id: str) -> list[Any]:
        """Remove and return the session's queued commands, oldest first."""
        ...

    def queue_input(self, session_id: str, value: Any) -> None:
        """Queue user input for the session (taken in order by `take_input`)."""
        ...

    def take_input(self, session_id: str) -> list[Any]:
        """Remove and return the session's queued input, oldest first."""
        ...

    # -- followed sessions, bookmarks, telemetry, TTL -------------------------------------

    def follow_session(self, session_id: str) -> None:
        """Add the session to the followed set (a session already followed keeps its place)."""
        ...

    def unfollow_session(self, session_id: str) -> bool:
        """Remove the session from the followed set; whether it was followed."""
        ...

    def followed_sessions(self) -> list[str]:
        """The followed session ids, in the order they were first followed."""
        ...

    def add_bookmark(self, bookmark: dict[str, Any]) -> None:
        """Store a bookmark under its `id` (replacing one with the same id, in place).
        Raises TypeError/ValueError unless it is a dict with a string `id`."""
        ...

    def get_bookmarks(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """The bookmarks, oldest first; only the session's if `session_id` is given."""
        ...

    def delete_bookmark(self, bookmark_id: str) -> bool:
        """Delete a bookmark; whether it existed."""
        ...

    def add_telemetry(self, entry: Any) -> None:
        """Append a telemetry entry to the ring buffer (the oldest drops out beyond the cap)."""
        ...

    def telemetry_entries(self) -> list[Any]:
        """The telemetry entries held, oldest first."""
        ...

    def extend_session_ttl(self, session_id: str, duration_ms: int) -> dict[str, Any]:
        """Set the session's expiry to now + `duration_ms` and count the extension; the stored
        record `{"expiresAt": <epoch ms>, "extensionCount": n}`."""
        ...

    # -- any map --------------------------------------------------------------------------

    def get_entry(self, map_name: str, key: str) -> Any:
        """The value under `key` in any object-shaped map, known or not, or None (also for an
        absent map). `sessions` is keyed by session id. Raises TypeError for a map that is an
        array (followedSessions, telemetryEntries)."""
        ...

    def set_entry(self, map_name: str, key: str, value: Any) -> None:
        """Store `value` under `key` in `map_name`; an unknown map is created.

        `sessions` goes through `set_session` (the value must be a dict whose `id` is `key`);
        list maps take a list, `sessionsByUser` a list of session ids. Raises TypeError or
        ValueError for a value of the wrong shape or a map that is an array.
        """
        ...

    def delete_entry(self, map_name: str, key: str) -> bool:
        """Delete `key` from `map_name` (a session: with its cascade); whether it existed."""
        ...

    def map_names(self) -> list[str]:
        """Every map held, in snapshot key order."""
        ...

    def map_size(self, map_name: str) -> int:
        """Entries in one map (keys of an object, items of an array); KeyError for a map not
        held."""
        ...

    def count_entries(self) -> dict[str, int]:
        """Entries per map, in `map_names()` order."""
        ...

    def read_maps(self) -> dict[str, Any]:
        """Every map's content, shaped as in a snapshot's `data` (for browsing the live state)."""
        ...

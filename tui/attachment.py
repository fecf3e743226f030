"""What the dashboard needs from a running server, and the one it attaches to.

`Attachment` is all the screens know: `StatesnapApp.attachment` is one, or None (then the
actions that need a server, snapshot now and undo roll-back, show as disabled and say
`NO_SERVER`). `ServerAttachment` is the real one: the server whose discovery record names the
snapshot directory, driven through its control channel (`statesnap.engine.ControlClient`), which
also reads the server's status and its live state (maps, pages of entries, one entry).
"""

from __future__ import annotations

from typing import Any, Protocol

from statesnap.engine import ControlClient, EntryPage, MapSummary, ServerInfo, ServiceStatus

__all__ = ["NO_SERVER", "Attachment", "ServerAttachment"]

NO_SERVER = (
    "no server attached: none serves this directory (a dev server embedding statesnap does;"
    " `statesnap demo` runs one on a directory of its own)"
)
QUICK_TIMEOUT_S = 10.0
"""How long a read the dashboard repeats every few seconds (status, a page) may take: a server
that is stuck shows as a problem instead of a worker that waits half a minute."""


class Attachment(Protocol):
    """A running server. Each call blocks (the dashboard calls it from a thread worker),
    returns what happened in words, and raises an exception with a readable message if the
    server refused or could not be reached."""

    @property
    def pid(self) -> int: ...

    @property
    def mode(self) -> str:
        """The storage mode it started in (`memory`, `redis`); `status()` says the current one
        (`fallback` while Redis is down)."""
        ...

    @property
    def label(self) -> str:
        """For the header: `pid 4242 · memory`."""
        ...

    def snapshot_now(self) -> str: ...

    def rollback(self, name: str, *, pin: bool = False) -> str:
        """Save the live state (the undo point), then restore the listed file `name` (with
        `pin`, the pin of that name)."""
        ...

    def undo(self) -> str:
        """Go back, once, to the state before the last roll-back."""
        ...

    def hold(self, name: str, seconds: int) -> None:
        """Keep the file `name` out of the server's rotation for `seconds` (0: let it go)."""
        ...

    def status(self) -> ServiceStatus:
        """Mode, last save, undo point, per-map counts (for the header and the live entry)."""
        ...

    def maps(self) -> list[MapSummary]:
        """The live state's maps with their sizes."""
        ...

    def entries(
        self, map_name: str, offset: int, limit: int, *, after: str | None = None
    ) -> EntryPage:
        """Up to `limit` entries of one live map from `offset`, or just past the key `after`
        while the map holds it (the server caps `limit`)."""
        ...

    def entry(self, map_name: str, key: str) -> Any:
        """One live entry's value, in full."""
        ...


class ServerAttachment:
    """The server found for the directory (`statesnap.engine.find_server`), over its control
    channel."""

    def __init__(self, info: ServerInfo) -> None:
        self.info = info
        self._client = ControlClient(info)
        self._quick = ControlClient(info, timeout_s=QUICK_TIMEOUT_S)

    @property
    def pid(self) -> int:
        return self.info.pid

    @property
    def mode(self) -> str:
        return self.info.mode

    @property
    def label(self) -> str:
        return f"pid {self.pid} · {self.mode}"

    def snapshot_now(self) -> str:
        return f"The server wrote {self._client.snapshot()}."

    def rollback(self, name: str, *, pin: bool = False) -> str:
        result = self._client.rollback(name, pin=pin)
        return (
            f"The server now holds the state of {result.restored} (saved as "
            f"{result.after.name}); its state before is in {result.undo_point.name} (u undoes)."
            " Nothing was deleted."
        )

    def undo(self) -> str:
        result = self._client.undo()
        return (
            f"Roll-back undone: the server is back to its state before it (saved as "
            f"{result.after.name}); the state it left is in {result.undo_point.name}."
        )

    def hold(self, name: str, seconds: int) -> None:
        self._quick.hold(name, seconds)

    def status(self) -> ServiceStatus:
        return self._quick.status()

    def maps(self) -> list[MapSummary]:
        return self._quick.maps()

    def entries(
        self, map_name: str, offset: int, limit: int, *, after: str | None = None
    ) -> EntryPage:
        return self._quick.entries(map_name, offset, limit, after=after)

    def entry(self, map_name: str, key: str) -> Any:
        return self._quick.entry(map_name, key).value

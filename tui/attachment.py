"""What the dashboard needs from a running server, and the one it attaches to.

`Attachment` is all the screens know: `StatesnapApp.attachment` is one, or None (then the
actions that need a server, snapshot now and undo roll-back, show as disabled and say
`NO_SERVER`). `ServerAttachment` is the real one: the server whose discovery record names the
snapshot directory, driven through its control channel (`engine.ControlClient`).
"""

from __future__ import annotations

from typing import Protocol

from engine import ControlClient, ServerInfo

__all__ = ["NO_SERVER", "Attachment", "ServerAttachment"]

NO_SERVER = "no server attached: start one with `statesnap demo`"


class Attachment(Protocol):
    """A running server. Each call blocks (the dashboard calls it from a thread worker),
    returns what happened in words, and raises an exception with a readable message if the
    server refused or could not be reached."""

    @property
    def label(self) -> str:
        """For the header: `pid 4242 · memory`."""
        ...

    def snapshot_now(self) -> str: ...

    def rollback(self, name: str) -> str:
        """Save the live state (the undo point), then restore the listed file `name`."""
        ...

    def undo(self) -> str:
        """Go back to the state before the last roll-back."""
        ...


class ServerAttachment:
    """The server found for the directory (`engine.find_server`), over its control channel."""

    def __init__(self, info: ServerInfo) -> None:
        self.info = info
        self._client = ControlClient(info)

    @property
    def label(self) -> str:
        return f"pid {self.info.pid} · {self.info.mode}"

    def snapshot_now(self) -> str:
        return f"The server wrote {self._client.snapshot()}."

    def rollback(self, name: str) -> str:
        result = self._client.rollback(name)
        return (
            f"The server now holds the state of {result.restored} (saved as "
            f"{result.after.name}); its state before is in {result.undo_point.name} (u undoes)."
        )

    def undo(self) -> str:
        result = self._client.undo()
        return (
            f"Roll-back undone: the server is back to its state before it (saved as "
            f"{result.after.name})."
        )

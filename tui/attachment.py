"""What the dashboard needs from a running server it is attached to.

Nothing attaches yet, so `StatesnapApp.attachment` is None and the actions that need a server
(snapshot now, undo roll-back) show as disabled and say `NO_SERVER`. An object with these
methods, set as the attachment, enables them without a change to the screens.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["NO_SERVER", "Attachment"]

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

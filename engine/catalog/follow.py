"""Following a snapshot directory: a look at it now, and looks for as long as the caller
wants, whatever happens to it.

watchfiles reports changes within ~50 ms, and a fresh look every `RECHECK_S` notices what a
watch cannot see (the directory deleted, or renamed away and another put in its place: the
watch stays on the old one), or cannot survive (unreadable, not a directory), and when the
directory comes back.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from statesnap.engine.catalog.records import CatalogChange, CatalogUpdate, DirectoryState

__all__ = ["RECHECK_S", "DirectoryFollower"]

RECHECK_S = 0.5
"""How often `follow()` looks at the directory afresh, events or not."""

DirectoryIdentity = tuple[int, int]
"""(st_dev, st_ino): a directory put in the place of another has another identity."""


def _identity(directory: Path) -> DirectoryIdentity | None:
    """The directory's identity; None if nothing is at its path."""
    try:
        info = os.stat(directory)
    except FileNotFoundError:
        return None
    return (info.st_dev, info.st_ino)


def _os_words(exc: OSError) -> str:
    """`Permission denied`, `Not a directory`: what the system says."""
    return exc.strerror or str(exc)


class DirectoryFollower:
    """Looks at one directory through a listing: `relist()` lists it again and says what
    changed (OSError if it cannot be listed), `unlist()` empties the listing."""

    def __init__(
        self,
        directory: Path,
        relist: Callable[[], tuple[CatalogChange, ...]],
        unlist: Callable[[], None],
    ) -> None:
        self.directory = directory
        self._relist = relist
        self._unlist = unlist

    def look(self) -> tuple[DirectoryIdentity | None, CatalogUpdate]:
        """The directory's state and the listing's changes now, and the identity of the
        directory listed (None if it was not). Never raises OSError."""
        try:
            identity = _identity(self.directory)
            changes = self._relist()  # a missing directory lists as empty
        except OSError as exc:
            self._unlist()  # verdicts stay cached, for when it is readable again
            return None, CatalogUpdate(DirectoryState.UNREADABLE, problem=_os_words(exc))
        state = DirectoryState.MISSING if identity is None else DirectoryState.LISTED
        return identity, CatalogUpdate(state, changes)

    def follow(self, stop_event: threading.Event, recheck_s: float) -> Iterator[CatalogUpdate]:
        """A first update, then one whenever the listing or the directory's state changes,
        until `stop_event` is set."""
        shown: tuple[DirectoryState, str] | None = None
        for update in self._looks(stop_event, recheck_s):
            if update.changes or (update.state, update.problem) != shown:
                shown = (update.state, update.problem)
                yield update

    def _looks(self, stop_event: threading.Event, recheck_s: float) -> Iterator[CatalogUpdate]:
        """A look now; then, while the directory can be watched, one after each change to it
        and every `recheck_s`; while it cannot, one every `recheck_s`."""
        while not stop_event.is_set():
            identity, update = self.look()
            yield update
            if identity is None:
                stop_event.wait(recheck_s)
            else:
                yield from self._looks_while_there(identity, stop_event, recheck_s)

    def _looks_while_there(
        self, identity: DirectoryIdentity, stop_event: threading.Event, recheck_s: float
    ) -> Iterator[CatalogUpdate]:
        """Watch the directory: a look after each change to it and every `recheck_s`, until
        it is no longer the directory of that identity, or `stop_event` is set."""
        from watchfiles import watch  # noqa: PLC0415 - loaded by the watchers alone (start-up)

        try:
            for _changes in watch(
                self.directory,
                watch_filter=None,  # any change wakes a look; the listing decides what counts
                debounce=50,
                step=10,
                rust_timeout=max(1, round(recheck_s * 1000)),
                yield_on_timeout=True,
                stop_event=stop_event,
                recursive=False,
                raise_interrupt=False,
            ):
                now, update = self.look()
                yield update
                if now != identity:
                    return
        except (OSError, RuntimeError):  # gone before the watch began, or no watch to be had
            stop_event.wait(recheck_s)

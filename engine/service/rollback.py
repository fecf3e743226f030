"""Roll-back and undo: the steps that save the live state, replace it and save the result, and
what they leave for later (the undo point, the files rotation must keep).

A roll-back's steps are a generator that yields each file to write and is sent the result, so
that one driver writes in the calling thread (`run_steps`) and another off the event loop
(`run_steps_async`), with the state taken and replaced where the generator runs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

from statesnap.engine.directory.files import list_snapshot_names, resolve_listed_name
from statesnap.engine.format.js_reader import js_loads
from statesnap.engine.format.snapshot_reading import read_snapshot
from statesnap.engine.service.errors import NothingToUndoError, RollbackNotSavedError
from statesnap.engine.service.records import RollbackResult, SaveResult
from statesnap.engine.service.saving import SnapshotWriter, TakenState
from statesnap.engine.travel.pins import pin_label, pin_path

__all__ = [
    "MAX_HOLD_S",
    "ROLLBACK_GRACE_S",
    "UNDO_LABEL",
    "RollSteps",
    "RollbackLedger",
    "read_listed",
    "read_target",
    "run_steps",
    "run_steps_async",
]

log = logging.getLogger(__name__)

UNDO_LABEL = "the state before the last roll-back"
MAX_HOLD_S = 3600.0
"""Longest a file can be held back from rotation by one `hold()`."""
ROLLBACK_GRACE_S = 900.0
"""How long after a roll-back (or its undo) rotation spares every file listed at that moment,
so that an older one can still be tried."""

RollStep = tuple[TakenState, str]
"""A file a roll-back writes: the state taken, and the reason it is saved."""
RollSteps = Generator[RollStep, SaveResult, RollbackResult]
"""A roll-back's steps: yields (data, reason) to write, is sent each SaveResult."""


def _restorable(path: Path, label: str, max_bytes: int) -> dict[str, Any]:
    found = read_snapshot(path, max_bytes=max_bytes)
    if not found.is_valid or not isinstance(found.data, dict):
        raise ValueError(f"{label} cannot be restored: {found.summary}")
    data: dict[str, Any] = found.data
    return data


def read_listed(directory: Path, name: str, max_bytes: int) -> dict[str, Any]:
    """The data of the listed file `name`; ValueError if it cannot be restored."""
    return _restorable(resolve_listed_name(directory, name), name, max_bytes)


def read_target(directory: Path, name: str, max_bytes: int, *, pin: bool) -> dict[str, Any]:
    """The data to roll back to: the listed file `name`, or (`pin`) the copy of pin `name`
    (`pin_path`, whose name check is the pins' own); ValueError (PinError for a pin that is
    not there or badly named) if it cannot be restored."""
    if not pin:
        return read_listed(directory, name, max_bytes)
    return _restorable(pin_path(directory, name), pin_label(name), max_bytes)


class RollbackLedger:
    """What the roll-backs of one service leave behind: the state the last one replaced (for
    one undo), its files, the files listed at it (spared for `grace_s`), and held files."""

    def __init__(self, directory: Path, grace_s: float) -> None:
        self.directory = directory
        self.grace_s = grace_s
        self._undo_json: bytes | None = None
        self._last_rollback: RollbackResult | None = None
        self._rollback_files: tuple[str, ...] = ()
        self._listed_at_rollback: tuple[str, ...] = ()
        self._grace_until = 0.0
        self._holds: dict[str, float] = {}

    def hold(self, name: str, seconds: float) -> None:
        """Keep the file `name` out of rotation for `seconds` (at most MAX_HOLD_S; 0 lets it
        go)."""
        if seconds <= 0:
            self._holds.pop(name, None)
        else:
            self._holds[name] = time.monotonic() + min(seconds, MAX_HOLD_S)

    def kept_names(self) -> tuple[str, ...]:
        """The files rotation must keep: the last roll-back's, those listed at it (during the
        grace period), and held ones."""
        now = time.monotonic()
        for name, until in list(self._holds.items()):
            if until <= now:
                self._holds.pop(name, None)
        listed = self._listed_at_rollback if now < self._grace_until else ()
        return tuple(dict.fromkeys((*self._rollback_files, *listed, *self._holds)))

    @property
    def can_undo(self) -> bool:
        return self._undo_json is not None

    @property
    def last_rollback(self) -> RollbackResult | None:
        """The roll-back an undo would undo (None: nothing to undo)."""
        return self._last_rollback if self.can_undo else None

    def undo_data(self) -> dict[str, Any]:
        """The state before the last roll-back; NothingToUndoError if there is none."""
        if self._undo_json is None:
            raise NothingToUndoError(
                "nothing to undo: the last roll-back was already undone"
                if self._rollback_files
                else "nothing to undo: there was no roll-back since the server started"
            )
        data: dict[str, Any] = js_loads(self._undo_json)
        return data

    def steps(
        self, writer: SnapshotWriter, data: dict[str, Any], label: str, *, undo: bool
    ) -> RollSteps:
        """The steps of a roll-back (or its undo): save the current state (on failure nothing
        changes), put `data` in its place, save that. No rotation; the files involved are
        kept by later ones."""
        listed = tuple(list_snapshot_names(self.directory))
        before = writer.take_exact()
        undo_point = yield before, "before undo" if undo else "before roll-back"
        if not undo:
            self._listed_at_rollback = listed
        self._grace_until = time.monotonic() + self.grace_s
        assert undo_point.path is not None
        after = writer.replace_state(data)
        self._undo_json = None if undo else before.data_json
        if undo:
            self._rollback_files = (*self._rollback_files, undo_point.path.name)
        else:
            self._rollback_files = (label, undo_point.path.name)
        try:
            restored = yield after, "undo" if undo else "roll-back"
        except OSError as exc:
            raise RollbackNotSavedError(label, exc) from exc
        assert restored.path is not None
        log.info("rolled back to %s (undo point %s)", label, undo_point.path.name)
        result = RollbackResult(label, undo_point.path, restored.path)
        self._last_rollback = None if undo else result
        return result


def _write_step(writer: SnapshotWriter, step: RollStep) -> SaveResult:
    return writer.write(step[0], step[1], skip_unchanged=False, rotate=False)


def _advance(steps: RollSteps, outcome: SaveResult | OSError) -> RollStep | RollbackResult:
    """Hand a write's outcome to the steps: the next file to write, or the result."""
    try:
        return steps.throw(outcome) if isinstance(outcome, OSError) else steps.send(outcome)
    except StopIteration as done:
        result: RollbackResult = done.value
        return result


def run_steps(writer: SnapshotWriter, steps: RollSteps) -> RollbackResult:
    """Take the steps, writing each file in this thread."""
    step: RollStep | RollbackResult = next(steps)
    while isinstance(step, tuple):
        try:
            outcome: SaveResult | OSError = _write_step(writer, step)
        except OSError as exc:
            outcome = exc
        step = _advance(steps, outcome)
    return step


async def run_steps_async(writer: SnapshotWriter, steps: RollSteps) -> RollbackResult:
    """Take the steps on the running loop, writing each file off it."""
    step: RollStep | RollbackResult = next(steps)
    while isinstance(step, tuple):
        try:
            outcome: SaveResult | OSError = await asyncio.to_thread(_write_step, writer, step)
        except OSError as exc:
            outcome = exc
        step = _advance(steps, outcome)
    return step

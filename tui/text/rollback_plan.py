"""What a roll-back or an undo will change, in words: the same facts for the dashboard's
confirmation and the command's prompt, counts first, then the names involved."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from pathlib import Path

from statesnap.engine import PINS_DIR, ServiceStatus, pin_label, rotation_victims
from statesnap.tui.text.formatting import format_duration

__all__ = ["ChangePlan", "command_hint", "plan_rollback", "plan_undo", "plan_unpin"]

_WRITES_BEFORE_NEXT_SAVE = 2
"""Files a live roll-back (or undo) adds before the server's next save: undo point, result."""


@dataclass(frozen=True)
class ChangePlan:
    """A destructive action explained: a title, what happens (one line each, counts first),
    and the files that go later, when the server's next save rotates (heading and names)."""

    title: str
    steps: tuple[str, ...]
    summary: str
    later_heading: str = ""
    later_deleted: tuple[str, ...] = ()


def command_hint(directory: Path, *words: str) -> str:
    """A `statesnap` command line for `directory` that works as typed, from where it was run."""
    return shlex.join(["statesnap", "--dir", str(directory), *words])


def _later(
    status: ServiceStatus, listed: list[str], protect: set[str]
) -> tuple[str, tuple[str, ...]]:
    """What the server's rotation does to the files listed now, once the roll-back's grace
    period is over (until then it deletes none of them)."""
    keep = status.max_snapshots
    window = max(keep - _WRITES_BEFORE_NEXT_SAVE - 1, 0)
    doomed = tuple(rotation_victims(listed, window, protect))
    kept = ", ".join([f"its {keep} newest files", *sorted(protect)]) + " and the undo point"
    if not doomed:
        return f"Its saves keep {kept}: none of the files listed now will be deleted.", ()
    plural = "s" if len(doomed) != 1 else ""
    goes = f"keep {kept}, and these {len(doomed)} file{plural} go:"
    if status.rollback_grace_s <= 0:  # a server that spares nothing after a roll-back
        return f"Its next save will {goes}", doomed
    grace = format_duration(status.rollback_grace_s)
    return (
        f"For {grace} its saves delete none of the files listed now, so you can try another;"
        f" after that they {goes}",
        doomed,
    )


def plan_rollback(
    target: str, listed: list[str], status: ServiceStatus | None, *, pin: bool = False
) -> ChangePlan:
    """A roll-back to the listed file `target` (with `pin`, to the pin of that name): on the
    attached server (`status` known), or offline (None). `listed` is the directory's listing,
    newest first."""
    if pin:
        return _pin_plan(target, listed, status)
    if status is None:
        return ChangePlan(
            title=f"Roll back to {target}?",
            steps=(
                f"No server is running: {target}'s state is written as a new, newest "
                "snapshot file, which the next server start loads.",
            ),
            summary="1 file written, none deleted.",
        )
    heading, doomed = _later(status, listed, {target})
    return ChangePlan(
        title=f"Roll back to {target}?",
        steps=(
            f"1. The server (pid {status.pid}) saves its current state as a new file: the "
            "undo point (u undoes the roll-back).",
            f"2. It loads {target}'s state and saves it as the newest file.",
        ),
        summary="2 files written, none deleted.",
        later_heading=heading,
        later_deleted=doomed,
    )


def _pin_plan(name: str, listed: list[str], status: ServiceStatus | None) -> ChangePlan:
    """A roll-back to pin `name`: the plan of a file's, naming the pin, which stays pinned."""
    plan = plan_rollback(pin_label(name), listed, status)
    if status is not None:
        heading, doomed = _later(status, listed, set())
        plan = replace(plan, later_heading=heading, later_deleted=doomed)
    kept = f"The pin stays as it is ({PINS_DIR}/{name}), out of rotation's reach."
    return replace(plan, steps=(*plan.steps, kept))


def plan_undo(status: ServiceStatus) -> ChangePlan:
    """Undoing the server's last roll-back (`status.last_rollback` must be set)."""
    last = status.last_rollback
    assert last is not None
    return ChangePlan(
        title=f"Undo the roll-back to {last.restored}?",
        steps=(
            f"1. The server (pid {status.pid}) saves its current state as a new file.",
            "2. It goes back to its state from before the roll-back (saved then as "
            f"{last.undo_point.name}) and saves it as the newest file.",
            "An undo happens once; roll back to a file to go anywhere else.",
        ),
        summary="2 files written, none deleted.",
    )


def plan_replace_pin(name: str, copy: Path, source: str) -> ChangePlan:
    """Pinning `source` as `name` where pin `name` (copy `copy`) exists: that copy goes."""
    return ChangePlan(
        title=f"Replace pin {name}?",
        steps=(
            f"delete the pinned copy of {copy.name}: {copy}",
            f"pin a copy of {source} as {name}",
        ),
        summary="no snapshot file in the directory is touched",
    )


def plan_unpin(name: str, copy: Path) -> ChangePlan:
    """Unpinning `name`, whose copy is `copy`: that copy goes, nothing else."""
    return ChangePlan(
        title=f"Unpin {name}?",
        steps=(f"delete the pinned copy of {copy.name}: {copy}",),
        summary="no snapshot file in the directory is touched",
    )

"""What a roll-back or an undo will change, in words (the pure plan behind both confirmations)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from statesnap.engine import RollbackResult, ServiceStatus
from statesnap.tui.text.rollback_plan import command_hint, plan_rollback, plan_undo

LISTED = [f"snapshot-2026-01-01T00-00-0{second}-000Z.json.gz" for second in range(9, 3, -1)]
"""Six files, newest first."""


def server(max_snapshots: int = 3, grace_s: float = 900.0) -> ServiceStatus:
    return ServiceStatus(
        pid=4242,
        mode="memory",
        directory=Path("snaps"),
        enabled=True,
        interval_s=10.0,
        max_snapshots=max_snapshots,
        running=True,
        last_save=None,
        restored_from=None,
        skipped=(),
        can_undo=False,
        rollback_grace_s=grace_s,
    )


def test_offline_writes_one_file_and_deletes_nothing() -> None:
    plan = plan_rollback(LISTED[-1], LISTED, None)
    assert plan.summary == "1 file written, none deleted."
    assert plan.later_deleted == ()


def test_live_names_what_rotation_deletes_after_the_grace() -> None:
    plan = plan_rollback(LISTED[-1], LISTED, server(max_snapshots=4))
    assert plan.summary == "2 files written, none deleted."
    assert plan.later_deleted == tuple(LISTED[1:-1])  # the newest stays, and the target
    assert plan.later_heading.startswith("For 15 min its saves delete none")


def test_without_a_grace_the_next_save_deletes_them() -> None:
    plan = plan_rollback(LISTED[0], LISTED, server(grace_s=0))
    assert plan.later_heading.startswith("Its next save will keep its 3 newest files")
    assert plan.later_deleted == tuple(LISTED[1:])


def test_a_server_that_keeps_enough_deletes_none_of_them() -> None:
    plan = plan_rollback(LISTED[2], LISTED, server(max_snapshots=20))
    assert plan.later_deleted == () and "none of the files listed now" in plan.later_heading


def test_undo_names_the_rollback_and_its_undo_point() -> None:
    last = RollbackResult(LISTED[3], Path("snaps") / LISTED[0], Path("snaps") / LISTED[1])
    plan = plan_undo(replace(server(), can_undo=True, last_rollback=last))
    assert plan.title == f"Undo the roll-back to {LISTED[3]}?"
    assert any(LISTED[0] in step for step in plan.steps)


def test_hints_are_commands_that_work_as_typed() -> None:
    assert command_hint(Path("my snaps"), "rollback", "--undo") == (
        "statesnap --dir 'my snaps' rollback --undo"
    )

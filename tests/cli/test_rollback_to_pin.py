"""`statesnap rollback --pin NAME`: the same safe, confirmed roll-back, to a pin. Offline it
writes one new snapshot from the pin's copy; through a real server it saves the undo point
first; neither deletes anything, and the pin stays. Real processes, real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from statesnap.engine import ControlClient, ControlError, list_snapshot_names, pin, pin_path
from statesnap.engine.control.wire import RequestError, decode_request

from tests.cli.test_cli import assert_one_line_error, statesnap
from tests.cli.test_data_safety import everything_in, many_snapshots, sessions_of
from tests.support.processes import DemoProcess


def test_offline_rollback_to_a_pin_writes_one_file_and_keeps_the_pin(tmp_path: Path) -> None:
    snaps = tmp_path / "snaps"
    names = many_snapshots(snaps, 4)
    pin(snaps, names[-1], "first")
    copy = pin_path(snaps, "first").read_bytes()

    asked = statesnap("--dir", str(snaps), "rollback", "--pin", "first", cwd=tmp_path)
    assert_one_line_error(asked, code=2)  # no terminal to ask on, no --yes
    assert b"Roll back to pin first?" in asked.stdout
    assert list_snapshot_names(snaps) == names

    rolled = statesnap("--dir", str(snaps), "rollback", "--pin", "first", "--yes", cwd=tmp_path)
    assert rolled.returncode == 0, rolled.stderr
    assert b"1 file written, none deleted" in rolled.stdout
    assert b"holding pin first's state" in rolled.stdout
    after = list_snapshot_names(snaps)
    assert len(after) == 5 and set(names) < set(after)
    assert sessions_of(snaps / after[0]) == sessions_of(snaps / names[-1])
    assert pin_path(snaps, "first").read_bytes() == copy


@pytest.mark.parametrize(
    ("name", "words"), [("nope", "no pin named 'nope'"), ("../x", "not a pin name")]
)
def test_rollback_to_a_pin_that_is_not_there_changes_nothing(
    tmp_path: Path, name: str, words: str
) -> None:
    snaps = tmp_path / "snaps"
    many_snapshots(snaps, 2)
    before = everything_in(snaps)
    result = statesnap("--dir", str(snaps), "rollback", "--pin", name, "--yes", cwd=tmp_path)
    assert words in assert_one_line_error(result)
    assert everything_in(snaps) == before


def test_live_rollback_to_a_pin_saves_the_undo_point_first(tmp_path: Path, runtime: Path) -> None:
    snaps = tmp_path / "snaps"
    names = many_snapshots(snaps, 2)
    pin(snaps, names[-1], "keep.me")
    pinned = sessions_of(pin_path(snaps, "keep.me"))
    with DemoProcess(snaps, runtime, host=True, max_snapshots=3) as server:
        client = ControlClient(server.wait_for_server(), timeout_s=20)
        live_before = sessions_of(snaps / client.snapshot())  # which rotates, to 3
        listed = list_snapshot_names(snaps)

        rolled = statesnap(
            "--dir", str(snaps), "rollback", "--pin", "keep.me", "--yes", cwd=tmp_path
        )
        assert rolled.returncode == 0, rolled.stderr
        assert b"Roll back to pin keep.me?" in rolled.stdout
        assert b"The pin stays as it is" in rolled.stdout
        assert b"rolled back to pin keep.me" in rolled.stdout
        assert set(listed) < set(list_snapshot_names(snaps))  # nothing deleted
        status = client.status()
        assert status.last_rollback is not None
        assert status.last_rollback.restored == "pin keep.me"
        assert sessions_of(status.last_rollback.undo_point) == live_before
        assert sessions_of(snaps / client.snapshot()) == pinned
        assert pin_path(snaps, "keep.me").exists()

        with pytest.raises(ControlError, match="not a pin name"):
            client.rollback("../../etc", pin=True)
        with pytest.raises(ControlError, match="no pin named 'gone'"):
            client.rollback("gone", pin=True)

        undone = statesnap("--dir", str(snaps), "rollback", "--undo", "--yes", cwd=tmp_path)
        assert undone.returncode == 0, undone.stderr
        assert b"Undo the roll-back to pin keep.me?" in undone.stdout
        assert sessions_of(snaps / client.snapshot()) == live_before


@pytest.mark.parametrize(
    "line", [b'{"op": "rollback", "file": "a", "pin": "b"}', b'{"op": "rollback"}']
)
def test_the_rollback_op_takes_a_file_or_a_pin(line: bytes) -> None:
    with pytest.raises(RequestError, match='rollback needs "file" or "pin" \\(one of them\\)'):
        decode_request(line)

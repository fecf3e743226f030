"""Nothing is lost that the user did not ask to lose: offline roll-back and import delete
nothing, a live roll-back keeps every listed file, undo happens once, one server per
directory, and the demo never touches a directory it did not make. Real processes, real files.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from statesnap.engine import (
    ControlClient,
    find_server,
    js_dumps,
    list_snapshot_names,
    read_snapshot,
    write_snapshot_file,
)
from statesnap.engine.directory.lock import LOCK_NAME

from tests.cli.test_cli import assert_one_line_error, statesnap
from tests.support.node_bridge import FIXTURES
from tests.support.processes import REPO, DemoProcess, child_env, wait_until
from tests.support.terminal import run_in_terminal


def many_snapshots(directory: Path, count: int) -> list[str]:
    """`count` valid snapshots, each a different state; their names, newest first."""
    directory.mkdir(mode=0o700, exist_ok=True)
    for index in range(count):
        write_snapshot_file(directory, js_dumps({"sessions": [{"id": f"s{index}"}]}))
    return list_snapshot_names(directory)


def everything_in(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in directory.iterdir()}


def sessions_of(path: Path) -> list[object]:
    data = read_snapshot(path).data
    assert isinstance(data, dict)
    sessions: list[object] = data["sessions"]
    return sessions


def test_offline_rollback_and_import_on_200_files_delete_nothing(tmp_path: Path) -> None:
    snaps = tmp_path / "snaps"
    names = many_snapshots(snaps, 200)

    rolled = statesnap("--dir", str(snaps), "rollback", names[-1], "--yes", cwd=tmp_path)
    assert rolled.returncode == 0, rolled.stderr
    assert b"1 file written, none deleted" in rolled.stdout
    assert b"nothing was deleted" in rolled.stdout
    after = list_snapshot_names(snaps)
    assert len(after) == 201 and set(names) < set(after)
    assert sessions_of(snaps / after[0]) == sessions_of(snaps / names[-1])

    source = tmp_path / "state.json"
    source.write_text('{"sessions": [{"id": "imported"}]}')
    imported = statesnap("--dir", str(snaps), "import", str(source), cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert b"deleted nothing" in imported.stdout
    assert len(list_snapshot_names(snaps)) == 202 and set(after) < set(list_snapshot_names(snaps))


def test_rollback_says_what_it_will_do_and_asks(tmp_path: Path) -> None:
    snaps = tmp_path / "snaps"
    names = many_snapshots(snaps, 4)
    args = ["--dir", str(snaps), "rollback", names[-1]]

    unasked = statesnap(*args, cwd=tmp_path)  # no terminal to ask on, no --yes
    assert_one_line_error(unasked, code=2)
    assert b"1 file written, none deleted" in unasked.stdout
    assert list_snapshot_names(snaps) == names

    status, output = run_in_terminal(args, tmp_path, [(b"[y/N]", b"n\n")])
    assert status == 1 and "cancelled; nothing changed" in output
    assert list_snapshot_names(snaps) == names

    status, output = run_in_terminal(args, tmp_path, [(b"[y/N]", b"y\n")])
    assert status == 0, output
    assert len(list_snapshot_names(snaps)) == 5


def test_a_path_into_the_directory_is_a_name_it_lists(tmp_path: Path) -> None:
    snaps = tmp_path / "snaps"
    names = many_snapshots(snaps, 2)
    result = statesnap("--dir", "snaps", "rollback", f"snaps/{names[1]}", "-y", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(list_snapshot_names(snaps)) == 3


def test_live_rollbacks_and_undo_keep_every_listed_file(tmp_path: Path, runtime: Path) -> None:
    snaps = tmp_path / "snaps"
    names = many_snapshots(snaps, 7)
    a, b = names[3], names[6]
    state_a = sessions_of(snaps / a)
    with DemoProcess(snaps, runtime, host=True, max_snapshots=3) as server:
        client = ControlClient(server.wait_for_server(), timeout_s=20)

        first = statesnap("--dir", str(snaps), "rollback", a, "--yes", cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        assert f"undo with: statesnap --dir {snaps} rollback --undo".encode() in first.stdout
        assert set(names) < set(list_snapshot_names(snaps))

        second = statesnap("--dir", str(snaps), "rollback", b, "--yes", cwd=tmp_path)
        assert second.returncode == 0, second.stderr
        assert set(names) < set(list_snapshot_names(snaps))

        undone = statesnap("--dir", str(snaps), "rollback", "--undo", "--yes", cwd=tmp_path)
        assert undone.returncode == 0, undone.stderr
        before_second_undo = list_snapshot_names(snaps)
        assert set(names) < set(before_second_undo) and len(before_second_undo) == 7 + 6

        again = statesnap("--dir", str(snaps), "rollback", "--undo", "--yes", cwd=tmp_path)
        assert "nothing to undo" in assert_one_line_error(again)
        assert list_snapshot_names(snaps) == before_second_undo

        kept = set(client.status().kept)
        assert {a, b} | set(names) <= kept  # for a while every file listed then is kept
        newest = snaps / client.snapshot()  # the server's own save: it rotates, to 3 + kept
        assert sessions_of(newest) == state_a  # undone: back to the state rolled back to first
        remaining = list_snapshot_names(snaps)
        assert set(remaining) == set(remaining[:3]) | kept
        assert set(names) < set(remaining)


def test_one_server_per_directory_and_kill_9_leaves_no_lock(tmp_path: Path, runtime: Path) -> None:
    snaps = tmp_path / "snaps"
    many_snapshots(snaps, 2)
    host = [sys.executable, "-m", "tests.support.processes", "host-server", str(snaps), "3600", "3"]
    with DemoProcess(snaps, runtime, host=True) as first:
        first.wait_for_server()
        second = subprocess.run(
            host, cwd=REPO, env=child_env(runtime), capture_output=True, timeout=60, check=False
        )
        assert second.returncode == 1
        refusal = second.stderr.decode()
        assert f"another statesnap server (pid {first.pid}) already serves" in refusal
        info = find_server(snaps)
        assert info is not None and info.pid == first.pid  # its record is still there

        first.process.kill()
        first.process.wait()
    assert (snaps / LOCK_NAME).exists()
    with DemoProcess(snaps, runtime, host=True) as third:
        assert third.wait_for_server().pid == third.pid


def test_the_demo_refuses_a_directory_of_real_snapshots(tmp_path: Path, runtime: Path) -> None:
    snaps = tmp_path / "real"
    snaps.mkdir(mode=0o700)
    for path in sorted((FIXTURES / "basic").glob("*.json.gz")):
        shutil.copy2(path, snaps / path.name)
    before = everything_in(snaps)

    refused = statesnap("demo", "--headless", "--dir", str(snaps), cwd=tmp_path)
    message = assert_one_line_error(refused)
    assert f"holds {len(before)} snapshot files the demo did not write" in message
    server = subprocess.run(
        [sys.executable, "-m", "statesnap.engine.demo.server", "--dir", str(snaps)],
        cwd=REPO,
        env=child_env(runtime),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert server.returncode == 1 and b"did not write" in server.stderr
    assert everything_in(snaps) == before


def test_the_demo_comes_back_to_its_own_directory(tmp_path: Path, runtime: Path) -> None:
    demo_dir = tmp_path / "demo"
    with DemoProcess(demo_dir, runtime, tick_s=0.01, interval_s=0.2, max_snapshots=3) as demo:
        demo.wait_for_server()
        wait_until(lambda: len(list_snapshot_names(demo_dir)) >= 3, what="periodic snapshots")
        demo.stop()
    newest = list_snapshot_names(demo_dir)[0]
    with DemoProcess(demo_dir, runtime, tick_s=0) as again:
        status = ControlClient(again.wait_for_server(), timeout_s=20).status()
        assert status.restored_from == newest


def test_demo_help_tells_where_its_directory_is(tmp_path: Path) -> None:
    shown = statesnap("demo", "--help", cwd=tmp_path).stdout.decode()
    assert "./.statesnap-demo" in shown and "never $AFW_SNAPSHOT_DIR" in " ".join(shown.split())


def test_commands_find_the_server_of_a_directory_under_this_folder(
    tmp_path: Path, runtime: Path
) -> None:
    demo_dir = tmp_path / ".statesnap-demo"
    with DemoProcess(demo_dir, runtime, tick_s=0.05) as demo:
        demo.wait_for_server()
        found = statesnap("snapshot", cwd=tmp_path)
        assert found.returncode == 0, found.stderr
        assert b"using .statesnap-demo" in found.stderr

        many_snapshots(tmp_path / ".actionflows-snapshot", 1)  # the default dir is in use now
        named = assert_one_line_error(statesnap("snapshot", cwd=tmp_path))
        assert f"statesnap --dir .statesnap-demo snapshot (pid {demo.pid})" in named

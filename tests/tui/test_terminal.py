"""The dashboard needs a terminal: without one it says so at once (real processes, real ptys)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from statesnap.tui.terminal import NO_TERMINAL

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 20


@pytest.fixture
def terminal() -> Iterator[tuple[int, int]]:
    """A pseudo-terminal: (controller, terminal) file descriptors."""
    controller, end = pty.openpty()
    yield controller, end
    os.close(controller)
    os.close(end)


def run(
    args: list[str], cwd: Path, *, stdin: int | IO[bytes], stdout: int | IO[bytes]
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "statesnap.tui.cli.main", *args],
        cwd=cwd,
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO), "AFW_SNAPSHOT_DIR": ""},
        timeout=TIMEOUT_S,
        check=False,
    )


def assert_needs_a_terminal(result: subprocess.CompletedProcess[bytes]) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.decode() == f"statesnap: {NO_TERMINAL}\n"


@pytest.mark.parametrize("args", [["--dir", "snaps"], ["demo", "--dir", "snaps"]])
def test_piped_output_is_refused_at_once(
    tmp_path: Path, terminal: tuple[int, int], args: list[str]
) -> None:
    """`statesnap | head -c 100`: keys from a terminal, output into a pipe."""
    result = run(args, tmp_path, stdin=terminal[1], stdout=subprocess.PIPE)
    assert_needs_a_terminal(result)
    assert result.stdout == b""
    assert not (tmp_path / "snaps").exists()  # the demo checked before starting anything


@pytest.mark.parametrize("args", [["--dir", "snaps"], ["demo", "--dir", "snaps"]])
def test_no_input_terminal_is_refused_at_once(
    tmp_path: Path, terminal: tuple[int, int], args: list[str]
) -> None:
    """`statesnap </dev/null`: output to a terminal, but no keys can come."""
    result = run(args, tmp_path, stdin=subprocess.DEVNULL, stdout=terminal[1])
    assert_needs_a_terminal(result)
    assert not (tmp_path / "snaps").exists()


def test_no_terminal_at_all_is_refused(tmp_path: Path) -> None:
    """`statesnap </dev/null >out 2>&1`."""
    with open(tmp_path / "out", "wb") as out:
        result = run(["--dir", "snaps"], tmp_path, stdin=subprocess.DEVNULL, stdout=out)
    assert_needs_a_terminal(result)
    assert (tmp_path / "out").read_bytes() == b""


def test_headless_demo_needs_no_terminal(tmp_path: Path, runtime: Path) -> None:
    """`demo --headless` is a server: it runs without a terminal (here until SIGTERM)."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "statesnap.tui.cli.main",
            "demo",
            "--headless",
            "--dir",
            "snaps",
            "--interval=0.1",
        ],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while not list((tmp_path / "snaps").glob("snapshot-*.json.gz")):
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "the headless demo wrote no snapshot"
            time.sleep(0.05)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=TIMEOUT_S)
    assert NO_TERMINAL not in err.decode()


def test_a_terminal_gets_the_dashboard(tmp_path: Path, terminal: tuple[int, int]) -> None:
    controller, end = terminal
    dashboard = subprocess.Popen(
        [sys.executable, "-m", "statesnap.tui.cli.main", "--dir", "snaps"],
        cwd=tmp_path,
        stdin=end,
        stdout=end,
        stderr=end,
        env={**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color"},
    )
    screen = b""
    try:
        deadline = time.monotonic() + TIMEOUT_S
        # Read all it draws (a full pty would block it), press q once it shows the listing.
        while dashboard.poll() is None:
            assert time.monotonic() < deadline, screen[-500:]
            if select.select([controller], [], [], 0.1)[0]:
                pressed = b"snapshot files" in screen
                screen += os.read(controller, 65536)
                if not pressed and b"snapshot files" in screen:
                    os.write(controller, b"q")
    finally:
        if dashboard.poll() is None:
            dashboard.kill()
            dashboard.wait()
    assert dashboard.returncode == 0
    assert b"snapshot files" in screen
    assert NO_TERMINAL.encode() not in screen

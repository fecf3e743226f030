"""Running `statesnap` on a pseudo-terminal, as a person at a terminal would: read what it
draws, type when something appears."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.processes import REPO


def pseudo_terminal(columns: int = 80, rows: int = 24) -> tuple[int, int]:
    """A new pseudo-terminal of that size: (leader, follower) file descriptors."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    return leader, follower


def read_until_closed(
    leader: int,
    typing: Callable[[bytes], bytes | None] = lambda shown: None,
    timeout_s: float = 60.0,
) -> bytes:
    """Everything shown on the terminal until the program closes it; after each read,
    `typing(shown so far)` may return keys to type."""
    shown = b""
    deadline = time.monotonic() + timeout_s
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"timed out; shown so far: {shown[-2000:]!r}"
        ready, _, _ = select.select([leader], [], [], remaining)
        if not ready:
            continue
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the program closed the terminal
            return shown
        if not chunk:
            return shown
        shown += chunk
        keys = typing(shown)
        if keys:
            os.write(leader, keys)


def run_in_terminal(
    args: list[str],
    cwd: Path,
    replies: list[tuple[bytes, bytes]],
    *,
    env: dict[str, str] | None = None,
    size: tuple[int, int] = (80, 24),
    timeout_s: float = 60.0,
) -> tuple[int, str]:
    """Run `statesnap ARGS` on a pseudo-terminal of `size` (columns, rows); for each
    (expected, typed) in `replies`, in turn, type `typed` once `expected` has been shown.
    Returns the exit status and everything shown."""
    leader, follower = pseudo_terminal(*size)
    base = env if env is not None else os.environ
    process = subprocess.Popen(
        [sys.executable, "-m", "statesnap.tui.cli.main", *args],
        cwd=cwd,
        env={**base, "AFW_SNAPSHOT_DIR": "", "PYTHONPATH": str(REPO), "TERM": "xterm-256color"},
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
    )
    os.close(follower)
    pending = list(replies)

    def typing(shown: bytes) -> bytes | None:
        if pending and pending[0][0] in shown:
            return pending.pop(0)[1]
        return None

    try:
        shown = read_until_closed(leader, typing, timeout_s)
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()
    return process.wait(timeout=30), shown.decode(errors="replace")

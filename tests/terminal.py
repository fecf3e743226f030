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
from pathlib import Path

from tests.helpers_processes import REPO


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
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    base = env if env is not None else os.environ
    process = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", *args],
        cwd=cwd,
        env={**base, "AFW_SNAPSHOT_DIR": "", "PYTHONPATH": str(REPO), "TERM": "xterm-256color"},
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        start_new_session=True,
    )
    os.close(secondary)
    output = b""
    pending = list(replies)
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"timed out; shown so far: {output[-2000:]!r}"
            ready, _, _ = select.select([primary], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the program closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if pending and pending[0][0] in output:
                os.write(primary, pending.pop(0)[1])
    finally:
        os.close(primary)
        if process.poll() is None:
            process.kill()
    return process.wait(timeout=30), output.decode(errors="replace")

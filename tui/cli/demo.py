"""`statesnap demo`: a demo server in its own process, and the dashboard attached to it.

The demo runs only in a directory of its own (statesnap.engine.demo.directory) that no other server
serves; both are checked before anything starts. The server's log is `.statesnap-demo.log`
in that directory, replaced at each run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from statesnap.engine import (
    DirectoryInUseError,
    ForeignSnapshotsError,
    StorageConfigError,
    check_demo_directory,
    check_directory_free,
    check_storage_config,
    ensure_snapshot_dir,
    find_server,
    run_demo_server,
)
from statesnap.tui.text.rollback_plan import command_hint

__all__ = ["run_demo"]

LOG_NAME = ".statesnap-demo.log"

_START_TIMEOUT_S = 20.0
_STOP_TIMEOUT_S = 20.0


class DemoError(RuntimeError):
    """The demo server did not come up."""


def _run_headless(directory: Path, interval_s: float, seed: int | None) -> int:
    logging.getLogger().setLevel(logging.INFO)
    print(
        f"demo server on {directory} (pid {os.getpid()}); stop with Ctrl-C or SIGTERM",
        file=sys.stderr,
    )
    try:
        outcome = asyncio.run(run_demo_server(directory, interval_s=interval_s, seed=seed))
    except (DirectoryInUseError, ForeignSnapshotsError) as exc:
        print(f"statesnap: {exc}", file=sys.stderr)
        return 1
    final = outcome.final_save
    if final is not None and final.path is not None:
        print(f"final snapshot: {final.path}", file=sys.stderr)
    return 0 if final is None or final.ok else 1


def _start_server(
    directory: Path, interval_s: float, seed: int | None, log_path: Path
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "statesnap.engine.demo.server",
        "--dir",
        str(directory),
        "--interval",
        str(interval_s),
    ]
    if seed is not None:
        command += ["--seed", str(seed)]
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
    with open(os.open(log_path, flags, 0o600), "wb") as log:
        server = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        info = find_server(directory)
        if info is not None and info.pid == server.pid:
            return server
        if server.poll() is not None:
            tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise DemoError(f"the demo server exited at start: {tail[0]}")
        time.sleep(0.05)
    server.kill()
    server.wait()
    raise DemoError(
        f"the demo server did not come up in {_START_TIMEOUT_S:.0f} s (log: {log_path})"
    )


def _stop_server(server: subprocess.Popen[bytes]) -> int | None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        return server.wait(_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        return None


def _refusal(directory: Path) -> str | None:
    """Why the demo must not run (checked before anything is changed): a bad storage setting,
    a directory of someone else's snapshots, or one another server serves."""
    try:
        check_storage_config()
        check_demo_directory(directory)
        check_directory_free(directory)
    except (ForeignSnapshotsError, StorageConfigError) as exc:
        return str(exc)
    except DirectoryInUseError as exc:
        if find_server(directory) is None:
            return str(exc)
        return (
            f"a statesnap server (pid {exc.pid}) already serves {directory}; open its "
            f"dashboard with: {command_hint(directory)}"
        )
    return None


def run_demo(directory: Path, *, headless: bool, interval_s: float, seed: int | None) -> int:
    """Run the demo: headless, the server until a signal; else server and dashboard together,
    both stopping when the dashboard quits (the server writes its final snapshot)."""
    refusal = _refusal(directory)
    if refusal is not None:
        print(f"statesnap: {refusal}", file=sys.stderr)
        return 1
    ensure_snapshot_dir(directory)
    if headless:
        return _run_headless(directory, interval_s, seed)
    from statesnap.tui.app import run_dashboard  # noqa: TID251 - the demo with its dashboard

    log_path = directory / LOG_NAME
    try:
        server = _start_server(directory, interval_s, seed, log_path)
    except DemoError as exc:
        print(f"statesnap: {exc}", file=sys.stderr)
        return 1
    try:
        run_dashboard(directory)
    finally:
        code = _stop_server(server)
    if code not in (0, -signal.SIGTERM):
        print(
            f"statesnap: the demo server ended with status {code} (log: {log_path})",
            file=sys.stderr,
        )
        return 1
    kept = (
        "its state stays in Redis ($AFW_REDIS_URL); no snapshots were written"
        if check_storage_config()
        else f"snapshots are in {directory}"
    )
    print(f"demo stopped; {kept} (server log: {log_path})", file=sys.stderr)
    return 0

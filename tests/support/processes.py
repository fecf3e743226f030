"""Real processes for the control, demo, crash and signal tests.

The parent side: `DemoProcess` (a demo server in a subprocess), `Child` (a small host program
from this module, run as `python -m tests.support.processes PROGRAM …`), `wait_until` (polling,
never a blind sleep) and `private_runtime_dir` (a short runtime directory per test, so socket
paths stay under the 108-byte limit).

The child side: the host programs below, each printing `ready` once it is set up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from statesnap.engine.control.client import ControlClient
from statesnap.engine.control.discovery import ServerInfo, find_server

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 20.0
T = TypeVar("T")


# -- the parent side ----------------------------------------------------------------------


def wait_until(
    probe: Callable[[], T | None], *, timeout_s: float = 15.0, what: str = "condition"
) -> T:
    """Poll `probe` until it returns something truthy; return that, or fail after timeout_s."""
    deadline = time.monotonic() + timeout_s
    delay = 0.005
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


@contextlib.contextmanager
def private_runtime_dir() -> Iterator[Path]:
    """A short, private directory to serve as XDG_RUNTIME_DIR."""
    with tempfile.TemporaryDirectory(prefix="ss-", dir="/tmp") as path:
        os.chmod(path, 0o700)
        yield Path(path)


def child_env(runtime: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AFW_")}
    env.update(XDG_RUNTIME_DIR=str(runtime), PYTHONUNBUFFERED="1", **extra)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(REPO), env.get("PYTHONPATH"))))
    return env


class DemoProcess:
    """`python -m statesnap.engine.demo.server` in a subprocess, its log in a file; with
    `host`, a dev server that embeds statesnap instead (`host_server`: no simulated
    activity, and no demo rule against a directory holding snapshots it did not write)."""

    def __init__(
        self,
        directory: Path,
        runtime: Path,
        *,
        interval_s: float = 3600.0,
        tick_s: float = 0.0,
        seed: int = 1,
        max_snapshots: int = 10,
        env: dict[str, str] | None = None,
        host: bool = False,
    ) -> None:
        self.directory = directory
        self.log_path = directory.parent / f"{directory.name}-demo.log"
        if host:
            command = [
                sys.executable, "-m", "tests.support.processes", "host-server", str(directory),
                str(interval_s), str(max_snapshots),
            ]  # fmt: skip
        else:
            command = [
                sys.executable, "-m", "statesnap.engine.demo.server",
                "--headless", "--dir", str(directory),
                "--interval", str(interval_s), "--tick", str(tick_s), "--seed", str(seed),
                "--max-snapshots", str(max_snapshots),
            ]  # fmt: skip
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env or child_env(runtime),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_server(self) -> ServerInfo:
        def found() -> ServerInfo | None:
            if self.process.poll() is not None:
                raise AssertionError(f"demo server exited early:\n{self.log()}")
            info = find_server(self.directory)
            return info if info is not None and info.pid == self.pid else None

        return wait_until(found, timeout_s=STARTUP_TIMEOUT_S, what="the demo server")

    def client(self) -> ControlClient:
        return ControlClient(self.wait_for_server(), timeout_s=20.0)

    def stop(self, signum: int = signal.SIGTERM, timeout_s: float = 30.0) -> int:
        """Send `signum` and wait for the exit; the return code."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.process.wait(timeout=timeout_s)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()

    def __enter__(self) -> DemoProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Child:
    """A host program of this module in a subprocess; stdout is read line by line."""

    def __init__(self, program: str, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.processes", program, *args],
            cwd=REPO,
            env=env or child_env(Path(tempfile.gettempdir())),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.lines: list[str] = []
        self._buffer = b""

    @property
    def pid(self) -> int:
        return self.process.pid

    def read_line(self, timeout_s: float = STARTUP_TIMEOUT_S) -> str:
        """The next line the child prints; AssertionError on timeout or exit."""
        stdout = self.process.stdout
        assert stdout is not None
        deadline = time.monotonic() + timeout_s
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    raise AssertionError(f"no line from the child in {timeout_s:g} s")
                chunk = os.read(stdout.fileno(), 65536)
                if not chunk:
                    raise AssertionError(f"child exited: {self.finish()[1]}")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        text = line.decode()
        self.lines.append(text)
        return text

    def expect(self, prefix: str, timeout_s: float = STARTUP_TIMEOUT_S) -> str:
        line = self.read_line(timeout_s)
        assert line.startswith(prefix), f"expected {prefix!r}, got {line!r}"
        return line

    def finish(self, timeout_s: float = 30.0) -> tuple[str, str]:
        """Wait for the exit; the rest of stdout and all of stderr."""
        out, err = self.process.communicate(timeout=timeout_s)
        rest = (self._buffer + out).decode(errors="replace")
        self._buffer = b""
        self.lines += rest.splitlines()
        return rest, err.decode(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


# -- the child side: host programs ----------------------------------------------------------


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _service(directory: str, size: int, **options: Any) -> tuple[Any, Any]:
    from statesnap.engine import generate_state
    from statesnap.engine.service.snapshot_service import SnapshotService
    from statesnap.engine.storage.memory import MemoryStorage

    storage = MemoryStorage()
    service = SnapshotService(storage, directory, **options)
    if not service.load_latest_snapshot():
        storage.load_data(generate_state(size, seed=1))
    return storage, service


def _mutate(storage: Any, counter: int) -> None:
    storage.set_entry("frequencies", "statesnap:counter", {"n": counter})
    storage.add_telemetry({"id": f"tel-{counter}", "level": "info", "message": f"tick {counter}"})


def _counter(storage: Any) -> int:
    entry = storage.get_entry("frequencies", "statesnap:counter")
    return int(entry["n"]) if isinstance(entry, dict) else 0


def save_loop(directory: str, size: str) -> None:
    """Save, mutate, save … forever (a sync host), for kill -9 at random moments."""
    storage, service = _service(directory, int(size), max_snapshots=3)
    counter = _counter(storage)
    _say("ready")
    while True:
        counter += 1
        _mutate(storage, counter)
        service.save_snapshot()


def _previous_handler(storage: Any) -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        _say(f"previous {signal.Signals(signum).name} {_counter(storage)}")
        os._exit(0)

    return handler


def _log_to_stderr() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")


def signal_host(directory: str, style: str, size: str, previous: str) -> None:
    """A host with the service's signal handlers, saving in a loop until signalled.

    style `sync`: save_snapshot in the main thread; `async`: save_snapshot_async on a loop;
    `in-loop`: the same, with the handlers installed from inside the running loop (the final
    snapshot then runs on the loop); `idle`: mutate only, so signals land outside a save.
    previous `own`: a handler installed before the service's, that prints the counter and
    exits 0; `default`: the interpreter's defaults (SIGTERM kills, SIGINT raises).
    """
    _log_to_stderr()
    storage, service = _service(directory, int(size), max_snapshots=50, shutdown_timeout_s=5.0)
    if previous == "own":
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, _previous_handler(storage))
    if style != "in-loop":
        service.install_signal_handlers()
    counter = _counter(storage)
    service.save_snapshot()

    async def run() -> None:
        nonlocal counter
        if style == "in-loop":
            service.install_signal_handlers()
            _say("ready")  # only now: a signal before this would find the host's own handler
        while True:
            counter += 1
            _mutate(storage, counter)
            await service.save_snapshot_async()

    try:  # "ready" inside: a signal that follows it at once still finds the except clause
        if style != "in-loop":
            _say("ready")
        if style in ("async", "in-loop"):
            asyncio.run(run())
        while True:
            counter += 1
            _mutate(storage, counter)
            if style == "sync":
                service.save_snapshot()
    except KeyboardInterrupt:
        _say(f"interrupted {_counter(storage)}")


def signal_inside(directory: str, where: str) -> None:
    """A sync host that signals itself with SIGTERM from inside a save: `write` (while the
    file is written, in the saving thread) or `serialize` (while the state is serialized).
    Its own previous handler prints the counter and exits."""
    from statesnap.engine.directory import files as snapshot_dir
    from statesnap.engine.service.snapshot_service import SnapshotService
    from statesnap.engine.storage.memory import MemoryStorage

    _log_to_stderr()
    armed = threading.Event()

    class SignallingStorage(MemoryStorage):
        def snapshot_data(self) -> dict[str, Any]:
            if where == "serialize" and armed.is_set():
                armed.clear()
                os.kill(os.getpid(), signal.SIGTERM)
            return super().snapshot_data()

    real_os = snapshot_dir.os  # type: ignore[attr-defined]

    class SignallingOs:
        def __getattr__(self, name: str) -> Any:
            return getattr(real_os, name)

        def fsync(self, fd: int) -> None:
            real_os.fsync(fd)
            if where == "write" and armed.is_set():
                armed.clear()
                real_os.kill(real_os.getpid(), signal.SIGTERM)

    snapshot_dir.os = SignallingOs()  # type: ignore[attr-defined,assignment]
    storage = SignallingStorage()
    service = SnapshotService(storage, directory, max_snapshots=50, shutdown_timeout_s=1.0)
    signal.signal(signal.SIGTERM, _previous_handler(storage))
    service.install_signal_handlers()
    _mutate(storage, 1)
    service.save_snapshot()
    _say("ready")
    _mutate(storage, 2)
    armed.set()
    service.save_snapshot()
    _say("save returned")  # only if the previous handler did not exit


def hanging_final(directory: str) -> None:
    """A sync host whose final snapshot hangs while writing (after printing
    `final-write-started`), to show that a second signal does not wait for it."""
    from statesnap.engine.directory import files as snapshot_dir

    _log_to_stderr()
    real_os = snapshot_dir.os  # type: ignore[attr-defined]
    armed = threading.Event()

    class HangingOs:
        def __getattr__(self, name: str) -> Any:
            return getattr(real_os, name)

        def fsync(self, fd: int) -> None:
            if armed.is_set():  # only the final snapshot writes after "ready"
                _say("final-write-started")
                time.sleep(600)
            real_os.fsync(fd)

    snapshot_dir.os = HangingOs()  # type: ignore[attr-defined,assignment]
    _, service = _service(directory, 10_000, shutdown_timeout_s=300.0)
    service.install_signal_handlers()
    service.save_snapshot()
    armed.set()
    try:
        _say("ready")
        while True:
            time.sleep(0.05)
    except KeyboardInterrupt:
        _say("interrupted")


def host_server(directory: str, interval_s: str, max_snapshots: str) -> None:
    """A dev server that embeds statesnap as the README shows (the service and its control
    channel in the app's lifespan) until SIGTERM/SIGINT; then it exits by that signal."""
    from statesnap.engine import ControlServer, DirectoryInUseError, MemoryStorage, SnapshotService

    _log_to_stderr()
    received: list[int] = []

    async def serve() -> None:
        stop = asyncio.Event()

        def on_signal(signum: int) -> None:
            received.append(signum)
            stop.set()

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, on_signal, signum)
        service = SnapshotService(
            MemoryStorage(), directory, interval_s=float(interval_s),
            max_snapshots=int(max_snapshots),
        )  # fmt: skip
        async with service, ControlServer(service):
            await stop.wait()

    try:
        asyncio.run(serve())
    except DirectoryInUseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    signal.signal(received[0], signal.SIG_DFL)
    os.kill(os.getpid(), received[0])


_PROGRAMS: dict[str, Callable[..., None]] = {
    "host-server": host_server,
    "save-loop": save_loop,
    "signal-host": signal_host,
    "signal-inside": signal_inside,
    "hanging-final": hanging_final,
}

if __name__ == "__main__":
    _PROGRAMS[sys.argv[1]](*sys.argv[2:])

"""Redis mode end to end: a real demo server on a real redis-server writes no snapshot, ever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from statesnap.engine import ControlError, SnapshotsDisabledError, SnapshotService, create_storage
from statesnap.engine.directory.files import TEMP_PREFIX

from tests.support.processes import REPO, DemoProcess, child_env, wait_until
from tests.support.redis_server import RedisServer
from tests.support.terminal import run_in_terminal


class FileWatch:
    """Lists the snapshot directory over and over in a thread, remembering every name seen."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.directory.exists():
                self.seen.update(os.listdir(self.directory))
            self._stop.wait(0.005)

    def __enter__(self) -> FileWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def redis_env(runtime: Path, server: RedisServer, prefix: str) -> dict[str, str]:
    return child_env(runtime, AFW_REDIS_URL=server.url, AFW_REDIS_PREFIX=prefix)


def test_a_redis_mode_server_never_writes_a_snapshot(
    runtime: Path, tmp_path: Path, redis_server: RedisServer, redis_prefix: str
) -> None:
    directory = tmp_path / "snaps"
    env = redis_env(runtime, redis_server, redis_prefix)
    with FileWatch(directory) as watch:
        with DemoProcess(directory, runtime, interval_s=0.1, tick_s=0.02, env=env) as demo:
            demo.wait_for_server()
            client = demo.client()
            assert client.status().mode == "redis"
            wait_until(lambda: client.status().counts.get("events", 0) > 0)
            with pytest.raises(ControlError, match="disabled"):
                client.snapshot()
            sessions = client.entries("sessions", 0, 10)
            assert sessions.total > 0 and sessions.items
            assert demo.stop(signal.SIGTERM) == -signal.SIGTERM
        events_before = redis_events(redis_server, redis_prefix)
        with DemoProcess(directory, runtime, interval_s=0.1, tick_s=0.0, env=env) as again:
            again.wait_for_server()
            counts = again.client().status().counts
            assert counts["events"] == events_before  # the state lived in Redis all along
            again.stop(signal.SIGTERM)
    snapshots = [name for name in watch.seen if name.startswith(("snapshot-", TEMP_PREFIX))]
    assert snapshots == []
    assert not any(name.startswith("snapshot-") for name in os.listdir(directory))


def redis_events(server: RedisServer, prefix: str) -> int:
    storage = create_storage({"AFW_REDIS_URL": server.url, "AFW_REDIS_PREFIX": prefix})
    return storage.count_entries()["events"]


def test_the_dashboard_sees_fallback_while_redis_is_down(
    runtime: Path, tmp_path: Path, private_redis: RedisServer, redis_prefix: str
) -> None:
    directory = tmp_path / "snaps"
    env = redis_env(runtime, private_redis, redis_prefix)
    with DemoProcess(directory, runtime, interval_s=0.1, tick_s=0.02, env=env) as demo:
        demo.wait_for_server()
        client = demo.client()
        assert client.status().mode == "redis"
        private_redis.kill()
        wait_until(lambda: client.status().mode == "fallback")
        assert client.maps()  # the live state still reads, from the fallback
        assert demo.process.poll() is None
    assert not any(name.startswith("snapshot-") for name in os.listdir(directory))


def test_save_snapshot_in_redis_mode_raises_and_says_why(tmp_path: Path) -> None:
    storage = create_storage({"AFW_REDIS_URL": "redis://127.0.0.1:1/0"})
    service = SnapshotService(storage, tmp_path / "snaps")
    assert not service.enabled
    with pytest.raises(SnapshotsDisabledError, match="redis"):
        service.save_snapshot()
    assert not (tmp_path / "snaps").exists()


def test_a_malformed_redis_url_is_a_one_line_configuration_error(tmp_path: Path) -> None:
    env = {**os.environ, "AFW_REDIS_URL": "notaurl", "PYTHONPATH": str(REPO)}
    for command in (
        [sys.executable, "-m", "statesnap.tui.cli.main", "demo", "--headless", "--dir", "demo"],
        [sys.executable, "-m", "statesnap.engine.demo.server", "--dir", "demo"],
    ):
        result = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, timeout=60, check=False
        )
        lines = result.stderr.decode().splitlines()
        assert result.returncode != 0 and len(lines) == 1, lines
        assert "AFW_REDIS_URL='notaurl' is not a Redis URL" in lines[0]
    assert not (tmp_path / "demo").exists()


@pytest.mark.parametrize("mode", ["memory", "redis"])
def test_the_demo_in_a_terminal_quits_and_says_where_its_state_is(
    tmp_path: Path, runtime: Path, redis_server: RedisServer, redis_prefix: str, mode: str
) -> None:
    extra = {"AFW_REDIS_URL": redis_server.url, "AFW_REDIS_PREFIX": redis_prefix}
    env = child_env(runtime, **(extra if mode == "redis" else {}))
    status, shown = run_in_terminal(
        ["demo", "--dir", "demo"], tmp_path, [(b"live state", b"q")], env=env
    )
    assert status == 0, shown[-2000:]
    closing = shown.strip().splitlines()[-1]
    if mode == "redis":
        assert "its state stays in Redis ($AFW_REDIS_URL); no snapshots were written" in closing
        assert not any(name.startswith("snapshot-") for name in os.listdir(tmp_path / "demo"))
    else:
        assert "snapshots are in demo (server log: demo/.statesnap-demo.log)" in closing
        assert any(name.startswith("snapshot-") for name in os.listdir(tmp_path / "demo"))

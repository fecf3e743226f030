"""The verification helper process: run as a module, it prints the verdict the catalog reads,
and the hash of the bytes it judged."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from statesnap.engine import read_snapshot
from statesnap.engine.catalog.verdict_codec import verdict_from_json, verdict_json
from statesnap.engine.catalog.verify_helper import HELPER_MODULE, helper_command, helper_output

from tests.support.node_bridge import FIXTURES

FILES = sorted(source for folder in ("basic", "broken") for source in (FIXTURES / folder).iterdir())


def test_the_helper_is_started_as_a_module_without_a_computed_path(tmp_path: Path) -> None:
    command = helper_command(tmp_path / "x.json.gz", 123)
    assert command[1:] == ["-m", HELPER_MODULE, str(tmp_path / "x.json.gz"), "123"]


@pytest.mark.parametrize("source", FILES[:6], ids=lambda path: path.name)
def test_the_helper_process_prints_the_in_process_verdict(source: Path, tmp_path: Path) -> None:
    path = tmp_path / source.name
    shutil.copy(source, path)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run(
        helper_command(path, 1 << 20), capture_output=True, env=env, check=True, timeout=60
    )
    found, digest = helper_output(path, done.stdout)
    assert found == read_snapshot(path, max_bytes=1 << 20, keep_data=False)
    assert digest == hashlib.sha256(path.read_bytes()).digest()


def test_a_file_the_helper_cannot_read_comes_without_a_hash(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    missing = tmp_path / "missing.json.gz"
    done = subprocess.run(
        helper_command(missing, 1 << 20), capture_output=True, env=env, check=True, timeout=60
    )
    found, digest = helper_output(missing, done.stdout)
    assert (found.status.value, digest) == ("corrupt", None)


@pytest.mark.parametrize("source", FILES, ids=lambda path: path.name)
def test_a_verdict_goes_through_its_json_unchanged(source: Path) -> None:
    found = read_snapshot(source, keep_data=False)
    assert verdict_from_json(source, verdict_json(found)) == found


def test_output_that_is_not_a_verdict_is_refused(tmp_path: Path) -> None:
    for raw in (b"", b"[]", b'{"status": "valid"}', b'{"status": "nonsense"}'):
        with pytest.raises((ValueError, KeyError, TypeError)):
            verdict_from_json(tmp_path / "x", raw)
        with pytest.raises((ValueError, KeyError, TypeError)):
            helper_output(tmp_path / "x", raw)
    verdict = verdict_json(read_snapshot(FILES[0], keep_data=False))
    for digest in (b"zz", b"00" * 31, "é".encode()):
        with pytest.raises(ValueError):
            helper_output(tmp_path / "x", verdict + b"\n" + digest)

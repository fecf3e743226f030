"""The verification helper process: run as a module, it prints the verdict the catalog reads."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from statesnap.engine import read_snapshot
from statesnap.engine.catalog.verify_helper import (
    HELPER_MODULE,
    helper_command,
    verdict_from_json,
    verdict_json,
)

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
    assert verdict_from_json(path, done.stdout) == read_snapshot(
        path, max_bytes=1 << 20, keep_data=False
    )


@pytest.mark.parametrize("source", FILES, ids=lambda path: path.name)
def test_a_verdict_goes_through_its_json_unchanged(source: Path) -> None:
    found = read_snapshot(source, keep_data=False)
    assert verdict_from_json(source, verdict_json(found)) == found


def test_output_that_is_not_a_verdict_is_refused(tmp_path: Path) -> None:
    for raw in (b"", b"[]", b'{"status": "valid"}', b'{"status": "nonsense"}'):
        with pytest.raises((ValueError, KeyError, TypeError)):
            verdict_from_json(tmp_path / "x", raw)

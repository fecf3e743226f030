"""`statesnap list` and `verify` reuse the verdict on bytes judged before (by any statesnap
process of the user), and never the verdict on other bytes: a file rewritten with the same
size and mtime, or a forged entry, gets its own; `verify --full` judges in full."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
from pathlib import Path

from statesnap.engine import js_dumps, read_snapshot, write_snapshot_file
from statesnap.engine.catalog.verdict_codec import verdict_json
from statesnap.engine.catalog.verdict_store import cache_dir

from tests.cli.test_cli import BASIC, statesnap
from tests.support.damaged_files import damage


def snapshots(tmp_path: Path) -> Path:
    directory = tmp_path / "snaps"
    directory.mkdir()
    for index in range(3):
        write_snapshot_file(directory, js_dumps({"sessions": [{"id": f"s{index}"}]}))
    shutil.copy(BASIC[0], directory / BASIC[0].name)
    return directory


def listed(directory: Path) -> list[dict[str, object]]:
    done = statesnap("--dir", str(directory), "list", "--json", cwd=directory.parent)
    assert done.returncode == 0, done.stderr
    records: list[dict[str, object]] = json.loads(done.stdout)
    return records


def entries() -> set[str]:
    return set(os.listdir(cache_dir() / "verdicts"))


def test_list_and_verify_record_then_reuse_verdicts(tmp_path: Path) -> None:
    directory = snapshots(tmp_path)
    names = sorted(os.listdir(directory))
    first = listed(directory)
    recorded = entries()
    assert len(recorded) == 4
    assert listed(directory) == first
    assert entries() == recorded
    done = statesnap("--dir", str(directory), "verify", "--json", cwd=tmp_path)
    assert done.returncode == 0
    assert all(json.loads(line)["status"] == "valid" for line in done.stdout.splitlines())
    assert sorted(os.listdir(directory)) == names  # nothing new beside the snapshots


def test_other_bytes_of_the_same_size_and_mtime_get_their_own_verdict(tmp_path: Path) -> None:
    directory = snapshots(tmp_path)
    assert {record["status"] for record in listed(directory)} == {"valid"}
    path = directory / BASIC[0].name
    before = os.stat(path)
    raw = bytearray(path.read_bytes())
    raw[-6] ^= 0x01  # the gzip trailer's CRC: same size
    path.write_bytes(bytes(raw))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    statuses = {record["file"]: record["status"] for record in listed(directory)}
    assert statuses[path.name] == read_snapshot(path).status.value == "corrupt"
    done = statesnap("--dir", str(directory), "verify", path.name, cwd=tmp_path)
    assert done.returncode == 1
    assert b"corrupt" in done.stdout


def test_a_forged_entry_is_not_believed(tmp_path: Path) -> None:
    directory = snapshots(tmp_path)
    listed(directory)
    path = directory / BASIC[0].name
    valid = read_snapshot(path, keep_data=False)
    damage(path, "checksum changed")
    digest = hashlib.sha256(path.read_bytes()).digest()
    payload = verdict_json(valid)
    mac = hmac.new(b"guessed", digest + payload, hashlib.sha256).hexdigest().encode()
    entry = cache_dir() / "verdicts" / digest.hex()
    entry.write_bytes(mac + b"\n" + payload)
    entry.chmod(0o600)

    done = statesnap("--dir", str(directory), "verify", path.name, cwd=tmp_path)
    assert done.returncode == 1
    assert b"checksum_mismatch" in done.stdout


def test_verify_full_judges_again_and_says_so_in_its_help(tmp_path: Path) -> None:
    directory = snapshots(tmp_path)
    listed(directory)
    done = statesnap("--dir", str(directory), "verify", "--full", "--json", cwd=tmp_path)
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 4
    helped = statesnap("verify", "--help", cwd=tmp_path)
    assert b"--full" in helped.stdout


def test_an_unusable_cache_changes_nothing(tmp_path: Path) -> None:
    directory = snapshots(tmp_path)
    cache_dir().parent.mkdir(parents=True, exist_ok=True)
    cache_dir().write_bytes(b"in the way")
    first = listed(directory)
    assert {record["status"] for record in first} == {"valid"}
    assert cache_dir().read_bytes() == b"in the way"

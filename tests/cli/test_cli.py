"""The headless verbs, run as a user runs them: a real `statesnap` process on real files."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pytest
from rich.cells import cell_len
from statesnap.engine import (
    SnapshotStatus,
    js_dumps,
    list_snapshot_names,
    read_snapshot,
    write_snapshot_file,
)

from tests.support.damaged_files import DAMAGES, damage
from tests.support.node_bridge import FIXTURES, js_verify
from tests.support.terminal import pseudo_terminal, read_until_closed

BASIC = sorted((FIXTURES / "basic").glob("*.json.gz"))
STATESNAP = [sys.executable, "-m", "statesnap.tui.cli.main"]


def statesnap_env() -> dict[str, str]:
    repo = str(Path(__file__).resolve().parents[2])
    return {**os.environ, "AFW_SNAPSHOT_DIR": "", "PYTHONPATH": repo}


def statesnap(
    *args: str, cwd: Path, stdin: bytes | None = None, prefix: Sequence[str] = ()
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*prefix, *STATESNAP, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=statesnap_env(),
        check=False,
        timeout=60,
    )


def statesnap_on_terminal(
    *args: str, cwd: Path, terminal: Literal["stdout", "stderr"], columns: int = 80
) -> tuple[bytes, bytes]:
    """Run with `terminal` on a pseudo-terminal `columns` wide and the other stream piped:
    (what the terminal showed, what the pipe got)."""
    leader, follower = pseudo_terminal(columns)
    on_stdout = terminal == "stdout"
    with subprocess.Popen(
        [*STATESNAP, *args],
        cwd=cwd,
        env=statesnap_env(),
        stdin=subprocess.DEVNULL,
        stdout=follower if on_stdout else subprocess.PIPE,
        stderr=subprocess.PIPE if on_stdout else follower,
    ) as proc:
        os.close(follower)
        shown = read_until_closed(leader)
        pipe = proc.stderr if on_stdout else proc.stdout
        assert pipe is not None
        piped = pipe.read()
        proc.wait(timeout=60)
    os.close(leader)
    return shown, piped


@pytest.fixture
def file_modes_bind() -> list[str]:
    """A command prefix under which file modes bind: none for a normal user; for root (as in
    containers), setpriv drops the two capabilities that let root ignore them."""
    if os.geteuid() != 0:
        return []
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    try:
        subprocess.run([*prefix, "true"], check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("root here, and its capability to bypass file modes cannot be dropped")
    return prefix


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    snaps = tmp_path / ".actionflows-snapshot"
    snaps.mkdir(mode=0o700)
    for path in BASIC:
        shutil.copy(path, snaps / path.name)
    shutil.copy(FIXTURES / "broken" / "snapshot-broken-06-checksum-mismatch.json.gz", snaps)
    return tmp_path


def assert_one_line_error(result: subprocess.CompletedProcess[bytes], code: int = 1) -> str:
    err = result.stderr.decode()
    assert result.returncode == code, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 or lines[0].startswith("usage:"), err
    return err


def test_list_json_describes_every_file_newest_first(workdir: Path) -> None:
    result = statesnap("list", "--json", cwd=workdir)
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    names = list_snapshot_names(workdir / ".actionflows-snapshot")
    assert sorted(r["file"] for r in records) == sorted(names)
    times = [r["time"] for r in records]
    assert times == sorted(times, reverse=True)  # newest first, by the time the dashboard shows
    by_status = {r["file"]: r["status"] for r in records}
    assert by_status["snapshot-broken-06-checksum-mismatch.json.gz"] == "checksum_mismatch"
    assert list(by_status.values()).count("valid") == 3
    for record in records:
        assert {"file", "timestamp", "size", "status", "reason", "counts"} <= set(record)
        assert record["time_source"] == ("stored" if "broken" in record["file"] else "name")
    assert records[-1]["counts"]["sessions"] == 3  # the oldest file


def test_list_text_has_one_line_per_file(workdir: Path) -> None:
    result = statesnap("list", cwd=workdir)
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 5
    odd = next(line for line in lines if "broken-06" in line)
    assert "2026-11-26 07:10:50.046 " in odd and "checksum_mismatch" in odd
    assert odd.endswith("(time stored in the file)")


def test_list_says_where_a_name_and_the_time_stored_disagree(tmp_path: Path) -> None:
    snaps = tmp_path / ".actionflows-snapshot"
    snaps.mkdir(mode=0o700)
    for path in (FIXTURES / "fallback").glob("*.json.gz"):
        shutil.copy(path, snaps)
    lines = statesnap("list", cwd=tmp_path).stdout.decode().splitlines()
    renamed = next(line for line in lines if line.startswith("snapshot-2026-02-14T10-10-00"))
    assert "  2026-11-26 07:10:50.046*  " in renamed
    assert renamed.endswith("(named 2026-02-14 10:10:00.000, stored 2026-11-26 07:10:50.046)")


def test_verify_exit_status_says_whether_all_are_valid(workdir: Path) -> None:
    assert statesnap("verify", *map(str, BASIC), cwd=workdir).returncode == 0
    everything = statesnap("verify", cwd=workdir)
    assert everything.returncode == 1
    assert b"checksum_mismatch" in everything.stdout  # the word --json uses, not another
    assert b"checksum mismatch" not in everything.stdout
    quiet = statesnap("verify", "-q", BASIC[0].name, cwd=workdir)
    assert quiet.returncode == 0 and quiet.stdout == b""


def test_show_map_and_key(workdir: Path) -> None:
    name = BASIC[-1].name
    summary = statesnap("show", name, cwd=workdir)
    assert b"sessions" in summary.stdout and summary.returncode == 0
    keys = statesnap("show", name, "--map", "sessions", cwd=workdir)
    first_key = keys.stdout.decode().split()[0]
    entry = statesnap("show", name, "--map", "sessions", "--key", first_key, cwd=workdir)
    assert json.loads(entry.stdout)["id"] == first_key


def test_show_escapes_terminal_controls(tmp_path: Path) -> None:
    snaps = tmp_path / ".actionflows-snapshot"
    snaps.mkdir()
    evil = {"sessions": [{"id": "s\x1b[31m\u202e", "cwd": "[bold]\x1b]52;c;AAAA\x07"}]}
    write_snapshot_file(snaps, js_dumps(evil))
    name = list_snapshot_names(snaps)[0]
    out = statesnap("show", name, "--map", "sessions", cwd=tmp_path).stdout.decode()
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "\\x1b[31m" in out and "\\u202e" in out


def test_export_is_the_canonical_data_whose_md5_is_the_checksum(workdir: Path) -> None:
    result = statesnap("export", BASIC[0].name, cwd=workdir)
    expected = read_snapshot(BASIC[0]).expected_checksum
    assert hashlib.md5(result.stdout.rstrip(b"\n")).hexdigest() == expected


def test_export_never_overwrites_without_force(workdir: Path) -> None:
    out = workdir / "out.json"
    out.write_text("keep me")
    result = statesnap("export", BASIC[0].name, "-o", str(out), cwd=workdir)
    assert_one_line_error(result)
    assert out.read_text() == "keep me"
    assert (
        statesnap("export", BASIC[0].name, "-o", str(out), "--force", cwd=workdir).returncode == 0
    )
    assert json.loads(out.read_text())["sessions"]


def test_import_round_trips_an_export_and_deletes_nothing(workdir: Path) -> None:
    snaps = workdir / ".actionflows-snapshot"
    before = set(list_snapshot_names(snaps))
    exported = statesnap("export", BASIC[-1].name, cwd=workdir).stdout
    result = statesnap("import", "-", cwd=workdir, stdin=exported)
    assert result.returncode == 0, result.stderr
    assert b"deleted nothing" in result.stdout
    newest = snaps / list_snapshot_names(snaps)[0]
    assert read_snapshot(newest).expected_checksum == read_snapshot(BASIC[-1]).expected_checksum
    assert js_verify(newest) == [True]
    assert set(list_snapshot_names(snaps)) == before | {newest.name}


def test_import_fills_missing_maps_and_keeps_unknown_keys(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps({"sessions": [{"id": "a"}], "regions": {"r": 1}}))
    assert statesnap("import", str(source), cwd=tmp_path).returncode == 0
    snaps = tmp_path / ".actionflows-snapshot"
    data = read_snapshot(snaps / list_snapshot_names(snaps)[0]).data
    assert data["regions"] == {"r": 1}
    assert data["events"] == {} and data["telemetryEntries"] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"sessions": {}}', b'"sessions" must be an array'),
        (b'{"events": []}', b'"events" must be an object'),
        (b'{"sessions": [{"name": 1}]}', b'"sessions"[0]'),
        (b"[1, 2]", b"JSON object"),
        (b"{", b"not valid JSON"),
        (b'{"a": NaN}', b"not valid JSON"),
        (b"\xff\xfe", b"not UTF-8"),
    ],
)
def test_import_rejects_bad_input_and_writes_nothing(
    tmp_path: Path, content: bytes, message: bytes
) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(content)
    result = statesnap("import", str(source), cwd=tmp_path)
    assert message in result.stderr
    assert_one_line_error(result)
    assert not (tmp_path / ".actionflows-snapshot").exists()


def test_diff_reports_added_removed_changed(tmp_path: Path) -> None:
    snaps = tmp_path / ".actionflows-snapshot"
    snaps.mkdir()
    before = {"sessions": [{"id": "a", "s": 1}, {"id": "b"}], "events": {"a": [1]}}
    after = {"sessions": [{"id": "a", "s": 2}, {"id": "c"}], "events": {"a": [1]}}
    first, _ = write_snapshot_file(snaps, js_dumps(before))
    second, _ = write_snapshot_file(snaps, js_dumps(after))
    result = statesnap("diff", first.name, second.name, "--json", cwd=tmp_path)
    maps = json.loads(result.stdout)["maps"]
    assert maps["sessions"] == {"added": ["c"], "removed": ["b"], "changed": ["a"]}
    assert maps["events"] == {"added": [], "removed": [], "changed": []}
    text = statesnap("diff", first.name, second.name, cwd=tmp_path).stdout.decode()
    assert "sessions: 1 added, 1 removed, 1 changed" in text


def test_offline_rollback_makes_an_old_state_newest(workdir: Path) -> None:
    snaps = workdir / ".actionflows-snapshot"
    oldest = BASIC[0].name
    result = statesnap("rollback", oldest, "--yes", cwd=workdir)
    assert result.returncode == 0, result.stderr
    newest = next(n for n in list_snapshot_names(snaps) if n.startswith("snapshot-20"))
    assert read_snapshot(snaps / newest).data == read_snapshot(BASIC[0]).data


@pytest.mark.parametrize("name", ["../x.json.gz", "/etc/passwd", "snapshot-missing.json.gz"])
def test_rollback_takes_only_listed_names(workdir: Path, name: str) -> None:
    before = sorted(os.listdir(workdir / ".actionflows-snapshot"))
    result = statesnap("rollback", name, cwd=workdir)
    assert_one_line_error(result, code=2 if "/" in name else 1)
    assert sorted(os.listdir(workdir / ".actionflows-snapshot")) == before


def test_rollback_of_an_invalid_file_is_refused(workdir: Path) -> None:
    result = statesnap("rollback", "snapshot-broken-06-checksum-mismatch.json.gz", cwd=workdir)
    assert b"checksum_mismatch" in assert_one_line_error(result).encode()


def damaged_pair(tmp_path: Path, how: str) -> tuple[Path, Path, SnapshotStatus]:
    """A valid older snapshot, and a newer one with one more session, damaged as `how` says."""
    snaps = tmp_path / ".actionflows-snapshot"
    snaps.mkdir(mode=0o700)
    older, _ = write_snapshot_file(snaps, js_dumps({"sessions": [{"id": "s1"}]}))
    newer, _ = write_snapshot_file(snaps, js_dumps({"sessions": [{"id": "s1"}, {"id": "s2"}]}))
    return older, newer, damage(newer, how)


def assert_one_warning(result: subprocess.CompletedProcess[bytes], status: SnapshotStatus) -> None:
    """Success, and one line on stderr: a warning that names the verdict, once."""
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert len(err.splitlines()) == 1 and err.startswith("statesnap: warning: "), err
    assert err.count(status.value) == 1 and "would not be restored" in err, err


@pytest.mark.parametrize("how", sorted(DAMAGES))
def test_show_and_diff_read_a_damaged_file_with_a_warning(tmp_path: Path, how: str) -> None:
    older, newer, status = damaged_pair(tmp_path, how)

    summary = statesnap("show", newer.name, cwd=tmp_path)
    assert_one_warning(summary, status)
    assert b"sessions" in summary.stdout and status.value.encode() in summary.stdout
    keys = statesnap("show", newer.name, "--map", "sessions", cwd=tmp_path)
    assert_one_warning(keys, status)
    assert [line.split()[0] for line in keys.stdout.decode().splitlines()] == ["s1", "s2"]
    compared = statesnap("diff", older.name, newer.name, cwd=tmp_path)
    assert_one_warning(compared, status)
    assert "  + s2" in compared.stdout.decode().splitlines()


@pytest.mark.parametrize("how", sorted(DAMAGES))
def test_export_of_a_damaged_file_needs_salvage(tmp_path: Path, how: str) -> None:
    _, newer, status = damaged_pair(tmp_path, how)

    refused = statesnap("export", newer.name, cwd=tmp_path)
    error = assert_one_line_error(refused)
    assert error.count(status.value) == 1 and "--salvage" in error
    assert refused.stdout == b""
    salvaged = statesnap("export", newer.name, "--salvage", cwd=tmp_path)
    assert_one_warning(salvaged, status)
    assert json.loads(salvaged.stdout) == {"sessions": [{"id": "s1"}, {"id": "s2"}]}


def test_every_message_says_the_verdict_once(workdir: Path) -> None:
    name = "snapshot-broken-06-checksum-mismatch.json.gz"
    verified = statesnap("verify", name, cwd=workdir).stdout.decode()
    refused = assert_one_line_error(statesnap("rollback", name, cwd=workdir))
    for text in (verified, refused):
        assert text.count("checksum_mismatch") == 1, text
        assert "file says" in text


def test_snapshot_without_a_server_says_so(workdir: Path) -> None:
    assert (
        b"no statesnap server is running"
        in assert_one_line_error(statesnap("snapshot", cwd=workdir)).encode()
    )
    assert assert_one_line_error(statesnap("rollback", "--undo", cwd=workdir))


@pytest.mark.parametrize(
    "args",
    [
        ("show", "nope.json.gz"),
        ("show", "/no/such/file"),
        ("export", "snapshot-broken-06-checksum-mismatch.json.gz"),
        ("diff", "a", "b"),
        ("verify", "/no/such/file"),
        ("show", "snapshot-broken-06-checksum-mismatch.json.gz", "--key", "x"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(workdir: Path, args: tuple[str, ...]) -> None:
    result = statesnap(*args, cwd=workdir)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr.decode()
    assert len(result.stderr.decode().strip().splitlines()) == 1


def test_corrupt_gzip_on_show_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "x.json.gz"
    path.write_bytes(gzip.compress(b'{"version":1')[:-4])
    assert b"corrupt" in statesnap("show", str(path), cwd=tmp_path).stderr


def test_help_reads_like_a_unix_tool(tmp_path: Path) -> None:
    result = statesnap("--help", cwd=tmp_path)
    text = result.stdout.decode()
    assert result.returncode == 0
    for verb in (
        "demo",
        "list",
        "verify",
        "show",
        "export",
        "import",
        "diff",
        "snapshot",
        "rollback",
    ):
        assert verb in text
    assert statesnap("rollback", "--help", cwd=tmp_path).returncode == 0


def test_json_output_escapes_what_a_terminal_would_act_on(tmp_path: Path) -> None:
    snaps = tmp_path / ".actionflows-snapshot"
    snaps.mkdir()
    evil = {"sessions": [{"id": "s", "note": "\x9b31m C1 \u202e bidi \u2028 \ud800"}]}
    write_snapshot_file(snaps, js_dumps(evil))
    name = list_snapshot_names(snaps)[0]
    out = statesnap("show", name, "--map", "sessions", "--json", cwd=tmp_path).stdout.decode()
    for raw in ("\x9b", "\u202e", "\u2028"):
        assert raw not in out
    assert json.loads(out) == [{"id": "s", "note": "\x9b31m C1 \u202e bidi \u2028 \ud800"}]


def test_a_reason_from_the_file_cannot_forge_an_output_line(tmp_path: Path) -> None:
    doc = b'{"version":1,"timestamp":"t","checksum":"0\\nvalid  forged","data":{}}'
    path = tmp_path / "x.json.gz"
    path.write_bytes(gzip.compress(doc))
    out = statesnap("verify", str(path), cwd=tmp_path).stdout.decode()
    assert len(out.splitlines()) == 1 and "\\n" in out


# -- fit and finish: errors that say what happened, output that fits where it goes ----------


def test_export_error_names_the_users_path_and_leaves_no_temp_file(workdir: Path) -> None:
    missing = workdir / "nodir" / "x.json"
    err = assert_one_line_error(statesnap("export", BASIC[0].name, "-o", str(missing), cwd=workdir))
    assert err == f"statesnap: cannot write {missing}: No such file or directory\n"
    target = workdir / "a-directory"
    target.mkdir()
    result = statesnap("export", BASIC[0].name, "-o", str(target), "--force", cwd=workdir)
    assert f"cannot write {target}: Is a directory" in assert_one_line_error(result)
    assert sorted(os.listdir(workdir)) == [".actionflows-snapshot", "a-directory"]


def test_an_unreadable_directory_is_permission_denied_not_missing(
    workdir: Path, file_modes_bind: list[str]
) -> None:
    snaps = workdir / ".actionflows-snapshot"
    name = BASIC[0].name
    runs = [
        (snaps.name, ("show", name)),
        (str(snaps), ("show", str(snaps / name))),
        (str(snaps), ("list", "--dir", str(snaps))),
        (str(snaps), ("verify", "--dir", str(snaps))),
    ]
    snaps.chmod(0)
    try:
        results = [
            (directory, statesnap(*args, cwd=workdir, prefix=file_modes_bind))
            for directory, args in runs
        ]
    finally:
        snaps.chmod(0o700)
    for directory, result in results:
        err = assert_one_line_error(result)
        assert err == f"statesnap: cannot look in {directory}: Permission denied\n"


def test_list_and_verify_agree_on_a_missing_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    for verb in ("list", "verify"):
        result = statesnap(verb, "--dir", str(missing), cwd=tmp_path)
        assert assert_one_line_error(result) == f"statesnap: no snapshot directory at {missing}\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    listed = statesnap("list", "--dir", str(empty), cwd=tmp_path)
    assert (listed.returncode, listed.stdout) == (0, b"")
    assert listed.stderr.decode() == f"no snapshots in {empty}\n"


def test_import_of_a_snapshot_file_says_how_to_import_its_data(tmp_path: Path) -> None:
    snapshot_file = BASIC[0]
    for result in (
        statesnap("import", str(snapshot_file), cwd=tmp_path),
        statesnap("import", "-", cwd=tmp_path, stdin=snapshot_file.read_bytes()),
    ):
        err = assert_one_line_error(result)
        assert "is gzip data (a snapshot file?), not JSON" in err
        assert "statesnap export FILE | statesnap import -" in err
    assert not (tmp_path / ".actionflows-snapshot").exists()
    help_text = statesnap("import", "--help", cwd=tmp_path).stdout.decode()
    assert "statesnap export FILE | statesnap import -" in help_text
    assert "--allow-unknown" in help_text


@pytest.mark.parametrize(
    ("content", "found"),
    [(b'{"foo": 1, "bar": {}}', "its keys: foo, bar"), (b"{}", "it is empty")],
)
def test_import_without_a_known_map_is_refused_unless_allowed(
    tmp_path: Path, content: bytes, found: str
) -> None:
    snaps = tmp_path / ".actionflows-snapshot"
    refused = statesnap("import", "-", cwd=tmp_path, stdin=content)
    assert assert_one_line_error(refused) == (
        f"statesnap: the input holds none of the 19 maps of a snapshot ({found});"
        " --allow-unknown imports it anyway\n"
    )
    assert not snaps.exists()
    allowed = statesnap("import", "-", "--allow-unknown", cwd=tmp_path, stdin=content)
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stderr.decode() == (
        f"statesnap: WARNING: the input holds none of the 19 maps of a snapshot ({found});"
        " importing it as --allow-unknown asks\n"
    )
    data = read_snapshot(snaps / list_snapshot_names(snaps)[0]).data
    assert {key: data[key] for key in json.loads(content)} == json.loads(content)


def test_max_bytes_is_offered_only_where_files_are_read(workdir: Path) -> None:
    def offers(*verb: str) -> bool:
        return b"--max-bytes" in statesnap(*verb, "--help", cwd=workdir).stdout

    readers = ("list", "verify", "show", "export", "diff", "import", "rollback")
    assert all(offers(verb) for verb in readers)
    assert not any(offers(*verb) for verb in [(), ("snapshot",), ("demo",)])
    records = json.loads(statesnap("list", "--json", "--max-bytes", "100", cwd=workdir).stdout)
    assert {record["status"] for record in records} == {"too_large"}


def test_show_map_fits_a_terminal_and_never_cuts_a_pipe(tmp_path: Path) -> None:
    snaps = tmp_path / ".actionflows-snapshot"
    snaps.mkdir()
    wide = "字" * 80  # two cells each
    write_snapshot_file(snaps, js_dumps({"sessions": [{"id": "s1", "note": wide, "end": "z"}]}))
    args = ("show", list_snapshot_names(snaps)[0], "--map", "sessions")
    piped = statesnap(*args, cwd=tmp_path).stdout.decode()
    assert piped == f"s1  id=s1 note={wide} end=z\n"
    shown, _ = statesnap_on_terminal(*args, cwd=tmp_path, terminal="stdout", columns=50)
    line = shown.decode().removesuffix("\r\n")
    assert line.startswith("s1  id=s1 note=字") and line.endswith("…")
    assert 48 <= cell_len(line) <= 50


@pytest.mark.parametrize(
    ("args", "progress"),
    [
        (("list",), "verifying 4/4 files…"),
        (("verify",), "verifying 4/4 files…"),
        (("diff", BASIC[0].name, BASIC[1].name), "comparing…"),
    ],
)
def test_progress_shows_on_a_terminal_only(
    workdir: Path, args: tuple[str, ...], progress: str
) -> None:
    piped = statesnap(*args, cwd=workdir)
    assert piped.stderr == b""
    shown, stdout = statesnap_on_terminal(*args, cwd=workdir, terminal="stderr")
    assert stdout == piped.stdout  # the output itself is the same, progress or not
    assert f"\r{progress}\x1b[K".encode() in shown
    assert shown.endswith(b"\r\x1b[K")  # the progress line is cleared

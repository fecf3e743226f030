"""The headless verbs of `statesnap`: each takes the parsed arguments and returns an exit status."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson
from rich.cells import cell_len, set_cell_size
from statesnap.engine import (
    DATA_KEYS,
    ControlClient,
    ControlError,
    JSONInputError,
    SnapshotDirError,
    SnapshotRead,
    SnapshotTime,
    diff_data,
    ensure_snapshot_dir,
    find_server,
    format_timestamp,
    js_dumps,
    js_loads,
    list_servers,
    list_snapshot_names,
    newest_first,
    promote_snapshot,
    read_snapshot,
    write_snapshot_file,
)
from statesnap.engine.format.map_entries import map_entries
from statesnap.engine.format.snapshot_time import snapshot_time
from statesnap.tui.text.formatting import (
    format_age,
    format_moment,
    format_size,
    time_mark,
    time_note,
)
from statesnap.tui.text.rollback_plan import ChangePlan, command_hint, plan_rollback, plan_undo
from statesnap.tui.text.safe_text import escape_controls, escape_json_for_terminal

__all__ = ["CommandError", "servers_nearby"]

_log = logging.getLogger(__name__)


class CommandError(Exception):
    """A failure to report in one line, with the exit status to return."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _say(text: str = "") -> None:
    """One line of output: anything in it that came from a file cannot break the line, move
    the cursor or restyle the terminal."""
    sys.stdout.write(escape_controls(text, keep_newlines=False) + "\n")


def _json_text(value: Any) -> str:
    """Indented JSON where orjson can print the value (else JavaScript's compact form), with
    what a terminal would act on escaped: the same JSON value either way."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    except TypeError:  # deep nesting, lone surrogates, integers beyond 2^53, odd keys
        text = js_dumps(value).decode("utf-8", "surrogatepass")
    return escape_json_for_terminal(text)


def _print_json(value: Any) -> None:
    sys.stdout.write(_json_text(value) + "\n")


def _terminal_columns() -> int | None:
    """The width of the terminal stdout is, or None when it is a pipe or a file."""
    if not sys.stdout.isatty():
        return None
    return os.get_terminal_size(sys.stdout.fileno()).columns


def _fit(line: str, columns: int | None) -> str:
    """`line` cut to `columns` terminal cells, an ellipsis marking the cut; whole if None."""
    if columns is None or cell_len(line) <= columns:
        return line
    return set_cell_size(line, columns - 1) + "…"


class _Progress:
    """One line of progress on stderr (`verifying 3/12 files…`), rewritten in place and
    cleared at the end; only when stderr is a terminal, so pipes and logs never see it."""

    def __init__(self) -> None:
        self._enabled = sys.stderr.isatty()

    def show(self, text: str) -> None:
        if self._enabled:
            sys.stderr.write(f"\r{text}\x1b[K")
            sys.stderr.flush()

    def __enter__(self) -> _Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


# -- finding files -------------------------------------------------------------------------


def _lexists(path: Path, looking_in: Path) -> bool:
    """Whether there is a file (or link) at `path`; a directory that cannot be searched is an
    error that says so, not a file that is missing."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except PermissionError as exc:
        raise CommandError(f"cannot look in {looking_in}: {exc.strerror}") from None
    return True


def _locate(spec: str, directory: Path) -> Path:
    """A read-only verb's FILE: a path, or a snapshot name in the directory."""
    as_path = Path(spec)
    here = _lexists(as_path, as_path.parent)
    if os.sep in spec or here:
        if not here:
            raise CommandError(f"no such file: {escape_controls(spec)}")
        return as_path
    in_dir = directory / spec
    if _lexists(in_dir, directory):
        return in_dir
    raise CommandError(
        f"no such snapshot: {escape_controls(spec)} (not a file, nor a name in {directory})"
    )


def _warn(text: str) -> None:
    """One line on stderr, with anything from a file in it made harmless."""
    sys.stderr.write(f"statesnap: warning: {escape_controls(text, keep_newlines=False)}\n")


def _read_data(spec: str, args: argparse.Namespace, *, salvage: bool = True) -> SnapshotRead:
    """A read-only verb's file, with its data object. A file that is not valid but whose data
    can be read (a checksum mismatch, another version, a field missing) is read all the same,
    with a warning naming the verdict, unless `salvage` is False; then it is refused."""
    path = _locate(spec, args.dir)
    found = read_snapshot(path, max_bytes=args.max_bytes)
    if (problem := found.unreadable_reason) is not None:
        raise CommandError(escape_controls(f"{path.name}: {problem}", keep_newlines=False))
    if not found.is_valid:
        if not salvage:
            refusal = f"{path.name}: {found.summary}; --salvage exports its data anyway"
            raise CommandError(escape_controls(refusal, keep_newlines=False))
        _warn(f"{path.name}: {found.summary}; read-only: this file would not be restored")
    return found


def _verify_all(paths: Sequence[Path], max_bytes: int) -> list[SnapshotRead]:
    results: list[SnapshotRead] = []
    # gunzip and MD5 release the GIL; two workers keep both cores busy.
    with ThreadPoolExecutor(max_workers=2) as pool, _Progress() as progress:
        progress.show(f"verifying 0/{len(paths)} files…")
        for found in pool.map(
            lambda path: read_snapshot(path, max_bytes=max_bytes, keep_data=False), paths
        ):
            results.append(found)
            progress.show(f"verifying {len(results)}/{len(paths)} files…")
    return results


def _require_dir(directory: Path) -> None:
    if not directory.exists():
        raise CommandError(f"no snapshot directory at {directory}")
    if directory.is_symlink():
        raise CommandError(f"refusing a symbolic link as snapshot directory: {directory}")
    if not directory.is_dir():
        raise CommandError(f"not a directory: {directory}")


def _snapshot_paths(directory: Path) -> list[Path]:
    """Every snapshot file in the directory, newest first; the directory must be there."""
    _require_dir(directory)
    try:
        names = list_snapshot_names(directory)
    except PermissionError as exc:
        raise CommandError(f"cannot look in {directory}: {exc.strerror}") from None
    return [directory / name for name in names]


# -- list, verify ---------------------------------------------------------------------------


def _listing_record(found: SnapshotRead) -> dict[str, Any]:
    return {
        "file": found.path.name,
        "path": str(found.path),
        "timestamp": found.timestamp,
        "size": found.size,
        "status": found.status.value,
        "reason": found.reason,
        "checksum": found.expected_checksum,
        "actual_checksum": found.actual_checksum,
        "counts": found.counts,
    }


def _time_record(time: SnapshotTime) -> dict[str, Any]:
    """When the file was taken, by the dashboard's rule (`statesnap.engine.format.snapshot_time`),
    and where that comes from: `stored` (its `timestamp`), `name` or `modified`."""
    return {"time": format_timestamp(time.moment), "time_source": time.source.value}


def _headline_counts(counts: dict[str, int]) -> str:
    shown = [
        f"{name} {counts[name]}"
        for name in ("sessions", "events", "chatHistory", "bookmarks")
        if name in counts
    ]
    return ", ".join(shown)


def _modified(path: Path) -> datetime | None:
    """The file's modification time; None if it is gone."""
    try:
        return datetime.fromtimestamp(path.lstat().st_mtime, UTC)
    except FileNotFoundError:
        return None


def list_snapshots(args: argparse.Namespace) -> int:
    directory: Path = args.dir
    listed = [
        (path, modified)
        for path in _snapshot_paths(directory)
        if (modified := _modified(path)) is not None
    ]
    verdicts = _verify_all([path for path, _ in listed], args.max_bytes)
    results = [
        (found, snapshot_time(found.path.name, found.timestamp, modified))
        for found, (_, modified) in zip(verdicts, listed, strict=True)
    ]
    results.sort(key=lambda result: newest_first(result[0].path.name, result[1]), reverse=True)
    if args.json:
        _print_json([{**_listing_record(found), **_time_record(time)} for found, time in results])
        return 0
    if not results:
        print(f"no snapshots in {directory}", file=sys.stderr)
        return 0
    now = datetime.now(UTC)
    width = max(len(found.path.name) for found, _ in results)
    _say(
        f"{'FILE':<{width}}  {'TIME (UTC)':24}  {'AGE':>8}  {'SIZE':>10}  {'STATUS':<19}  CONTENTS"
    )
    for found, time in results:
        note = time_note(time)
        line = (
            f"{found.path.name:<{width}}  {format_moment(time.moment) + time_mark(time):24}  "
            f"{format_age(time.moment, now):>8}  {format_size(found.size):>10}  "
            f"{found.status.value:<19}  {_headline_counts(found.counts)}"
        )
        _say(f"{line}  ({note})" if note else line.rstrip())
    return 0


def verify(args: argparse.Namespace) -> int:
    if args.files:
        paths = [_locate(spec, args.dir) for spec in args.files]
    else:
        paths = _snapshot_paths(args.dir)
        if not paths:
            raise CommandError(f"nothing to verify: no snapshot files in {args.dir}")
    results = _verify_all(paths, args.max_bytes)
    for found in results:
        if args.quiet:
            continue
        if args.json:
            sys.stdout.write(orjson.dumps(_listing_record(found)).decode() + "\n")
        else:
            _say(f"{found.status.value:<19}  {found.path}: {found.reason}")
    return 0 if all(found.is_valid for found in results) else 1


# -- show, export ---------------------------------------------------------------------------


def _summary_line(value: Any) -> str:
    if isinstance(value, dict):
        parts = [
            f"{key}={item}"
            for key, item in value.items()
            if isinstance(item, str | int | float) and not isinstance(item, bool)
        ]
        text = " ".join(parts[:6]) or f"{{{len(value)} fields}}"
    elif isinstance(value, list):
        text = f"[{len(value)} items]"
    else:
        text = js_dumps(value).decode("utf-8", "replace")
    return escape_controls(text, keep_newlines=False)


def show(args: argparse.Namespace) -> int:
    if args.key is not None and args.map is None:
        raise CommandError("--key needs --map", exit_code=2)
    found = _read_data(args.file, args)
    data: dict[str, Any] = found.data
    if args.map is None:
        if args.json:
            _print_json({**_listing_record(found), "maps": list(data)})
            return 0
        _say(
            f"{found.path.name}: {found.status.value}, taken {found.timestamp or '?'},"
            f" checksum {found.expected_checksum}"
        )
        for name, count in found.counts.items():
            _say(f"  {name:<24} {count:>8}")
        return 0
    if args.map not in data:
        known = ", ".join(data)
        raise CommandError(
            f"no map {escape_controls(args.map)!r} in {found.path.name}"
            f" (maps: {escape_controls(known)})"
        )
    entries = map_entries(data[args.map])
    if args.key is not None:
        if args.key not in entries:
            raise CommandError(f"no entry {escape_controls(args.key)!r} in map {args.map}")
        _print_json(entries[args.key])
        return 0
    if args.json:
        _print_json(data[args.map])
        return 0
    columns = _terminal_columns()
    for key, value in entries.items():
        _say(_fit(f"{escape_controls(key, keep_newlines=False)}  {_summary_line(value)}", columns))
    return 0


def _write_new_file(path: Path, payload: bytes, *, force: bool) -> None:
    """Write `payload` to `path` atomically; an existing file is replaced only with `force`."""
    if os.path.lexists(path) and not force:
        raise CommandError(f"{path} exists (use --force to replace it)")
    temp = path.with_name(f".{path.name}.statesnap-tmp-{os.getpid()}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError as exc:  # named by the user's path: the temp file is ours to hide
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None


def export(args: argparse.Namespace) -> int:
    found = _read_data(args.file, args, salvage=args.salvage)
    payload = js_dumps(found.data)
    if args.output is None and sys.stdout.isatty():
        text = escape_json_for_terminal(payload.decode("utf-8", "surrogatepass"))
        sys.stdout.write(text + "\n")
    elif args.output is None:
        sys.stdout.buffer.write(payload + b"\n")  # exactly the canonical bytes, for pipes
        sys.stdout.flush()
    else:
        _write_new_file(args.output, payload, force=args.force)
        print(f"wrote {args.output} ({format_size(len(payload))})", file=sys.stderr)
    return 0


# -- import ---------------------------------------------------------------------------------

_ARRAY_KEYS = {"sessions", "followedSessions", "telemetryEntries"}


def _empty_like(name: str) -> Any:
    return [] if name in _ARRAY_KEYS else {}


def _check_import_shape(data: Any) -> None:
    """Raise CommandError naming the first known key whose value has the wrong type."""
    if not isinstance(data, dict):
        raise CommandError("import expects a JSON object (a snapshot's data object)")
    for name in DATA_KEYS:
        if name not in data:
            continue
        value = data[name]
        expected = list if name in _ARRAY_KEYS else dict
        if not isinstance(value, expected):
            kind = "an array" if expected is list else "an object"
            raise CommandError(f'"{name}" must be {kind}, not {type(value).__name__}')
        if name == "sessions":
            for index, session in enumerate(value):
                if not isinstance(session, dict) or not isinstance(session.get("id"), str):
                    raise CommandError(f'"sessions"[{index}] must be an object with a string "id"')
        if name == "sessionsByUser" and isinstance(value, dict):
            for user, members in value.items():
                if not isinstance(members, list):
                    raise CommandError(
                        f'"sessionsByUser"."{escape_controls(user)}" must be an array'
                    )


def _check_known_maps(data: dict[str, Any], allow_unknown: bool) -> None:
    """Refuse (or, when allowed, warn about) input that holds none of the known maps: most
    likely not a snapshot's data, and once imported it would be the state the server loads."""
    if any(name in data for name in DATA_KEYS):
        return
    keys = [escape_controls(key, keep_newlines=False) for key in data]
    shown = ", ".join(keys[:5]) + (f", … ({len(keys)} keys)" if len(keys) > 5 else "")
    found = f"its keys: {shown}" if keys else "it is empty"
    problem = f"the input holds none of the {len(DATA_KEYS)} maps of a snapshot ({found})"
    if not allow_unknown:
        raise CommandError(f"{problem}; --allow-unknown imports it anyway")
    _log.warning("%s; importing it as --allow-unknown asks", problem)


def _read_import_source(source: str, max_bytes: int) -> bytes:
    if source == "-":
        raw = sys.stdin.buffer.read(max_bytes + 1)
    else:
        try:
            with open(source, "rb") as handle:
                raw = handle.read(max_bytes + 1)
        except FileNotFoundError:
            raise CommandError(f"no such file: {escape_controls(source)}") from None
        except IsADirectoryError:
            raise CommandError(f"is a directory: {escape_controls(source)}") from None
    if len(raw) > max_bytes:
        raise CommandError(f"input is larger than {format_size(max_bytes)} (see --max-bytes)")
    return raw


def import_data(args: argparse.Namespace) -> int:
    raw = _read_import_source(args.source, args.max_bytes)
    if raw.startswith(b"\x1f\x8b"):
        what = "the input" if args.source == "-" else escape_controls(args.source)
        raise CommandError(
            f"{what} is gzip data (a snapshot file?), not JSON; to import a snapshot's data:"
            " statesnap export FILE | statesnap import -"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CommandError(f"input is not UTF-8 (byte {exc.start})") from None
    try:
        data = js_loads(text)
    except JSONInputError as exc:
        raise CommandError(f"input is not valid JSON: {exc}") from None
    _check_import_shape(data)
    _check_known_maps(data, args.allow_unknown)
    complete = dict(data)
    for name in DATA_KEYS:
        complete.setdefault(name, _empty_like(name))
    try:
        ensure_snapshot_dir(args.dir)
        path, encoded = write_snapshot_file(args.dir, js_dumps(complete))
    except SnapshotDirError as exc:
        raise CommandError(f"{exc.strerror}: {exc.filename}") from None
    _say(f"wrote {path} (checksum {encoded.checksum}); deleted nothing")
    server = find_server(args.dir)
    if server is not None:
        _say(
            f"note: the server (pid {server.pid}) serving {args.dir} keeps its own state and "
            "saves newer files; it loads this one only if restarted before its next save"
        )
    return 0


# -- diff -----------------------------------------------------------------------------------


def diff(args: argparse.Namespace) -> int:
    with _Progress() as progress:
        progress.show("reading 0/2 files…")
        older = _read_data(args.older, args)
        progress.show("reading 1/2 files…")
        newer = _read_data(args.newer, args)
        progress.show("comparing…")
        result = diff_data(older.data, newer.data)
    if args.json:
        _print_json({"a": str(older.path), "b": str(newer.path), "maps": result.to_json()})
        return 0
    _say(f"--- {older.path.name} ({older.timestamp or '?'})")
    _say(f"+++ {newer.path.name} ({newer.timestamp or '?'})")
    if result.is_empty:
        _say("no differences")
        return 0
    for map_diff in result.maps:
        if not map_diff.changes:
            continue
        _say(
            f"{map_diff.name}: {len(map_diff.added)} added, {len(map_diff.removed)} removed, "
            f"{len(map_diff.changed)} changed ({map_diff.before_count} -> {map_diff.after_count})"
        )
        for mark, keys in (("+", map_diff.added), ("-", map_diff.removed), ("~", map_diff.changed)):
            for key in keys[: args.limit]:
                _say(f"  {mark} {escape_controls(key, keep_newlines=False)}")
            if len(keys) > args.limit:
                _say(f"  {mark} … and {len(keys) - args.limit} more")
    return 0


# -- live server ----------------------------------------------------------------------------


def _servers_here() -> list[tuple[Path, int]]:
    """The directories (relative to this folder) that running servers serve under it, with
    their pids."""
    here = Path.cwd()
    return [
        (info.directory.relative_to(here), info.pid)
        for info in list_servers()
        if info.directory.is_relative_to(here)
    ]


def servers_nearby(default: Path) -> list[Path]:
    """Where a command run without --dir may mean to look: nothing if `default` has a server
    or snapshots; else the directories that servers serve under this folder."""
    try:
        if find_server(default) is not None or list_snapshot_names(default):
            return []
    except OSError:
        return []
    return [directory for directory, _ in _servers_here()]


def _no_server(directory: Path, *words: str) -> CommandError:
    """No server serves `directory`: say so, and name the servers running under this folder
    with the command that reaches each."""
    nearby = _servers_here()
    message = f"no statesnap server is running for {directory}"
    if nearby:
        hints = "; ".join(f"{command_hint(where, *words)} (pid {pid})" for where, pid in nearby)
        return CommandError(f"{message}; a server runs on another directory: {hints}")
    return CommandError(
        f"{message} (a server embeds SnapshotService with its ControlServer;"
        " `statesnap demo` runs one on a directory of its own)"
    )


def _live_client(directory: Path) -> ControlClient | None:
    """A client for the server that serves this directory, if one is running."""
    info = find_server(directory)
    return ControlClient(info) if info is not None else None


def snapshot_now(args: argparse.Namespace) -> int:
    client = _live_client(args.dir)
    if client is None:
        raise _no_server(args.dir, "snapshot")
    try:
        name = client.snapshot()
    except ControlError as exc:
        raise CommandError(f"the server refused: {exc}") from None
    _say(f"wrote {name}")
    return 0


def _listed_name(spec: str, directory: Path) -> str:
    """A roll-back target: a name the directory lists, or a path to such a file in it, whose
    file is valid (checked before anything is asked or changed)."""
    if os.sep in spec or spec in (".", ".."):
        path = Path(spec)
        if path.parent.resolve() != directory.resolve():
            raise CommandError(
                f"rollback takes a snapshot of {directory}: {escape_controls(spec)} is elsewhere",
                exit_code=2,
            )
        spec = path.name
    if spec not in list_snapshot_names(directory):
        raise CommandError(f"no snapshot named {escape_controls(spec)} in {directory}")
    found = read_snapshot(directory / spec, keep_data=False)
    if not found.is_valid:
        raise CommandError(escape_controls(f"cannot roll back to {spec}: {found.summary}"))
    return spec


def _show_plan(plan: ChangePlan, shown: int = 10) -> None:
    _say(plan.title)
    for line in plan.steps:
        _say(f"  {line}")
    _say(f"  {plan.summary}")
    if plan.later_heading:
        _say(f"  {plan.later_heading}")
    for name in plan.later_deleted[:shown]:
        _say(f"    {name}")
    if len(plan.later_deleted) > shown:
        _say(f"    … and {len(plan.later_deleted) - shown} more")


def _confirm(plan: ChangePlan, args: argparse.Namespace) -> None:
    """Say what will change, then ask (unless --yes); CommandError when not confirmed."""
    _show_plan(plan)
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise CommandError("not confirmed: pass --yes (there is no terminal to ask on)", 2)
    sys.stdout.write("Go ahead? [y/N] ")
    sys.stdout.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise CommandError("cancelled; nothing changed")


def _undo(args: argparse.Namespace, client: ControlClient | None) -> int:
    if client is None:
        raise _no_server(args.dir, "rollback", "--undo")
    try:
        status = client.status()
        if status.can_undo and status.last_rollback is not None:
            _confirm(plan_undo(status), args)
        result = client.undo()  # with nothing to undo, the server says why and changes nothing
    except ControlError as exc:
        raise CommandError(str(exc)) from None
    _say(
        f"undone: the state you left is saved as {result.undo_point.name}; the state from "
        f"before the roll-back is back, saved as {result.after.name}"
    )
    return 0


def rollback(args: argparse.Namespace) -> int:
    client = _live_client(args.dir)
    if args.undo:
        return _undo(args, client)
    name = _listed_name(args.file, args.dir)
    listed = list_snapshot_names(args.dir)
    if client is not None:
        try:
            _confirm(plan_rollback(name, listed, client.status()), args)
            result = client.rollback(name)
        except ControlError as exc:
            raise CommandError(f"the server refused: {exc}") from None
        _say(
            f"rolled back to {name}: the state before is saved as {result.undo_point.name},"
            f" the restored state as {result.after.name}; nothing was deleted"
        )
        _say(f"undo with: {command_hint(args.dir, 'rollback', '--undo')}")
        return 0
    _confirm(plan_rollback(name, listed, None), args)
    try:
        path = promote_snapshot(args.dir, name, max_bytes=args.max_bytes)
    except ValueError as exc:
        raise CommandError(escape_controls(str(exc))) from None
    _say(
        f"wrote {path.name} holding {name}'s state (the next server start loads it);"
        " nothing was deleted"
    )
    return 0


# -- dashboard and demo ---------------------------------------------------------------------


def dashboard(args: argparse.Namespace) -> int:
    from statesnap.tui.terminal import require_terminal

    require_terminal()  # before importing Textual: without a terminal, say so at once
    from statesnap.tui.app import run_dashboard

    directory: Path = args.dir
    if directory.exists():
        _require_dir(directory)
    run_dashboard(directory)
    return 0


def demo(args: argparse.Namespace) -> int:
    from statesnap.tui.cli.demo import run_demo
    from statesnap.tui.terminal import require_terminal

    if not args.headless:
        require_terminal()

    return run_demo(args.dir, headless=args.headless, interval_s=args.interval, seed=args.seed)

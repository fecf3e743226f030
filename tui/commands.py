"""The headless verbs of `statesnap`: each takes the parsed arguments and returns an exit status."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from engine import (
    DATA_KEYS,
    ControlClient,
    ControlError,
    JSONInputError,
    SnapshotDirError,
    SnapshotRead,
    diff_data,
    ensure_snapshot_dir,
    find_server,
    js_dumps,
    js_loads,
    list_snapshot_names,
    map_entries,
    promote_snapshot,
    read_snapshot,
    rotate_snapshots,
    write_snapshot_file,
)
from tui.formatting import format_age, format_moment, format_size, parse_moment
from tui.safe_text import escape_controls, escape_json_for_terminal

__all__ = ["CommandError"]


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


# -- finding files -------------------------------------------------------------------------


def _locate(spec: str, directory: Path) -> Path:
    """A read-only verb's FILE: a path, or a snapshot name in the directory."""
    as_path = Path(spec)
    if os.sep in spec or as_path.exists() or os.path.lexists(spec):
        if not os.path.lexists(spec):
            raise CommandError(f"no such file: {escape_controls(spec)}")
        return as_path
    in_dir = directory / spec
    if os.path.lexists(in_dir):
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


def _verify_all(paths: Iterable[Path], max_bytes: int) -> list[SnapshotRead]:
    # gunzip and MD5 release the GIL; two workers keep both cores busy.
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(
            pool.map(lambda path: read_snapshot(path, max_bytes=max_bytes, keep_data=False), paths)
        )


def _require_dir(directory: Path) -> None:
    if not directory.exists():
        raise CommandError(f"no snapshot directory at {directory}")
    if directory.is_symlink():
        raise CommandError(f"refusing a symbolic link as snapshot directory: {directory}")
    if not directory.is_dir():
        raise CommandError(f"not a directory: {directory}")


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


def _headline_counts(counts: dict[str, int]) -> str:
    shown = [
        f"{name} {counts[name]}"
        for name in ("sessions", "events", "chatHistory", "bookmarks")
        if name in counts
    ]
    return ", ".join(shown)


def list_snapshots(args: argparse.Namespace) -> int:
    directory: Path = args.dir
    if directory.exists():
        _require_dir(directory)
    results = _verify_all(
        (directory / name for name in list_snapshot_names(directory)), args.max_bytes
    )
    if args.json:
        _print_json([_listing_record(found) for found in results])
        return 0
    if not results:
        print(f"no snapshots in {directory}", file=sys.stderr)
        return 0
    now = datetime.now(UTC)
    width = max(len(found.path.name) for found in results)
    _say(
        f"{'FILE':<{width}}  {'TIME (UTC)':19}  {'AGE':>8}  {'SIZE':>10}  {'STATUS':<19}  CONTENTS"
    )
    for found in results:
        moment = parse_moment(found.timestamp)
        _say(
            f"{found.path.name:<{width}}  {format_moment(moment):19}  "
            f"{format_age(moment, now):>8}  {format_size(found.size):>10}  "
            f"{found.status.label:<19}  {_headline_counts(found.counts)}"
        )
    return 0


def verify(args: argparse.Namespace) -> int:
    if args.files:
        paths = [_locate(spec, args.dir) for spec in args.files]
    else:
        _require_dir(args.dir)
        paths = [args.dir / name for name in list_snapshot_names(args.dir)]
        if not paths:
            raise CommandError(f"nothing to verify: no snapshot files in {args.dir}")
    results = _verify_all(paths, args.max_bytes)
    for found in results:
        if args.quiet:
            continue
        if args.json:
            sys.stdout.write(orjson.dumps(_listing_record(found)).decode() + "\n")
        else:
            _say(f"{found.status.label:<19}  {found.path}: {found.reason}")
    return 0 if all(found.is_valid for found in results) else 1


# -- show, export ---------------------------------------------------------------------------


def _summary_line(value: Any, width: int = 100) -> str:
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
    text = escape_controls(text, keep_newlines=False)
    return text if len(text) <= width else text[: width - 1] + "…"


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
            f"{found.path.name}: {found.status.label}, taken {found.timestamp or '?'},"
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
    for key, value in entries.items():
        _say(f"{escape_controls(key, keep_newlines=False)}  {_summary_line(value)}")
    return 0


def _write_new_file(path: Path, payload: bytes, *, force: bool) -> None:
    """Write `payload` to `path` atomically; an existing file is replaced only with `force`."""
    if os.path.lexists(path) and not force:
        raise CommandError(f"{path} exists (use --force to replace it)")
    temp = path.with_name(f".{path.name}.statesnap-tmp-{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.lexists(temp):
            os.unlink(temp)
        raise


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
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CommandError(f"input is not UTF-8 (byte {exc.start})") from None
    try:
        data = js_loads(text)
    except JSONInputError as exc:
        raise CommandError(f"input is not valid JSON: {exc}") from None
    _check_import_shape(data)
    complete = dict(data)
    for name in DATA_KEYS:
        complete.setdefault(name, _empty_like(name))
    try:
        ensure_snapshot_dir(args.dir)
        path, encoded = write_snapshot_file(args.dir, js_dumps(complete))
        rotate_snapshots(args.dir, args.keep, protect=[path])
    except SnapshotDirError as exc:
        raise CommandError(f"{exc.strerror}: {exc.filename}") from None
    _say(f"wrote {path} (checksum {encoded.checksum})")
    return 0


# -- diff -----------------------------------------------------------------------------------


def diff(args: argparse.Namespace) -> int:
    older, newer = _read_data(args.older, args), _read_data(args.newer, args)
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


def _no_server(directory: Path) -> CommandError:
    return CommandError(
        f"no statesnap server is running for {directory} (start one with `statesnap demo`, "
        "or embed SnapshotService with its control channel in your server)"
    )


def _live_client(directory: Path) -> ControlClient | None:
    """A client for the server that serves this directory, if one is running."""
    info = find_server(directory)
    return ControlClient(info) if info is not None else None


def snapshot_now(args: argparse.Namespace) -> int:
    client = _live_client(args.dir)
    if client is None:
        raise _no_server(args.dir)
    try:
        name = client.snapshot()
    except ControlError as exc:
        raise CommandError(f"the server refused: {exc}") from None
    _say(f"wrote {name}")
    return 0


def rollback(args: argparse.Namespace) -> int:
    client = _live_client(args.dir)
    if args.undo:
        if client is None:
            raise CommandError(f"nothing to undo: no statesnap server is running for {args.dir}")
        try:
            result = client.undo()
        except ControlError as exc:
            raise CommandError(f"the server refused: {exc}") from None
        _say(
            f"undone: state saved as {result.undo_point.name},"
            f" previous state restored and saved as {result.after.name}"
        )
        return 0
    name: str = args.file
    if os.sep in name or name in (".", ".."):
        raise CommandError(
            "rollback takes a snapshot name from the directory's listing, not a path", exit_code=2
        )
    if name not in list_snapshot_names(args.dir):
        raise CommandError(f"no snapshot named {escape_controls(name)} in {args.dir}")
    if client is not None:
        try:
            result = client.rollback(name)
        except ControlError as exc:
            raise CommandError(f"the server refused: {exc}") from None
        _say(
            f"rolled back to {name}: current state saved as {result.undo_point.name},"
            f" restored state saved as {result.after.name}"
        )
        _say("undo with: statesnap rollback --undo")
        return 0
    try:
        path = promote_snapshot(args.dir, name, args.keep, max_bytes=args.max_bytes)
    except ValueError as exc:
        raise CommandError(escape_controls(str(exc))) from None
    _say(
        f"no server running: {name}'s state is now the newest snapshot, {path.name};"
        " the next start loads it"
    )
    return 0


# -- dashboard and demo ---------------------------------------------------------------------


def dashboard(args: argparse.Namespace) -> int:
    from tui.app import run_dashboard

    directory: Path = args.dir
    if directory.exists():
        _require_dir(directory)
    run_dashboard(directory)
    return 0


def demo(args: argparse.Namespace) -> int:
    from tui.demo import run_demo

    return run_demo(args.dir, headless=args.headless, interval_s=args.interval, seed=args.seed)

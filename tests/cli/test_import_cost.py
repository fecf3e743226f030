"""`statesnap list` loads only what listing needs: each verb's module is imported when it runs,
and the engine's names when first used. A run of `list` on real files (judged in full, then
from the verdict store) in a fresh interpreter loads none of the dashboard, Rich, Redis, the
file watcher, asyncio, the control wire, the service, storage, time travel or the other
verbs; so an import that brings any of them back fails here, without timing anything."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from statesnap.engine import js_dumps, write_snapshot_file
from statesnap.tui.cli.parser import DASHBOARD, build_parser
from statesnap.tui.cli.verb_run import VerbRun

NOT_FOR_LIST = (
    "asyncio",
    "redis",
    "rich",
    "socket",
    "ssl",
    "textual",
    "watchfiles",
    "statesnap.engine.catalog.catalog",
    "statesnap.engine.control.client",
    "statesnap.engine.control.discovery",
    "statesnap.engine.control.server",
    "statesnap.engine.control.wire",
    "statesnap.engine.demo",
    "statesnap.engine.service",
    "statesnap.engine.storage",
    "statesnap.engine.travel",
    "statesnap.tui.app",
    "statesnap.tui.cli.dashboard",
    "statesnap.tui.cli.demo",
    "statesnap.tui.cli.diff",
    "statesnap.tui.cli.export_import",
    "statesnap.tui.cli.grep_verb",
    "statesnap.tui.cli.history_verb",
    "statesnap.tui.cli.pin_verbs",
    "statesnap.tui.cli.servers",
    "statesnap.tui.cli.show_verb",
    "statesnap.tui.cli.state_changes",
    "statesnap.tui.rows",
    "statesnap.tui.screens",
    "statesnap.tui.text.rollback_plan",
    "statesnap.tui.text.safe_text",
    "statesnap.tui.widgets",
)

_LIST_TWICE = """
import contextlib, io, json, sys
from statesnap.tui.cli.main import main

loaded = set(sys.modules)
for _ in range(2):  # judged in full and recorded, then from the verdict store
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["list", "--json", "--dir", sys.argv[1]]) == 0
    print(sorted(record["status"] for record in json.loads(out.getvalue())))
print(",".join(sorted(loaded)))
print(",".join(sorted(sys.modules)))
"""


def _loaded_by(modules: str, prefixes: tuple[str, ...]) -> list[str]:
    return [name for name in modules.split(",") if name.startswith(prefixes)]


def test_list_loads_only_what_listing_needs(tmp_path: Path) -> None:
    for index in range(2):
        write_snapshot_file(tmp_path, js_dumps({"sessions": [{"id": f"s{index}"}]}))
    result = subprocess.run(
        [sys.executable, "-c", _LIST_TWICE, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    judged, reused, at_import, after_runs = result.stdout.splitlines()
    assert judged == reused == "['valid', 'valid']"
    assert _loaded_by(after_runs, NOT_FOR_LIST) == []
    verb_modules = ("statesnap.tui.cli.listing", "statesnap.engine.catalog")
    assert _loaded_by(at_import, verb_modules) == []  # the list verb's, only once it runs
    assert _loaded_by(after_runs, verb_modules) != []


def _verb_runs(parser: argparse.ArgumentParser) -> dict[str, VerbRun]:
    (verbs,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name: sub.get_default("run") for name, sub in verbs.choices.items()}


def test_every_verb_names_a_function_that_exists() -> None:
    runs = _verb_runs(build_parser())
    assert {"list", "verify", "show", "diff", "rollback", "grep", "pin", "demo"} <= set(runs)
    for run in [*runs.values(), DASHBOARD]:
        assert isinstance(run, VerbRun)
        assert callable(run.load()), run

"""The headless verbs import no Textual: importing every module of `statesnap.tui.cli` and
running the verbs on real files loads neither Textual nor the dashboard (only the verbs that
open it import it, inside the function). Ruff bans the imports too (tui/cli/ruff.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_IMPORT_AND_RUN = """
import contextlib, importlib, io, json, pkgutil, sys
import statesnap.tui.cli
from pathlib import Path

for module in pkgutil.walk_packages(statesnap.tui.cli.__path__, "statesnap.tui.cli."):
    importlib.import_module(module.name)
from statesnap.tui.cli.main import main

directory = sys.argv[1]
Path(directory, "in.json").write_text(json.dumps({"sessions": [{"id": "a"}]}))
runs = [
    ["import", f"{directory}/in.json"],
    ["list", "--json"],
    ["verify"],
    ["show", "--json", "--map", "sessions"],
    ["export", "-o", f"{directory}/out.json"],
    ["diff", "--json"],
    ["rollback", "--yes"],
]
statuses = []
for verb, *rest in runs:
    names = sorted(p.name for p in Path(directory, "snaps").glob("snapshot-*"))
    if verb in ("show", "export", "rollback"):
        rest.insert(0, names[0])
    if verb == "diff":
        rest += [names[0], names[-1]]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        statuses.append(main([verb, "--dir", f"{directory}/snaps", *rest]))
ui = ("textual", "statesnap.tui.app", "statesnap.tui.screens", "statesnap.tui.widgets")
print(statuses)
print(",".join(sorted(name for name in sys.modules if name.startswith(ui))))
"""


def test_the_headless_verbs_load_no_textual(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_AND_RUN, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    statuses, loaded = result.stdout.splitlines()
    assert statuses == "[0, 0, 0, 0, 0, 0, 0]"
    assert loaded == ""

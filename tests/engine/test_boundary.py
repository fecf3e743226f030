"""The engine is a library: importing it loads no UI code, and it exports its public names."""

from __future__ import annotations

import subprocess
import sys

import statesnap.engine

_IMPORT_EVERY_MODULE = """
import importlib, pkgutil, sys
import statesnap.engine
for module in pkgutil.walk_packages(statesnap.engine.__path__, "statesnap.engine."):
    importlib.import_module(module.name)
ui = ("textual", "rich", "statesnap.tui")
print(",".join(sorted(n for n in sys.modules if n.startswith(ui))))
"""


def test_importing_the_engine_loads_no_ui_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERY_MODULE], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_every_exported_name_exists() -> None:
    for name in statesnap.engine.__all__:
        assert hasattr(statesnap.engine, name), name
    assert {"MemoryStorage", "SnapshotService", "read_snapshot", "js_dumps"} <= set(
        statesnap.engine.__all__
    )

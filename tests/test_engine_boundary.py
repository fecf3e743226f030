"""The engine is a library: importing it loads no UI code, and it exports its public names."""

from __future__ import annotations

import subprocess
import sys

import engine


def test_importing_the_engine_loads_no_ui_module() -> None:
    code = (
        "import sys, engine, engine.snapshot_service, engine.snapshot_dir, engine.diff\n"
        "import pkgutil, importlib\n"
        "for m in pkgutil.iter_modules(engine.__path__):\n"
        "    importlib.import_module('engine.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'rich', 'tui'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_every_exported_name_exists() -> None:
    for name in engine.__all__:
        assert hasattr(engine, name), name
    assert {"MemoryStorage", "SnapshotService", "read_snapshot", "js_dumps"} <= set(engine.__all__)

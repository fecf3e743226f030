"""The row models and the text helpers import no widget: importing every module of
`statesnap.tui.rows` and `statesnap.tui.text` loads neither Textual nor the dashboard's screens
and widgets. Ruff bans the imports too (tui/rows/ruff.toml, tui/text/ruff.toml)."""

from __future__ import annotations

import subprocess
import sys

import pytest

_IMPORT_EVERY_MODULE = """
import importlib, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for module in pkgutil.walk_packages(package.__path__, sys.argv[1] + "."):
    importlib.import_module(module.name)
ui = ("textual", "statesnap.tui.app", "statesnap.tui.screens", "statesnap.tui.widgets")
print(",".join(sorted(name for name in sys.modules if name.startswith(ui))))
"""


@pytest.mark.parametrize("package", ["statesnap.tui.rows", "statesnap.tui.text"])
def test_importing_the_package_loads_no_widget(package: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERY_MODULE, package],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == ""

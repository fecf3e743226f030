"""statesnap installs as one `statesnap` package: a host with its own `engine` package embeds it.

The wheel is built from a copy of the sources (its compiled module built from C) and installed
into a fresh venv (no editable finder, no repository on the path); the dependencies come from
the test venv through a `.pth` line, so the test needs no network. The host's working
directory holds a package named `engine`, as many servers do.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_CHECK = """
import importlib, importlib.util, pkgutil, sys
import engine
import statesnap.engine
from statesnap.engine import SnapshotService, MemoryStorage
assert engine.HOST == "the host's own engine", engine.__file__
assert importlib.util.find_spec("tui") is None, "a top-level tui module is installed"
import statesnap
names = [m.name for m in pkgutil.walk_packages(statesnap.__path__, "statesnap.")]
for name in names:
    importlib.import_module(name)
from importlib.resources import files
assert files("statesnap.tui").joinpath("app.tcss").is_file()
assert files("statesnap.engine").joinpath("py.typed").is_file()
print(len(names))
"""


def _source_modules() -> int:
    """Every module and package of engine/ and tui/ in the repository (a C source is the
    compiled module built from it)."""
    found = 0
    for folder in ("engine", "tui"):
        for pattern in ("*.py", "*.c"):
            for path in (REPO / folder).rglob(pattern):
                if "__pycache__" not in path.parts and path.name != "__init__.py":
                    found += 1
        found += sum(1 for _ in (REPO / folder).rglob("__init__.py"))
    return found


def test_the_wheel_installs_beside_a_host_package_named_engine(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.so")  # the wheel compiles its own
    for name in ("engine", "tui"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(wheels), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    (Path(site) / "test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    (wheel,) = wheels.glob("statesnap-*.whl")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    host = tmp_path / "host"
    (host / "engine").mkdir(parents=True)
    (host / "engine" / "__init__.py").write_text('HOST = "the host\'s own engine"\n')

    imported = subprocess.run(
        [str(python), "-c", _CHECK], cwd=host, check=True, capture_output=True, text=True
    )
    assert int(imported.stdout) == _source_modules()
    (tmp_path / "snapshots").mkdir()
    command = subprocess.run(
        [str(fresh / "bin" / "statesnap"), "--dir", str(tmp_path / "snapshots"), "list", "--json"],
        cwd=host, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert command.returncode == 0, command.stderr
    assert command.stdout.strip() == "[]"

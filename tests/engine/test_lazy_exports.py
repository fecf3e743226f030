"""The engine's public names load on first use: importing `statesnap.engine` loads none of its
modules, and each name is the object its module defines (`_LAZY`, from `public_names`)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import statesnap.engine


def test_importing_the_engine_loads_none_of_its_modules() -> None:
    code = "import sys, statesnap.engine; print(sorted(m for m in sys.modules if 'engine.' in m))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "['statesnap.engine.public_names']"


def test_every_public_name_is_its_modules_object() -> None:
    lazy = statesnap.engine._LAZY
    assert sorted(lazy) == sorted(statesnap.engine.__all__)
    for name, module in lazy.items():
        assert getattr(statesnap.engine, name) is getattr(importlib.import_module(module), name)
    assert set(statesnap.engine.__all__) <= set(dir(statesnap.engine))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        statesnap.engine.no_such_name  # noqa: B018

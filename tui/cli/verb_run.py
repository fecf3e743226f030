"""A verb's function, named by its module under `statesnap.tui.cli` and imported only when the
verb runs: `statesnap list` loads the list verb's modules, not every verb's (nor the server's
wire, time travel or the diff), so it starts at the speed its own work allows."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["VerbRun"]


@dataclass(frozen=True)
class VerbRun:
    """`function` of `statesnap.tui.cli.<module>`, which takes the parsed arguments and returns
    the exit status."""

    module: str
    function: str

    def load(self) -> Callable[[argparse.Namespace], int]:
        loaded: Callable[[argparse.Namespace], int] = getattr(
            importlib.import_module(f"statesnap.tui.cli.{self.module}"), self.function
        )
        return loaded

    def __call__(self, args: argparse.Namespace) -> int:
        return self.load()(args)

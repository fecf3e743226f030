"""What the time-travel verbs share: how `main` hands them its way of adding a verb."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Protocol

__all__ = ["AddMaxBytes", "AddVerb"]

AddMaxBytes = Callable[[argparse.ArgumentParser], None]
"""`main`'s `--max-bytes` option, added to a verb that reads files."""


class AddVerb(Protocol):
    """`main`'s way of adding a verb: its name, a one-line summary, the function it runs."""

    def __call__(
        self,
        name: str,
        summary: str,
        run: Callable[[argparse.Namespace], int],
        details: str = "",
    ) -> argparse.ArgumentParser: ...

"""What JavaScript-compatible JSON refuses: the deepest nesting handled, and the error."""

from __future__ import annotations

from typing import Final

__all__ = ["MAX_DEPTH", "JSONInputError"]

MAX_DEPTH: Final = 4150
"""Deepest nesting handled; JavaScript's `JSON.stringify` overflows its stack a little deeper."""


class JSONInputError(ValueError):
    """The text is not JSON that JavaScript's `JSON.parse` accepts, or nests too deeply."""

"""The bar over a view of a file that is not valid: read-only, the verdict, no restore."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from engine import SnapshotRead
from tui.safe_text import safe_text

__all__ = ["ReadOnlyBanner"]


def _line(verdict: SnapshotRead, side: str = "") -> Text:
    """`READ-ONLY · checksum mismatch: file says …, data hashes to … · this file would not be
    restored`; `side` (`older`) says which file of a diff."""
    line = Text.assemble(("READ-ONLY", "bold"), " · ")
    if side:
        line.append(f"{side}: ", "bold")
    line.append_text(safe_text(verdict.summary))
    line.append(" · this file would not be restored")
    return line


class ReadOnlyBanner(Static):
    """One line per file shown that is not valid; hidden while every file shown is valid."""

    DEFAULT_CSS = """
    ReadOnlyBanner {
        display: none;
        height: auto;
        padding: 0 1;
        background: $warning;
        color: $text;
    }
    """

    def show_verdicts(self, verdicts: Sequence[tuple[str, SnapshotRead]]) -> None:
        """The verdicts on the files shown, each with the side it is on in a diff (or "")."""
        lines = [_line(verdict, side) for side, verdict in verdicts if not verdict.is_valid]
        self.update(Text("\n").join(lines))
        self.display = bool(lines)

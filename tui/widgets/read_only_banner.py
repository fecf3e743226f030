"""The bar over a view of a file that is not valid (read-only, the verdict, no restore), or
that was deleted or rewritten on disk after it was read."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from statesnap.engine import CatalogChange, CatalogChangeKind, SnapshotRead
from statesnap.tui.text.safe_text import safe_text
from textual.widgets import Static

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


def _gone_line(change: CatalogChange, side: str = "") -> Text:
    """`DELETED · snapshot-….json.gz was deleted after it was read: what is shown is the copy
    read then`."""
    deleted = change.kind is CatalogChangeKind.DELETED
    line = Text.assemble(("DELETED" if deleted else "REWRITTEN", "bold"), " · ")
    if side:
        line.append(f"{side}: ", "bold")
    line.append_text(safe_text(change.name))
    line.append(
        " was deleted after it was read: what is shown is the copy read then"
        if deleted
        else " changed on disk after it was read: what is shown is the earlier copy"
    )
    return line


class ReadOnlyBanner(Static):
    """One line per file shown that is not valid, or that changed on disk after it was read;
    hidden while there is nothing to say."""

    DEFAULT_CSS = """
    ReadOnlyBanner {
        display: none;
        height: auto;
        padding: 0 1;
        background: $warning;
        color: $text;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._verdicts: list[Text] = []
        self._gone: dict[str, Text] = {}

    def show_verdicts(self, verdicts: Sequence[tuple[str, SnapshotRead]]) -> None:
        """The verdicts on the files shown, each with the side it is on in a diff (or "")."""
        self._verdicts = [
            _line(verdict, side) for side, verdict in verdicts if not verdict.is_valid
        ]
        self._redraw()

    def show_changed(self, change: CatalogChange, side: str = "") -> None:
        """A file shown (on `side` of a diff, or "") was deleted or rewritten on disk."""
        self._gone[change.name] = _gone_line(change, side)
        self._redraw()

    def _redraw(self) -> None:
        lines = [*self._verdicts, *self._gone.values()]
        self.update(Text("\n").join(lines))
        self.display = bool(lines)

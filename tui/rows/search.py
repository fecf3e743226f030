"""A search across snapshots as table rows: the files holding matches (with their counts per
map) as they stream in, one file's matches, and the position of the match being looked at,
shared by the results and the browsers opened from them (`n`/`N` step through every match,
newest file first, going round at either end)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from statesnap.engine import FileMatches, SearchMatch, SearchResult, SearchStep
from statesnap.tui.rows.columns import Column
from statesnap.tui.rows.snapshots import counts_summary
from statesnap.tui.text.formatting import format_moment
from statesnap.tui.text.safe_text import safe_text

__all__ = [
    "FILE_COLUMNS",
    "MATCH_COLUMNS",
    "FileRows",
    "MatchRows",
    "SearchOptions",
    "SearchPosition",
]

FILE_COLUMNS = (
    Column("taken (UTC)", 23),
    Column("matches", 7, "right"),
    Column("per map", 0),
)
MATCH_COLUMNS = (Column("map", 20), Column("key", 0))


@dataclass(frozen=True)
class SearchOptions:
    """What was searched for, and how (for the crumbs)."""

    pattern: str
    regex: bool = False
    case_sensitive: bool = False

    def describe(self) -> Text:
        """`search "text"` with `regex` and `case` when they are on; the pattern literal."""
        how = [word for word, on in (("regex", self.regex), ("case", self.case_sensitive)) if on]
        text = Text.assemble(("search ", "bold"), safe_text(repr(self.pattern), "bold"))
        if how:
            text.append(f" ({', '.join(how)})", "dim")
        return text


class SearchPosition:
    """Every file searched so far, newest first, and which match is being looked at."""

    def __init__(self) -> None:
        self.files: list[FileMatches] = []
        self.index = -1
        """The current match's index in `result.matches` (-1: none yet)."""
        self.done = 0
        self.total = 0

    def add(self, step: SearchStep) -> None:
        self.files.append(step.file)
        self.done, self.total = step.done, step.total

    @property
    def result(self) -> SearchResult:
        return SearchResult(tuple(self.files))

    @property
    def current(self) -> SearchMatch | None:
        matches = self.result.matches
        return matches[self.index] if 0 <= self.index < len(matches) else None

    def go_to(self, match: SearchMatch) -> None:
        self.index = self.result.matches.index(match)

    def step(self, direction: int) -> SearchMatch | None:
        """The next (1) or previous (-1) match, which becomes the current one; None: none."""
        result = self.result
        if not result.matches:
            return None
        if self.index < 0:
            self.index = 0 if direction > 0 else len(result.matches) - 1
        else:
            self.index = result.step(self.index, direction)
        return self.current

    def progress(self) -> str:
        """`searching 3/50 files… · 12 matches in 2 files`, or when done, the totals."""
        result = self.result
        holding = sum(1 for found in result.files if found.total)
        found = f"{len(result.matches):,} matches in {holding} of {self.done} files"
        if self.done < self.total:
            return f"searching {self.done}/{self.total} files… · {found}"
        return found


class FileRows:
    """Row source: the files that hold matches, or that could not be searched (and why)."""

    def __init__(self) -> None:
        self.files: list[FileMatches] = []

    def __len__(self) -> int:
        return len(self.files)

    def add(self, found: FileMatches) -> bool:
        """Take the file if it is shown (it holds matches, or was skipped)."""
        if found.total or found.skipped:
            self.files.append(found)
            return True
        return False

    def row_of(self, file: str) -> int | None:
        return next((row for row, found in enumerate(self.files) if found.file == file), None)

    def cells(self, row: int) -> list[Text]:
        found = self.files[row]
        when = safe_text(format_moment(found.time))
        if found.skipped:
            return [when, Text("·", "dim"), safe_text(f"skipped: {found.skipped}", "bold red")]
        return [when, Text(f"{found.total:,}", "yellow"), counts_summary(found.counts)]


class MatchRows:
    """Row source: one file's matches, map and key (both literal)."""

    def __init__(self, found: FileMatches) -> None:
        self.found = found

    def __len__(self) -> int:
        return len(self.found.matches)

    def cells(self, row: int) -> list[Text]:
        match = self.found.matches[row]
        return [safe_text(match.map, "dim"), safe_text(match.key)]

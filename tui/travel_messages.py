"""Messages the history and search workers post back to their screens, a step at a time."""

from __future__ import annotations

from dataclasses import dataclass

from statesnap.engine import HistoryStep, SearchStep
from textual.message import Message

__all__ = ["HistoryStepRead", "SearchStepRead"]


@dataclass
class HistoryStepRead(Message):
    """One more source of an entry's history was read (`step` None: `problem` says why the
    history stopped)."""

    step: HistoryStep | None
    problem: str | None = None


@dataclass
class SearchStepRead(Message):
    """One more file was searched (`step` None: `problem` says why the search stopped)."""

    step: SearchStep | None
    problem: str | None = None

"""The threads the dashboard's thread workers run on: a pool whose idle threads hold nothing."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

__all__ = ["FreshContextThreadPool"]

_P = ParamSpec("_P")
_T = TypeVar("_T")


class FreshContextThreadPool(ThreadPoolExecutor):
    """A thread pool that runs every job in a new, empty `contextvars.Context`.

    Textual runs a thread worker through the event loop's default executor, and sets its
    `active_worker` context variable in the pool thread's own context, where it stays once the
    job is done: every idle thread would keep its last worker alive, and through the worker its
    screen and whatever that screen held (a whole snapshot, after the screen was left). A
    context made for the job goes away with the job. (Nothing runs here that needs the
    submitter's context: `run_in_executor` never passed it on.)
    """

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        return super().submit(lambda: contextvars.Context().run(fn, *args, **kwargs))

"""Pause the cyclic garbage collector while a large flow is built in one go.

Building or checking a flow of thousands of nodes allocates hundreds of thousands of
containers that stay alive; each allocation burst triggers collections that scan the
whole young-and-old heap again, which made loading, validating and compiling grow
super-linearly with the flow's size. None of that work leaves cyclic garbage behind, so
the collector is paused for its duration and resumed (if it was running) afterwards.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off; nested uses are free."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def bulk(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a function that builds or walks a whole flow: see `collector_paused`."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with collector_paused():
            return func(*args, **kwargs)

    return wrapper

"""The feed: workers draw chunks of items from the input iterator and hand back outcomes.

There is no separate feeder thread: the iterator is pulled lazily, under the feed's lock,
by the worker that needs its next chunk (a generator cannot be advanced by two threads
at once anyway, and this saves a cross-thread wake-up per chunk). At most
``max_in_flight`` items are taken but not yet released, so memory stays flat for any
input length. Outcomes are delivered to the sink in input order (``ordered``) or as
chunks finish.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

WAIT = object()  # take(): no room yet, come back after servicing requests

Sink = Callable[[int, list[Any]], None]


class Feed:
    """Chunks out of an iterator; ordered delivery of outcomes; a bound on items in flight.

    Parameters
    ----------
    iterator
        The items (pulled lazily, never listed).
    max_in_flight
        Items taken from the iterator but not yet released (delivered, or consumed when
        results are streamed).
    ordered
        Deliver chunks in input order (buffering ones that finish early).
    sink
        ``sink(start_index, outcomes)``, called under the feed's lock.
    auto_release
        Release items as soon as they are delivered; else the consumer calls `release`.
    """

    def __init__(
        self,
        iterator: Iterator[Any],
        max_in_flight: int,
        ordered: bool,
        sink: Sink,
        auto_release: bool = True,
    ) -> None:
        self._it = iterator
        self.max_in_flight = max(1, max_in_flight)
        self.ordered = ordered
        self._sink = sink
        self._auto_release = auto_release
        self._cond = threading.Condition(threading.Lock())
        self.issued = 0  # items taken from the iterator
        self.delivered = 0
        self.released = 0
        self.exhausted = False
        self.stopping = False
        self.input_error: tuple[int, BaseException] | None = None
        self._pending: dict[int, list[Any]] = {}

    def take(self, k: int, wait: float = 0.05) -> tuple[int, list[Any]] | object | None:
        """Up to ``k`` items as ``(start index, items)``; None when there are no more
        (exhausted or stopping); `WAIT` when no room opened within ``wait`` seconds."""
        with self._cond:
            if self._full() and not self._cond.wait_for(
                lambda: not self._full() or self.stopping or self.exhausted, wait
            ):
                return WAIT
            if self.stopping or self.exhausted:
                return None
            k = max(1, min(k, self.max_in_flight - (self.issued - self.released)))
            start = self.issued
            items = self._pull(k)
            if not items:
                self._cond.notify_all()
                return None
            self.issued += len(items)
            return start, items

    def _pull(self, k: int) -> list[Any]:
        items: list[Any] = []
        try:
            items.extend(islice(self._it, k))
        except Exception as exc:  # the input itself failed (a source generator)
            # list.extend keeps the items pulled before the failure: they still run
            self.input_error = (self.issued + len(items), exc)
            self.exhausted = True
            return items
        if len(items) < k:
            self.exhausted = True
        return items

    def _full(self) -> bool:
        return self.issued - self.released >= self.max_in_flight

    def deliver(self, start: int, outcomes: list[Any]) -> None:
        """Hand back the outcomes of the chunk that started at ``start``."""
        with self._cond:
            if not self.ordered:
                self._emit(start, outcomes)
            else:
                self._pending[start] = outcomes
                while self.delivered in self._pending:
                    self._emit(self.delivered, self._pending.pop(self.delivered))
            self._cond.notify_all()

    def _emit(self, start: int, outcomes: list[Any]) -> None:
        self.delivered += len(outcomes)
        if self._auto_release:
            self.released += len(outcomes)
        self._sink(start, outcomes)

    def release(self, n: int) -> None:
        """The consumer took ``n`` streamed outcomes: make room for ``n`` more items."""
        with self._cond:
            self.released += n
            self._cond.notify_all()

    def stop(self) -> None:
        """Hand out nothing more; chunks already taken still finish and deliver."""
        with self._cond:
            self.stopping = True
            self._cond.notify_all()

    def close(self) -> None:
        """Close the input when it is a generator (after every worker has stopped)."""
        close = getattr(self._it, "close", None)
        if callable(close):
            try:
                close()
            except Exception:
                pass

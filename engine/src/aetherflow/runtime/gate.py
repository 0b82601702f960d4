"""`WorkerGate`: lets an interactive reader have the GIL to itself for a few milliseconds.

Pure-Python workers running flat out leave any other thread about 1/(workers + 1) of the
GIL, and a GUI redraw makes hundreds of Python calls, each waiting its turn: measured,
3 ms of drawing took 15-60 ms with 4 busy workers. A reader that holds the gate makes
workers pause *between items* (they wait on an event, which releases the GIL), does its
work alone, and opens the gate again. Workers check one attribute per item, so the gate
costs nothing while open; a hold is capped so a stuck reader cannot stall a run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class WorkerGate:
    """Open by default. ``closed`` is read by workers between items without a lock."""

    __slots__ = ("_open", "_until", "closed", "held_seconds")

    def __init__(self) -> None:
        self.closed = False
        self._open = threading.Event()
        self._open.set()
        self._until = 0.0
        self.held_seconds = 0.0  # total time workers were held back (for statistics)

    def wait_open(self) -> None:
        """Called by a worker that saw ``closed``: wait until opened or the cap passes."""
        remaining = self._until - time.monotonic()
        if remaining > 0:
            self._open.wait(remaining)

    @contextmanager
    def hold(self, max_seconds: float = 0.05) -> Iterator[None]:
        """Hold workers between items for the body of the ``with`` (at most
        ``max_seconds``; workers go on by themselves after that)."""
        t0 = time.monotonic()
        self._until = t0 + max_seconds
        self._open.clear()
        self.closed = True
        try:
            yield
        finally:
            self.closed = False
            self._open.set()
            self.held_seconds += time.monotonic() - t0

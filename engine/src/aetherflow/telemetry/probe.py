"""Per-worker counters, written without locks by the worker's own thread.

A `WorkerProbe` implements the runtime's `Probe` protocol. Only its own worker writes
it; the `Telemetry` reader copies its plain lists while the worker runs and tolerates
counts that are a few calls stale.
"""

from __future__ import annotations

from array import array
from typing import Any

TIMING_MASK = 7  # time the node calls of one item in 8 per worker (all calls are counted)
RING = 128  # recent latency samples kept per node per thread (a power of two)
_MASK = RING - 1
_EMPTY = float("nan")  # a ring slot not yet written
_BLANK_RING = array("d", [_EMPTY] * RING)


class WorkerProbe:
    """Counters of one worker thread.

    Attributes
    ----------
    current
        Index of the node running now (`Program.node_ids`), -1 between items.
    counts, timed, totals, errors
        Per node index: calls (exact), timed calls and their seconds, failures.
    timing, counting
        Time the node calls of the current item (the worker sets it on a sample of
        items); else count them, unless ``counting`` is off too: in a straight flow
        (every item runs every node once, in order) the worker counts whole items
        instead, in ``passed`` (untimed items that ran every node) and ``stopped_at``
        (per position in the run order: untimed items that failed there).
    rings
        Per node index: the last `RING` call durations (NaN for unused slots), as arrays
        of doubles: the cyclic collector neither tracks nor scans them (lists of 128
        floats per node and thread made each collection during a run of a flow of
        thousands of nodes walk hundreds of thousands of references).
    items, items_failed
        Items this thread finished, and how many of them failed.
    busy
        True while the thread works on a chunk of items.
    retries
        Per node index: failed attempts that were retried (`NodePolicy.retries`).
    in_flight
        Items started and not finished (more than 1 with ``concurrency`` > 1).
    abandoned
        The run gave up on this thread (a sync node overran its timeout) and started a
        fresh worker in its place.
    """

    __slots__ = (
        "abandoned",
        "busy",
        "counting",
        "counts",
        "current",
        "errors",
        "in_flight",
        "items",
        "items_failed",
        "name",
        "passed",
        "retries",
        "rings",
        "services",
        "services_wanted",
        "stopped_at",
        "timed",
        "timing",
        "totals",
    )  # fmt: skip

    def __init__(self, name: str, n_nodes: int) -> None:
        self.name = name
        self.current = -1
        self.counts = [0] * n_nodes
        self.timed = [0] * n_nodes
        self.totals = [0.0] * n_nodes
        self.timing = True
        self.counting = True
        self.passed = 0
        self.stopped_at = [0] * (n_nodes + 1)
        self.errors = [0] * n_nodes
        self.rings = [array("d", _BLANK_RING) for _ in range(n_nodes)]
        self.items = 0
        self.items_failed = 0
        self.busy = False
        self.retries = [0] * n_nodes
        self.in_flight = 0
        self.abandoned = False
        # isolated-services snapshots: the reader raises the wanted number, the worker
        # answers between items by posting a rendered ServicesSnapshot here
        self.services_wanted = 0
        self.services: Any = None

    def leave(self, index: int, seconds: float) -> None:
        """A timed node call finished in ``seconds``."""
        self.counts[index] += 1
        n = self.timed[index] + 1
        self.timed[index] = n
        self.totals[index] += seconds
        self.rings[index][n & _MASK] = seconds

    def failed(self, index: int) -> None:
        """A node call raised (counted once per failing item, by the node's index)."""
        self.errors[index] += 1

    def retried(self, index: int, failed: int, exc: BaseException) -> None:
        """A failed attempt of the node at ``index`` that will be retried."""
        self.retries[index] += 1

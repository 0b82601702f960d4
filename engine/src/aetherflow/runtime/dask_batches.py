"""Client-side bookkeeping of `run_flow_dask`: batch sizes, input order, per-worker totals.

Plain Python (no Dask import), so it is cheap to test and to reason about.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .dask_worker import BatchResult

TARGET_BATCH_SECONDS = 0.25  # a Dask task costs ~3-4 ms of scheduler, client and worker CPU
FIRST_BATCH = 4  # items in the first batches, before any timing is known
MAX_BATCH = 20_000


class BatchSizer:
    """Items per batch: fixed, or aiming at `TARGET_BATCH_SECONDS` from measured times,
    but never so large that a known-size input leaves threads idle."""

    def __init__(self, fixed: int | None, threads: int, total: int | None) -> None:
        self.fixed = fixed
        self.threads = max(1, threads)
        self.total = total
        self.per_item: float | None = None

    def observe(self, batch: BatchResult) -> None:
        """Learn from a finished batch's time per item (a moving average)."""
        if batch.done:
            per_item = batch.seconds / batch.done
            old = self.per_item
            self.per_item = per_item if old is None else 0.7 * old + 0.3 * per_item

    def next_size(self, sent: int) -> int:
        """The size of the next batch, ``sent`` items having been sent already."""
        if self.fixed is not None:
            return self.fixed
        if self.per_item is None:
            size = FIRST_BATCH
        else:
            size = int(TARGET_BATCH_SECONDS / max(self.per_item, 1e-7))
        if self.total is not None:  # leave every thread a share of what is left
            size = min(size, math.ceil((self.total - sent) / self.threads))
        return max(1, min(size, MAX_BATCH))


class InputOrder:
    """Releases finished batches in input order (buffering those that finish early)."""

    def __init__(self) -> None:
        self.next = 0
        self._early: dict[int, BatchResult] = {}

    def add(self, batch: BatchResult) -> list[BatchResult]:
        """The batches that are now next in input order (maybe none)."""
        self._early[batch.start] = batch
        ready = []
        while self.next in self._early:
            b = self._early.pop(self.next)
            ready.append(b)
            self.next += max(b.done, 1)
        return ready


class Totals:
    """Counts summed over every batch: per Dask worker and per node."""

    def __init__(self) -> None:
        self.per_worker: dict[str, dict[str, Any]] = {}
        self.calls: list[int] = []
        self.seconds: list[float] = []
        self.errors: list[int] = []
        self.batches = 0

    def add(self, batch: BatchResult) -> None:
        self.batches += 1
        w = self.per_worker.setdefault(
            batch.worker, {"items": 0, "failed": 0, "batches": 0, "busy_s": 0.0, "threads": []}
        )
        w["items"] += batch.done
        w["failed"] += len(batch.errors)
        w["batches"] += 1
        w["busy_s"] += batch.seconds
        if batch.thread not in w["threads"]:
            w["threads"].append(batch.thread)
        if not self.calls:
            n = len(batch.node_calls)
            self.calls, self.seconds, self.errors = [0] * n, [0.0] * n, [0] * n
        for i, c in enumerate(batch.node_calls):
            self.calls[i] += c
            self.seconds[i] += batch.node_seconds[i]
            self.errors[i] += batch.node_errors[i]

    def nodes(self, node_ids: list[str]) -> dict[str, dict[str, Any]]:
        """``{node id: {"calls", "seconds", "errors"}}`` in flow order."""
        rows = zip(node_ids, self.calls, self.seconds, self.errors, strict=False)
        return {node_id: {"calls": c, "seconds": s, "errors": e} for node_id, c, s, e in rows}

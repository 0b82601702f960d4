"""Real-time counter on a shared, locked service: the nodes, services and context of
``realtime_counter.aflow``.

Each item is one page view. Every worker thread counts into the same `MetricsService`
(shared, ``Singleton``), which takes its lock for each update, so the totals are exact
under any number of workers and every view sees the running count of its page.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from typing import Any

from aetherflow import BaseFlowContext, node, providers

PAGES = ("/", "/pricing", "/docs", "/docs/install", "/blog", "/about", "/signup")
# Weights so a few pages are hot: most views hit the same counters (contention).
PAGE_WEIGHTS = (30, 12, 20, 8, 10, 4, 6)


class MetricsService:
    """Global page-view counters and latency sums, one instance for all threads.

    Every read-modify-write happens under ``lock``: without it, two threads can read
    the same count and both write count + 1, losing a view.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.views: dict[str, int] = {}
        self.latency_ms: dict[str, float] = {}
        self.total = 0

    def record(self, page: str, latency_ms: float) -> tuple[int, int, float]:
        """Count one view; return (views of the page, views in all, mean latency)."""
        with self.lock:
            count = self.views.get(page, 0) + 1
            self.views[page] = count
            self.latency_ms[page] = self.latency_ms.get(page, 0.0) + latency_ms
            self.total += 1
            return count, self.total, self.latency_ms[page] / count

    def snapshot(self) -> dict[str, int]:
        """A consistent copy of the counters (for a dashboard)."""
        with self.lock:
            return dict(self.views)

    def close(self) -> None:
        """Nothing to release; counters stay readable after the run."""


class CounterContext(BaseFlowContext):
    """One `MetricsService` for every thread: counting needs the global view."""

    metrics = providers.Singleton(MetricsService)


@node(outputs=["page", "user", "latency_ms"])
def page_views(count: int = 500, seed: int = 7) -> Iterator[dict[str, Any]]:
    """The source: ``count`` page-view events, the same ones for the same seed."""
    rng = random.Random(seed)
    for _ in range(count):
        page = rng.choices(PAGES, PAGE_WEIGHTS)[0]
        if rng.random() < 0.2:
            page = page.upper() if page != "/" else page  # raw URLs vary in case
        if rng.random() < 0.2 and page != "/":
            page += "/"  # ... and in trailing slashes
        yield {
            "page": page,
            "user": f"user-{rng.randrange(50):02d}",
            "latency_ms": round(rng.uniform(20, 400), 1),
        }


@node
def normalize(page: str, ingest_ms: float = 0.0) -> dict[str, str]:
    """One key per page: lower case, no trailing slash.

    ``ingest_ms`` simulates reading the event from a stream (a sleep, which releases the
    GIL as real I/O does), so several workers count at once and contend for the lock.
    """
    if ingest_ms > 0:
        time.sleep(ingest_ms / 1000)
    key = page.strip().lower().rstrip("/") or "/"
    return {"page_key": key}


@node
def count_view(page_key: str, latency_ms: float, metrics: MetricsService) -> dict[str, Any]:
    """Count the view in the shared service and report the running totals."""
    count, total, mean_latency = metrics.record(page_key, latency_ms)
    return {
        "result": {
            "page": page_key,
            "page_views": count,
            "total_views": total,
            "mean_latency_ms": round(mean_latency, 1),
        }
    }

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

    def record(self, page: str, latency_ms: float, store_ms: float = 0.0) -> tuple[int, int, float]:
        """Count one view; return (views of the page, views in all, mean latency).

        ``store_ms`` simulates writing the counters through to a metrics store while the
        lock is held, as a simple implementation would: every other thread waits for it.
        """
        with self.lock:
            if store_ms > 0:
                time.sleep(store_ms / 1000)
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


def simulate_io(ms: float) -> None:
    """Wait about ``ms`` milliseconds (between half and one and a half times it), as a
    network call would: a sleep releases the GIL like real I/O."""
    if ms > 0:
        time.sleep(ms / 1000 * random.uniform(0.5, 1.5))


@node(outputs=["page", "user", "latency_ms"])
def page_views(count: int = 1000, seed: int = 7) -> Iterator[dict[str, Any]]:
    """The source: ``count`` page-view events, the same ones for the same seed (a stream:
    a generator, so the run cannot tell how many are coming)."""
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

    ``ingest_ms`` simulates reading the event from a stream (about that long, varying per
    event; a sleep releases the GIL as real I/O does), so several workers count at once
    and contend for the lock. Set it to 0 to run at full speed.
    """
    simulate_io(ingest_ms)
    key = page.strip().lower().rstrip("/") or "/"
    return {"page_key": key}


@node
def count_view(
    page_key: str,
    latency_ms: float,
    metrics: MetricsService,
    state: dict[str, Any],
    store_ms: float = 0.0,
) -> dict[str, Any]:
    """Count the view in the shared service and report the running totals.

    ``store_ms`` is how long the service holds its lock per view (see
    `MetricsService.record`): with several workers they queue for it, which "Measure
    shared services" reports. ``state`` (isolated) keeps what this thread counted.
    """
    count, total, mean_latency = metrics.record(page_key, latency_ms, store_ms)
    state["views_counted"] = state.get("views_counted", 0) + 1
    state["last_page"] = page_key
    return {
        "result": {
            "page": page_key,
            "page_views": count,
            "total_views": total,
            "mean_latency_ms": round(mean_latency, 1),
        }
    }

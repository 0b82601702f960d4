"""`TimelineSampler`: which node each worker thread ran, and when (for a timeline view).

A daemon thread reads every worker's `WorkerProbe.current` at a fixed rate and merges
equal consecutive samples into spans ``(start, end, node index)``, kept in a bounded ring
per thread. Workers are untouched: they already write ``current`` for the telemetry, so
the cost is the sampler's own wake-ups (a few microseconds each, under the GIL).

Sampling sees a node only if it is running at a sample: nodes much shorter than the
period show up in proportion to their share of time, which is what a timeline is for.
Start it only when someone looks (the Studio's timeline panel); it ends by itself when
every worker thread has ended.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from typing import Any

from .probe import WorkerProbe

IDLE = -1  # node index of a span where the thread ran no node


class TimelineSampler:
    """Samples the current node of each worker into per-thread rings of spans.

    Parameters
    ----------
    probes
        The workers' probes (``RunHandle.telemetry.probes``).
    threads
        Their threads (``RunHandle.threads``), in the same order: sampling ends when all
        have ended.
    node_ids
        Node ids by index (``RunHandle.telemetry.node_ids``).
    hz
        Samples per second (the GIL's switch interval caps the real rate near 200 Hz
        while workers run pure-Python code).
    max_spans
        Spans kept per thread (the oldest are dropped).
    """

    def __init__(
        self,
        probes: Sequence[WorkerProbe],
        threads: Sequence[threading.Thread],
        node_ids: Sequence[str],
        hz: float = 1000.0,
        max_spans: int = 50_000,
    ) -> None:
        self.node_ids = list(node_ids)
        self.names = [p.name for p in probes]
        self._probes = list(probes)
        self._threads = list(threads)
        self._period = 1.0 / hz
        # one ring per thread of [start, end, node]; the last span is extended in place
        self._rings: list[deque[list[Any]]] = [deque(maxlen=max_spans) for _ in probes]
        self.t0 = time.perf_counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="aetherflow-timeline", daemon=True)

    @classmethod
    def for_handle(cls, handle: Any, **options: Any) -> TimelineSampler:
        """A sampler for a `RunHandle` (not started)."""
        tel = handle.telemetry
        return cls(tel.probes, handle.threads, tel.node_ids, **options)

    def start(self) -> TimelineSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling (returns at once; the thread ends within one period)."""
        self._stop.set()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def now(self) -> float:
        """Seconds since the sampler was created (the time base of spans)."""
        return time.perf_counter() - self.t0

    def _main(self) -> None:
        probes, rings, period = self._probes, self._rings, self._period
        threads = self._threads
        while not self._stop.is_set():
            now = time.perf_counter() - self.t0
            for probe, ring in zip(probes, rings, strict=True):
                node = probe.current if probe.busy else IDLE
                last = ring[-1] if ring else None
                if last is not None and last[2] == node:
                    last[1] = now
                else:
                    if last is not None:
                        last[1] = now
                    ring.append([now, now, node])
            self.samples += 1
            if not any(t.is_alive() for t in threads):
                break
            time.sleep(period)

    def spans(self, thread: int, since: float = 0.0) -> list[tuple[float, float, int]]:
        """Spans of thread number ``thread`` that end at or after ``since``, oldest first:
        ``(start, end, node index)`` with `IDLE` for no node. Safe from any thread."""
        ring = list(self._rings[thread])  # one C-level copy: consistent under the GIL
        out = []
        for span in reversed(ring):
            start, end, node = span
            if end < since:
                break
            out.append((start, end, node))
        out.reverse()
        return out

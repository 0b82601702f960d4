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
# Seconds between two samples (the sampler starved of the GIL) beyond which the middle of
# the wait is left unknown rather than credited to the nodes either sample saw.
MAX_GAP = 0.1


def _observe(probe: WorkerProbe) -> tuple[int, int, int]:
    """(node, items finished, calls of that node finished): while all three stay the same,
    the thread is still inside the same call."""
    if not probe.busy:
        return (IDLE, probe.items, 0)
    node = probe.current
    return (node, probe.items, probe.counts[node] if node >= 0 else 0)


def _add_sample(
    ring: deque[list[Any]], seen: tuple[int, int, int], now: float, prev: float | None
) -> None:
    """Extend the lane by one sample. Spans are ``[start, end, node, signature]``.

    A change between two samples is placed halfway between them (each sample stands for
    the time around it), so neither node gains the sampler's delays. A call that is still
    the same one is simply extended. Over a gap longer than `MAX_GAP` each side claims
    only ``MAX_GAP / 2`` and the middle stays unknown (not drawn).
    """
    last = ring[-1] if ring else None
    if last is None or prev is None:
        ring.append([now, now, seen[0], seen])
        return
    if last[3] == seen:
        last[1] = now
        return
    reach = min(now - prev, MAX_GAP) / 2
    last[1] = prev + reach
    start = now - reach
    if last[2] == seen[0] and start <= last[1]:  # the same node again (the next item)
        last[1], last[3] = now, seen
        return
    ring.append([start, now, seen[0], seen])


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
        prev: float | None = None
        while not self._stop.is_set():
            now = time.perf_counter() - self.t0
            for probe, ring in zip(probes, rings, strict=True):
                _add_sample(ring, _observe(probe), now, prev)
            prev = now
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
            start, end, node = span[0], span[1], span[2]
            if end < since:
                break
            out.append((start, end, node))
        out.reverse()
        return out


def lane_shares(
    sampler: TimelineSampler, thread: int, since: float = 0.0, until: float | None = None
) -> dict[str, float]:
    """Fraction of ``[since, until]`` (default: to the lane's last sample) that thread
    number ``thread`` spent in each node, by node id, and ``"idle"``; the rest is time
    the sampler could not see."""
    spans = sampler.spans(thread, since)
    if not spans:
        return {}
    end = spans[-1][1] if until is None else until
    if end <= since:
        return {}
    shares: dict[str, float] = {}
    for start, stop, node in spans:
        width = min(stop, end) - max(start, since)
        if width > 0:
            name = "idle" if node == IDLE else sampler.node_ids[node]
            shares[name] = shares.get(name, 0.0) + width / (end - since)
    return shares

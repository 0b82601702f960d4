"""`Telemetry`: the reader side. Builds `TelemetrySnapshot`s from the workers' probes.

Polled, never pushed: a GUI timer or a progress bar calls `Telemetry.snapshot()`; the
workers never send a message per node or per item.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from .probe import WorkerProbe
from .shared import SharedProfile
from .snapshot import NodeStats, ServicesSnapshot, TelemetrySnapshot, ThreadStats


class RunStatus:
    """What the reader needs from a run besides the probes (filled by the executor)."""

    run_id: str = ""
    state: str = "running"
    total: int | None = None
    input_total: int | None = None
    limit: int | None = None

    def elapsed(self) -> float:
        return 0.0


class Telemetry:
    """Live statistics of one run.

    Parameters
    ----------
    status
        The run's state, elapsed time and input size.
    node_ids
        Node ids by index, as in `Program.node_ids`.
    window
        Seconds of the sliding window for throughput.
    """

    def __init__(self, status: RunStatus, node_ids: Sequence[str], window: float = 1.0) -> None:
        self._status = status
        self.node_ids = list(node_ids)
        self.window = window
        self._workers: list[tuple[WorkerProbe, threading.Thread]] = []
        self.shared_profiles: list[SharedProfile] = []
        # node indexes in run order for a straight flow (counts derived from whole items)
        self.order: list[int] | None = None
        self._history: deque[tuple[float, tuple[int, ...]]] = deque()
        self._lock = threading.Lock()  # between readers only; workers never take it
        self._generation = 0
        self._version = 0
        self._last_key: tuple[Any, ...] = ()

    def register(self, probe: WorkerProbe, thread: threading.Thread) -> None:
        """Called by the executor for each worker before it starts."""
        self._workers.append((probe, thread))

    @property
    def probes(self) -> list[WorkerProbe]:
        return [p for p, _ in self._workers]

    def probe_of(self, ident: int) -> WorkerProbe | None:
        """The probe of the worker thread ``ident`` (None for any other thread)."""
        for probe, thread in self._workers:
            if thread.ident == ident:
                return probe
        return None

    # -- isolated services ------------------------------------------------------------
    def request_services(self) -> int:
        """Ask every worker for a snapshot of its isolated services; return the request
        number. Each worker answers between two items; read the answers from
        `ThreadStats.services` in later snapshots (or wait with `services()`)."""
        with self._lock:
            self._generation += 1
            generation = self._generation
        for probe, _ in self._workers:
            probe.services_wanted = generation
        return generation

    def services(self, timeout: float | None = 1.0) -> dict[str, ServicesSnapshot | None]:
        """Request snapshots and wait up to ``timeout`` for every live worker's answer.

        Returns ``{thread name: ServicesSnapshot}``; a worker stuck inside a long node
        past the timeout gives its previous snapshot (or None).
        """
        generation = self.request_services()
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            waiting = [
                p for p, t in self._workers
                if t.is_alive() and (p.services is None or p.services[0] < generation)
            ]  # fmt: skip
            if not waiting or (deadline is not None and time.monotonic() >= deadline):
                break
            time.sleep(0.005)
        return {p.name: (p.services[1] if p.services else None) for p, _ in self._workers}

    # -- snapshots --------------------------------------------------------------------
    def snapshot(self) -> TelemetrySnapshot:
        """The run's statistics now (cheap enough to call at 30 Hz)."""
        status = self._status
        now = time.monotonic()
        elapsed = status.elapsed()
        workers = list(self._workers)
        per_thread = tuple(p.items for p, _ in workers)
        items = sum(per_thread)
        failed = sum(p.items_failed for p, _ in workers)
        rates = self._rates(now, per_thread, elapsed)
        threads = tuple(
            self._thread_stats(p, t, rate) for (p, t), rate in zip(workers, rates[1], strict=True)
        )
        nodes = self._node_stats([p for p, _ in workers])
        overall = items / elapsed if elapsed > 0 else 0.0
        rate = rates[0]
        eta = None
        if status.total is not None and rate > 0:
            eta = max(status.total - items, 0) / rate
        key = (status.state, items, failed, sum(n.count for n in nodes),
               sum(1 for t in threads if t.services is not None),
               sum(t.in_flight for t in threads), sum(t.abandoned for t in threads))  # fmt: skip
        with self._lock:
            if key != self._last_key:
                self._last_key = key
                self._version += 1
            version = self._version
        return TelemetrySnapshot(
            run_id=status.run_id,
            state=status.state,
            elapsed=elapsed,
            total=status.total,
            input_total=status.input_total,
            limit=status.limit,
            items=items,
            succeeded=items - failed,
            failed=failed,
            items_per_s=rate,
            items_per_s_overall=overall,
            eta=eta,
            threads=threads,
            nodes=nodes,
            shared=tuple(s.stats() for s in self.shared_profiles),
            version=version,
        )

    def _rates(
        self, now: float, per_thread: tuple[int, ...], elapsed: float
    ) -> tuple[float, list[float]]:
        """Overall and per-thread items/s over the window of earlier polls."""
        with self._lock:
            history = self._history
            history.append((now, per_thread))
            while len(history) > 2 and now - history[1][0] >= self.window:
                history.popleft()
            t0, old = history[0]
        span = now - t0
        if span < self.window * 0.5 or len(old) != len(per_thread):
            if elapsed <= 0:
                return 0.0, [0.0] * len(per_thread)
            return sum(per_thread) / elapsed, [n / elapsed for n in per_thread]
        per = [(n - o) / span for n, o in zip(per_thread, old, strict=True)]
        return sum(per), per

    def _thread_stats(self, p: WorkerProbe, t: threading.Thread, rate: float) -> ThreadStats:
        current = p.current
        node = self.node_ids[current] if 0 <= current < len(self.node_ids) else None
        posted = p.services
        return ThreadStats(
            name=p.name,
            items=p.items,
            failed=p.items_failed,
            busy=p.busy,
            current_node=node if p.busy else None,
            items_per_s=rate,
            alive=t.is_alive(),
            services=posted[1] if posted else None,
            in_flight=p.in_flight,
            abandoned=p.abandoned,
        )

    def _derived_counts(self, probes: list[WorkerProbe]) -> list[int]:
        """Calls per node not counted one by one: untimed items of a straight flow."""
        derived = [0] * len(self.node_ids)
        if self.order is None:
            return derived
        for p in probes:
            passed, stopped = p.passed, list(p.stopped_at)
            later = sum(stopped)  # untimed items that failed at this position or later
            for position, node_index in enumerate(self.order):
                later -= stopped[position]
                derived[node_index] += passed + later
        return derived

    def _node_stats(self, probes: list[WorkerProbe]) -> tuple[NodeStats, ...]:
        out = []
        derived = self._derived_counts(probes)
        for i, node_id in enumerate(self.node_ids):
            count = sum(p.counts[i] for p in probes) + derived[i]
            timed = sum(p.timed[i] for p in probes)
            total = sum(p.totals[i] for p in probes)
            errors = sum(p.errors[i] for p in probes)
            samples = sorted(x for p in probes for x in list(p.rings[i]) if x == x)
            p50 = _quantile(samples, 0.5)
            p95 = _quantile(samples, 0.95)
            mean = total / timed if timed else 0.0
            retries = sum(p.retries[i] for p in probes)
            out.append(NodeStats(node_id, count, errors, mean, p50, p95, retries))
        return tuple(out)


def _quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


SnapshotSource = Callable[[], TelemetrySnapshot]

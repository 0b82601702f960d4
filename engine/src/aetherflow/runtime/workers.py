"""Persistent worker threads: each takes chunks from the feed and runs every item of a
chunk through the whole flow, then hands the outcomes back.

A worker owns its `WorkerProbe` (lock-free counters) and its `WorkerServices` (the
isolated instances it created). Between items it answers requests for a snapshot of those
instances, so no live object ever crosses threads. Workers are daemon threads: a hung
node cannot block interpreter exit.
"""

from __future__ import annotations

import threading
import time
import traceback
from time import perf_counter
from typing import TYPE_CHECKING, Any

from ..errors import NodeExecutionError
from ..telemetry.probe import WorkerProbe
from ..telemetry.snapshot import ServicesSnapshot
from .feed import WAIT
from .report import ItemError
from .scopes import WorkerServices

if TYPE_CHECKING:
    from .executor import Run

TARGET_CHUNK_SECONDS = 0.005  # long enough to amortise the feed's lock, short enough to
# keep cancel, pause and load balance responsive
TIMING_MASK = 7  # time the nodes of one item in 8 (all calls are counted)


def item_error(index: int, exc: BaseException) -> ItemError:
    """An `ItemError` for ``exc``; a node's own exception is reported, not its wrapper."""
    node = getattr(exc, "node", None)
    original = exc.original if isinstance(exc, NodeExecutionError) else exc
    text = "".join(traceback.format_exception(original))
    return ItemError(index, node if isinstance(node, str) else None,
                     type(original).__name__, str(original), text)  # fmt: skip


class Worker:
    """One persistent worker thread of a run."""

    def __init__(self, run: Run, number: int) -> None:
        self.run = run
        name = f"aetherflow-{run.run_id}-w{number}"
        self.probe = WorkerProbe(name, len(run.program.node_ids))
        self.thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._answered = 0
        self._chunk = 1
        self._per_item = 0.0

    def _main(self) -> None:
        svc = self.run.services.for_worker()
        try:
            self._create_isolated(svc)
            self._loop(svc)
        except BaseException as exc:  # an engine fault or a node's BaseException
            self.run.crashed(exc)
        finally:
            self.probe.busy = False
            self.probe.current = -1
            problems: list[str] = []
            try:
                self._answer(svc, self.probe.services_wanted)
                problems = svc.close()  # isolated instances, on their own thread
            finally:  # whatever happened, the run must learn that this worker ended
                self.run.worker_finished(problems)

    def _create_isolated(self, svc: WorkerServices) -> None:
        """Make this worker's isolated instances up front, so there is exactly one per
        worker (and a state to inspect) even if the worker gets no items."""
        for name in self.run.used_isolated:
            try:
                svc.get(name)
            except Exception:
                pass  # retried at first use, where it fails as an item error of the node

    def _loop(self, svc: WorkerServices) -> None:
        run, feed, probe = self.run, self.run.feed, self.probe
        gate = run.gate
        while True:
            if gate.closed:
                gate.wait_open()
            if run.paused and not feed.stopping:
                self._wait_resumed(svc)
            got = feed.take(self._chunk)
            if got is None:
                return
            if got is WAIT:
                if probe.services_wanted != self._answered:
                    self._answer(svc, probe.services_wanted)
                continue
            assert isinstance(got, tuple)
            start, items = got
            probe.busy = True
            t0 = perf_counter()
            outcomes = self._run_chunk(start, items, svc)
            probe.busy = False
            probe.current = -1
            feed.deliver(start, outcomes)
            self._adapt(perf_counter() - t0, len(items))

    def _run_chunk(self, start: int, items: list[Any], svc: WorkerServices) -> list[Any]:
        run_item, extract = self.run.program.run_item, self.run.extract
        probe, gate = self.probe, self.run.gate
        tprobe = probe if self.run.telemetry_on else None
        positions = self.run.positions if tprobe is not None else None
        probe.counting = positions is None
        outcomes: list[Any] = []
        index = start
        for item in items:
            if tprobe is not None:
                tprobe.timing = timing = not probe.items & TIMING_MASK
            try:
                outcomes.append(extract(run_item(item, svc, tprobe)))
                if positions is not None and not timing:
                    probe.passed += 1
            except BaseException as exc:  # even a BaseException fails only its item
                outcomes.append(self._failed(index, exc))
                if positions is not None and not timing:
                    self._stopped(exc, positions)
            probe.items += 1
            probe.current = -1  # between items: no node (the timeline shows it as idle)
            index += 1
            if gate.closed:
                gate.wait_open()
            if probe.services_wanted != self._answered:
                self._answer(svc, probe.services_wanted)
        return outcomes

    def _failed(self, index: int, exc: BaseException) -> ItemError:
        error = item_error(index, exc)
        self.probe.items_failed += 1
        if not isinstance(exc, NodeExecutionError) and error.node is not None:
            node_index = self.run.node_index.get(error.node)
            if node_index is not None:  # the probe counts NodeExecutionErrors itself
                self.probe.errors[node_index] += 1
        if self.run.stop_on_error:
            self.run.stop("error")
        return error

    def _stopped(self, exc: BaseException, positions: dict[str, int]) -> None:
        """An untimed item of a straight flow failed: note where (see `WorkerProbe`)."""
        node = getattr(exc, "node", None)
        position = positions.get(node, len(positions)) if isinstance(node, str) else None
        if position is None:  # failed after the flow (in extract): every node ran
            self.probe.passed += 1
        else:
            self.probe.stopped_at[position] += 1

    def _adapt(self, seconds: float, n: int) -> None:
        """Size the next chunk to take about `TARGET_CHUNK_SECONDS`."""
        per_item = seconds / n
        self._per_item = per_item if not self._per_item else 0.7 * self._per_item + 0.3 * per_item
        want = int(TARGET_CHUNK_SECONDS / self._per_item) if self._per_item > 0 else 1 << 20
        self._chunk = max(1, min(want, self.run.max_chunk))

    def _wait_resumed(self, svc: WorkerServices) -> None:
        run, probe = self.run, self.probe
        while run.paused and not run.feed.stopping:
            if probe.services_wanted != self._answered:
                self._answer(svc, probe.services_wanted)
            run.resumed.wait(0.05)

    def _answer(self, svc: WorkerServices, wanted: int) -> None:
        """Post a rendered snapshot of this worker's isolated services."""
        snap = ServicesSnapshot(self.probe.name, time.monotonic(), self.probe.items, svc.render())
        self.probe.services = (wanted, snap)
        self._answered = wanted

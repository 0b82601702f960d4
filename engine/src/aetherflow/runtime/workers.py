"""Persistent worker threads: each takes chunks from the feed and runs every item of a
chunk through the whole flow, then hands the outcomes back.

A worker owns its `WorkerProbe` (lock-free counters) and its `WorkerServices` (the
isolated instances it created). Between items it answers requests for a snapshot of those
instances, so no live object ever crosses threads. Workers are daemon threads: a hung
node cannot block interpreter exit.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import traceback
from collections.abc import Callable
from time import perf_counter
from typing import TYPE_CHECKING, Any

from ..errors import InputError, NodeExecutionError
from ..telemetry.probe import TIMING_MASK, WorkerProbe
from ..telemetry.snapshot import ServicesSnapshot
from .feed import WAIT
from .guarded import TimeGuard, WorkerAbandoned
from .lanes import Lanes
from .report import ItemError
from .scopes import WorkerServices
from .tracer import run_debug_chunk, watching_tracer
from .traces import ItemTrace, failing_step, replayable

if TYPE_CHECKING:
    from .executor import Run

TARGET_CHUNK_SECONDS = 0.005  # long enough to amortise the feed's lock, short enough to
# keep cancel, pause and load balance responsive

# chunks a worker hands to its replacement: (start index, items, outcomes of the first
# items); the items after those outcomes have not run
Carry = list[tuple[int, list[Any], list[Any]]]


def failed_item(index: int, exc: BaseException, item: Any, trace: ItemTrace | None) -> ItemError:
    """`item_error` with the item's input and trace kept, so the item can be replayed.
    Without a recorded ``trace``, the failing node's step is built from the inputs its
    error carries (captured on the error path only)."""
    error = item_error(index, exc)
    kept = replayable(item)
    if trace is None:
        step = failing_step(exc)
        trace = ItemTrace(index, threading.current_thread().name, kept,
                          (step,) if step is not None else (), True)  # fmt: skip
    return dataclasses.replace(error, item=kept, trace=trace)


def item_error(index: int, exc: BaseException) -> ItemError:
    """An `ItemError` for ``exc``; a node's own exception is reported, not its wrapper."""
    node = getattr(exc, "node", None)
    original = exc.original if isinstance(exc, NodeExecutionError) else exc
    text = "".join(traceback.format_exception(original))
    message = str(original)
    if isinstance(exc, NodeExecutionError) and exc.attempts > 1:
        message += f" (all {exc.attempts} attempts failed)"
    return ItemError(index, node if isinstance(node, str) else None,
                     type(original).__name__, message, text)  # fmt: skip


class Worker:
    """One persistent worker thread of a run."""

    def __init__(self, run: Run, number: int, carry: Carry | None = None) -> None:
        self.run = run
        name = f"aetherflow-{run.run_id}-w{number}"
        self.probe = WorkerProbe(name, len(run.program.node_ids))
        self.thread = threading.Thread(target=self._main, name=name, daemon=True)
        self.guard = TimeGuard(run.cancelled)
        self.carry: Carry = carry or []  # left by the worker this one replaces
        self.lanes: Lanes | None = None  # when the flow has async nodes
        self.chunk_now: tuple[int, list[Any], list[Any]] | None = None
        self._answered = 0
        self._chunk = 1
        self._per_item = 0.0

    def _main(self) -> None:
        svc = self.run.services.for_worker()
        self.guard.bind()
        try:
            self._create_isolated(svc)
            if self.run.program.is_async:
                self.lanes = Lanes(self, svc, self.run.concurrency)
                self.lanes.run(self.carry)
            else:
                self._finish_carry(svc)
                self._loop(svc)
        except WorkerAbandoned:
            pass  # the run has replaced this thread; its late result is dropped
        except BaseException as exc:  # an engine fault or a node's BaseException
            self.run.crashed(exc)
        finally:
            self.probe.busy = False
            self.probe.current = -1
            abandoned = self.guard.abandoned
            problems: list[str] = []
            try:
                if not abandoned:
                    self._answer(svc, self.probe.services_wanted)
                    if self.run.debug is not None:
                        self.run.debug.worker_ended(self)
                problems = svc.close()  # isolated instances, on their own thread
            finally:  # whatever happened, the run must learn that this worker ended
                if not abandoned:  # (an abandoned one was replaced already)
                    self.run.worker_finished(problems)

    def salvage(self, error: Any) -> Carry:
        """What this stuck worker holds, for its replacement (see `Lanes.salvage`): the
        item in the overdue node gets ``error(index)``."""
        if self.lanes is not None:
            return self.lanes.salvage(error)
        if self.chunk_now is None:
            return []
        start, items, outcomes = self.chunk_now
        done = [*outcomes, error(start + len(outcomes))]
        return [(start, items, done)]

    def _finish_carry(self, svc: WorkerServices) -> None:
        for start, items, done in self.carry:
            self.run.feed.deliver(start, self._run_chunk(start, items, svc, list(done)))
        self.carry = []

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

    def _run_chunk(
        self, start: int, items: list[Any], svc: WorkerServices, outcomes: list[Any] | None = None
    ) -> list[Any]:
        debug = self.run.debug
        if debug is not None and not debug.watch_only:  # tracing or breakpoints
            return run_debug_chunk(self, start, items, svc, outcomes)
        if outcomes is None:
            outcomes = []
        self.chunk_now = (start, items, outcomes)
        todo = items[len(outcomes) :] if outcomes else items
        index = start + len(outcomes)
        if debug is None:
            return self._run_items(todo, index, svc, outcomes, self.run.program.run_item)
        # Watched wires: the chunk's last item runs keeping every node's result, the
        # others as in any run (a chunk takes about `TARGET_CHUNK_SECONDS`).
        tracer = watching_tracer(self, svc)
        self._run_items(todo[:-1], index, svc, outcomes, self.run.program.run_item)
        self._run_items(todo[-1:], index + len(todo) - 1, svc, outcomes, tracer.run_item)
        if debug.wires_wanted != tracer.answered:
            tracer.post_wires(debug.wires_wanted)
        return outcomes

    def _run_items(
        self,
        todo: list[Any],
        index: int,
        svc: WorkerServices,
        outcomes: list[Any],
        run_item: Callable[[Any, WorkerServices, Any], dict[str, Any]],
    ) -> list[Any]:
        extract, probe, gate = self.run.extract, self.probe, self.run.gate
        tprobe = probe if self.run.telemetry_on else None
        positions = self.run.positions if tprobe is not None else None
        probe.counting = positions is None
        for item in todo:
            if tprobe is not None:
                tprobe.timing = timing = not probe.items & TIMING_MASK
            try:
                outcomes.append(extract(run_item(item, svc, tprobe)))
                if positions is not None and not timing:
                    probe.passed += 1
            except WorkerAbandoned:
                raise  # the run gave up on this thread: nothing more of it counts
            except BaseException as exc:  # even a BaseException fails only its item
                outcomes.append(self._failed(index, exc, item))
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

    def _failed(
        self, index: int, exc: BaseException, item: Any, trace: ItemTrace | None = None
    ) -> ItemError:
        error = failed_item(index, exc, item, trace)
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
        if isinstance(exc, InputError):  # an unreadable input line: no node ran
            position = 0
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

    def _between_items(self, svc: WorkerServices) -> None:
        """Let a holder of the gate draw, and answer a request for a services snapshot."""
        if self.run.gate.closed:
            self.run.gate.wait_open()
        if self.probe.services_wanted != self._answered:
            self._answer(svc, self.probe.services_wanted)

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

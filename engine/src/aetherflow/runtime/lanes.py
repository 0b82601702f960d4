"""A worker of a flow with async nodes: its own event loop for the run, and
``concurrency`` lanes on it, each taking the worker's items one at a time.

A lane awaits an item's async nodes; while it waits, the other lanes run theirs, so up to
``concurrency`` items are in flight on one worker thread. They share the worker's
isolated instances and interleave only at ``await`` points. Lanes take items from the
worker's current chunk (chunks come from the feed as in a sync worker) and a chunk is
delivered when its last item finishes, so ordered delivery is unchanged.

Cancelling the run cancels what the lanes are awaiting (``finally`` blocks run); the
item each lane was on fails with ``CancelledError``, and so do the items of a taken chunk
no lane had started.
"""

from __future__ import annotations

import asyncio
from time import perf_counter
from typing import TYPE_CHECKING, Any

from ..telemetry.probe import TIMING_MASK
from .aio import arun_item
from .feed import WAIT
from .guarded import WorkerAbandoned
from .report import ItemError

if TYPE_CHECKING:
    from .scopes import WorkerServices
    from .workers import Carry, Worker

PENDING: Any = object()  # an outcome not there yet
_POLL = 0.02  # how often a worker's loop looks for a cancel, and lanes retry a full feed


class Chunk:
    __slots__ = ("items", "left", "next", "outcomes", "start", "t0")

    def __init__(self, start: int, items: list[Any], done: list[Any] | None = None) -> None:
        done = done or []
        self.start, self.items = start, items
        self.outcomes = done + [PENDING] * (len(items) - len(done))
        self.next = len(done)  # the first item no lane has started
        self.left = len(items) - len(done)
        self.t0 = perf_counter()


class Lanes:
    """Runs one worker's items on its event loop, up to ``concurrency`` at a time."""

    def __init__(self, worker: Worker, svc: WorkerServices, concurrency: int) -> None:
        self.worker, self.svc, self.concurrency = worker, svc, concurrency
        self.chunks: list[Chunk] = []  # taken and not delivered, oldest first
        self.ended = False
        self.tasks: list[asyncio.Task[None]] = []

    def run(self, carry: Carry) -> None:
        loop = asyncio.new_event_loop()
        try:
            for start, items, done in carry:
                chunk = Chunk(start, items, done)
                if chunk.left:
                    self.chunks.append(chunk)
                else:  # every item had started: the salvage finished them all
                    self.worker.run.feed.deliver(start, chunk.outcomes)
            loop.run_until_complete(self._main())
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    async def _main(self) -> None:
        self.tasks = [asyncio.create_task(self._lane()) for _ in range(self.concurrency)]
        watch = asyncio.create_task(self._watch())
        try:
            done = await asyncio.gather(*self.tasks, return_exceptions=True)
        finally:
            watch.cancel()
        for outcome in done:
            if isinstance(outcome, WorkerAbandoned):
                raise outcome
            if isinstance(outcome, BaseException) and not isinstance(
                outcome, asyncio.CancelledError
            ):
                raise outcome
        self._cancel_unstarted()

    async def _watch(self) -> None:
        """Cancel every lane when the run is cancelled (Stop)."""
        run = self.worker.run
        while not run.cancelled():
            await asyncio.sleep(_POLL)
        self.ended = True
        for task in self.tasks:
            task.cancel()

    async def _lane(self) -> None:
        worker = self.worker
        run, probe = worker.run, worker.probe
        tprobe = probe if run.telemetry_on else None
        # The calls of one item in 8 are timed. With one lane, untimed items of a
        # straight flow are counted whole, as in a sync worker (`WorkerProbe.passed`);
        # lanes that interleave count every call ("one item in 8" is then approximate:
        # another lane may switch timing on meanwhile).
        positions = run.positions if tprobe is not None and self.concurrency == 1 else None
        probe.counting = positions is None
        timing = True
        program, extract = run.program, run.extract
        chunks, guard = self.chunks, worker.guard
        while True:
            chunk = chunks[-1] if chunks else None
            if chunk is not None and chunk.next < len(chunk.items) and not guard.abandoned:
                i = chunk.next  # the common case, without a call into `_next`
                chunk.next = i + 1
            else:
                picked = await self._next()
                if picked is None:
                    return
                chunk, i = picked
            index = chunk.start + i
            probe.timing = timing = not probe.items & TIMING_MASK
            probe.in_flight += 1
            probe.busy = True
            try:
                outcome = extract(await arun_item(program, chunk.items[i], self.svc, tprobe))
                if positions is not None and not timing:
                    probe.passed += 1
            except asyncio.CancelledError as exc:
                probe.items_failed += 1
                self._finished(chunk, i, _cancelled(index, exc))
                raise
            except WorkerAbandoned:
                raise
            except BaseException as exc:  # even a BaseException fails only its item
                outcome = worker._failed(index, exc, chunk.items[i])
                if positions is not None and not timing:
                    worker._stopped(exc, positions)
            finally:
                probe.in_flight -= 1
                probe.busy = probe.in_flight > 0
            self._finished(chunk, i, outcome)
            if run.gate.closed or probe.services_wanted != worker._answered:
                worker._between_items(self.svc)

    async def _next(self) -> tuple[Chunk, int] | None:
        """The next item for a lane: from the newest chunk, else a new chunk."""
        worker = self.worker
        run, feed, probe = worker.run, worker.run.feed, worker.probe
        while True:
            if worker.guard.abandoned:
                return None
            chunk = self.chunks[-1] if self.chunks else None
            if chunk is not None and chunk.next < len(chunk.items):
                chunk.next += 1
                return chunk, chunk.next - 1
            if self.ended:
                return None
            if run.paused and not feed.stopping:
                worker._between_items(self.svc)
                await asyncio.sleep(_POLL)
                continue
            busy = probe.in_flight > 0
            size = min(run.max_chunk, max(worker._chunk, self.concurrency))
            got = feed.take(size, wait=0.0 if busy else 0.05)
            if got is None:
                self.ended = True
                return None
            if got is WAIT:
                worker._between_items(self.svc)
                if busy:
                    await asyncio.sleep(_POLL / 4)
                continue
            assert isinstance(got, tuple)
            self.chunks.append(Chunk(*got))

    def _finished(self, chunk: Chunk, i: int, outcome: Any) -> None:
        worker = self.worker
        if worker.guard.abandoned:  # the replacement delivers this chunk
            return
        chunk.outcomes[i] = outcome
        chunk.left -= 1
        worker.probe.items += 1
        if chunk.left == 0:
            self.chunks.remove(chunk)
            worker.run.feed.deliver(chunk.start, chunk.outcomes)
            worker._adapt(perf_counter() - chunk.t0, len(chunk.items))

    def _cancel_unstarted(self) -> None:
        """After a cancel: items of taken chunks that no lane started fail as cancelled."""
        for chunk in list(self.chunks):
            for i in range(chunk.next, len(chunk.items)):
                error = ItemError(chunk.start + i, None, "CancelledError",
                                  "not started: the run was stopped", "")  # fmt: skip
                self.worker.probe.items_failed += 1
                chunk.next = i + 1
                self._finished(chunk, i, error)

    def salvage(self, error: Any) -> Carry:
        """The taken chunks, for the worker replacing this one (called by the watchdog
        while this loop is stuck in a sync node): each started, unfinished item gets
        ``error(index)``; items no lane started are left for the replacement."""
        carry = []
        for chunk in self.chunks:
            done = chunk.outcomes[: chunk.next]
            for i, outcome in enumerate(done):
                if outcome is PENDING:
                    done[i] = error(chunk.start + i)
            carry.append((chunk.start, chunk.items, done))
        return carry


def _cancelled(index: int, exc: asyncio.CancelledError) -> ItemError:
    node = getattr(exc, "aetherflow_node", None)
    where = f" while awaiting node '{node}'" if node else ""
    return ItemError(index, node, "CancelledError", f"cancelled{where}: the run was stopped", "")

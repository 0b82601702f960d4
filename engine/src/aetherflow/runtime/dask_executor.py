"""Run a flow on a Dask cluster: the thread executor's report and handle, across processes.

Needs the optional extra ``aetherflow-engine[dask]``; Dask is imported inside the functions
here, so ``import aetherflow`` works without it. See docs/dask.md.

Items travel in batches (sized for about 25 ms of work each, `dask_batches`); at most
`IN_FLIGHT_PER_THREAD` batches per worker thread are sent but not yet delivered in input
order (so a generator input is read only that far ahead and early batches wait in bounded
memory); every Dask worker builds the flow once with a `FlowWorkerPlugin` (`dask_worker`).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from ..errors import FlowError
from ..graph.model import Flow
from ..telemetry.snapshot import TelemetrySnapshot
from .dask_batches import BatchSizer, InputOrder, Totals
from .dask_loss import (
    ON_WORKER_LOSS,
    LossWatch,
    Rerun,
    allowed_failures,
    is_worker_loss,
    lost_batch_errors,
)
from .flow_context import effective_scopes, run_services
from .handle import NoDebugging, Outcome, RunHandle, check_stream
from .report import END_OF_STREAM, ItemError, RunReport, finish_run
from .scopes import RunServices
from .source import module_folders, source_iterator
from .workers import item_error

if TYPE_CHECKING:
    from .dask_worker import BatchResult

IN_FLIGHT_PER_THREAD = 3  # batches sent but not yet delivered in input order, per thread
RATE_WINDOW = 3.0  # seconds of history behind the snapshot's items_per_s

Progress = Callable[[int, int], None]  # (items finished, items failed so far)
_run_numbers = itertools.count(1)


def run_flow_dask(flow: Flow, items: Iterable[Any] | None = None, **options: Any) -> RunReport:
    """Run ``flow`` over ``items`` on Dask workers and return the `RunReport`.

    Options as `start_flow_dask`. Ctrl-C cancels the run (the batches in flight finish,
    a cluster started here is closed) and re-raises.
    """
    handle = start_flow_dask(flow, items, **options)
    try:
        return handle.wait()
    except KeyboardInterrupt:
        handle.cancel()
        handle.wait()
        raise


def start_flow_dask(
    flow: Flow,
    items: Iterable[Any] | None = None,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    processes: bool = True,
    threads_per_worker: int = 1,
    scopes: Mapping[str, str] | None = None,
    on_error: str = "continue",
    on_worker_loss: str = "rerun",
    ordered: bool = True,
    limit: int | None = None,
    batch_size: int | None = None,
    progress: Progress | None = None,
    stream: bool | str = False,
    collect: bool = True,
    total: int | None = None,
) -> DaskRunHandle:
    """Start running ``flow`` over ``items`` on Dask workers; return a `DaskRunHandle`.

    Parameters
    ----------
    flow
        The flow; its nodes are imported here first, then it travels to the workers as
        plain data (``flow.to_dict()`` and its search paths) and is rebuilt there.
    items
        Any iterable, read lazily; None runs the flow's source node (on the client).
    workers, processes, threads_per_worker
        The `LocalCluster` started when no ``scheduler`` is given, and closed when the
        run ends: worker processes by default, so pure-Python nodes scale past the GIL.
    scheduler
        Address of a running scheduler (``tcp://host:8786``); that cluster keeps running.
    scopes
        ``{service: "shared" | "isolated"}`` over the flow's own scopes. On Dask,
        isolated is one instance per worker thread and shared one per Dask worker.
    on_error
        ``"continue"`` records failed items and goes on; ``"stop"`` sends no new batch
        after a failure (the batches in flight finish, as the thread executor's chunks).
    on_worker_loss
        ``"rerun"`` (default): Dask re-runs a dead worker's batches elsewhere, so items
        run at least once; the report's ``stats["reruns"]`` says which batches re-ran
        and how many of their items ran twice (results are delivered once).
        ``"stop"``: nothing re-runs; a lost batch's items are ``WorkerLost`` errors and
        the run stops (a ``scheduler`` must have ``allowed-failures: 0``). See
        `dask_loss`.
    ordered
        Accepted for the thread executor's signature: results are always delivered and
        reported in input order.
    limit
        Run at most this many items.
    batch_size
        Items per Dask task; by default sized from measured item times.
    progress
        ``progress(finished, failed)``, called on the run's thread after each batch.
    stream, collect, total
        As for `start_flow`: `DaskRunHandle.results` (``stream``), keep every result in
        the report (``collect``), the input size when the caller knows it (``total``).

    Raises
    ------
    ImportError
        Without the ``dask`` extra.
    FlowError, ReferenceResolutionError, ScopeError
        A flow that cannot run: nothing started.
    """
    if on_error not in ("continue", "stop"):
        raise ValueError(f"on_error must be 'continue' or 'stop', not {on_error!r}")
    if on_worker_loss not in ON_WORKER_LOSS:
        raise ValueError(f"on_worker_loss must be one of {ON_WORKER_LOSS}, not {on_worker_loss!r}")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    check_stream(stream)
    try:
        from .dask_worker import FlowWorkerPlugin
    except ImportError as exc:
        raise ImportError(
            f"running on Dask needs the 'dask' extra: pip install 'aetherflow-engine[dask]' ({exc})"
        ) from exc
    for node_id in flow.nodes:  # import the nodes here first: clear errors, no cluster yet
        flow.resolve(node_id)
    scope_map = effective_scopes(flow, scopes)
    services = run_services(flow, scopes)
    source = _input_items(flow, items, limit, services)
    known = _known_length(items, limit, total)
    name = f"aetherflow-{flow.name}-{uuid.uuid4().hex[:12]}"
    plugin = FlowWorkerPlugin(name, flow.to_dict(), module_folders(flow), scope_map)
    stop_on_loss = on_worker_loss == "stop"
    connection = _Connection(scheduler, workers, processes, threads_per_worker, stop_on_loss)
    try:
        loss = LossWatch(connection.client, name, stop_on_loss)
        connection.client.register_plugin(plugin, name=name)
    except BaseException:
        connection.close(None)
        raise
    run = _DaskRun(flow, connection, name, source, on_error == "stop", known)
    run.loss = loss
    run.scopes = services.scopes
    run.sizer = BatchSizer(batch_size, run.threads, known)
    run.progress, run.collect = progress, collect
    run.stream = queue.SimpleQueue() if stream else None
    run.stream_errors = stream == "errors"
    run.source_node = flow.source if items is None else None
    run.thread.start()
    return DaskRunHandle(run)


# -- inputs -------------------------------------------------------------------------------
def _input_items(
    flow: Flow, items: Iterable[Any] | None, limit: int | None, services: RunServices
) -> Iterator[Any]:
    if items is None:
        if flow.source is None:
            raise FlowError(f"flow '{flow.name}' has no source node: give items to run over")
        it = source_iterator(flow, services.for_worker())  # runs on the client
    else:
        it = iter(items)
    return itertools.islice(it, limit) if limit is not None else it


def _known_length(items: Any, limit: int | None, total: int | None) -> int | None:
    n = len(items) if hasattr(items, "__len__") else total
    if n is None:
        return limit
    return n if limit is None else min(n, limit)


# -- the cluster --------------------------------------------------------------------------
def local_cluster(workers: int, threads_per_worker: int = 1, processes: bool = True) -> Any:
    """The `LocalCluster` a run starts when given no scheduler (close it when done).

    Worker processes talk TCP on loopback, in-process workers Dask's inproc. No
    dashboard, and the workers' statistical profiler is off: it samples the running
    task's stack every 10 ms, costing CPU that pure-Python nodes on a small machine
    need, for profiles that only a dashboard shows.
    """
    import dask
    from distributed import LocalCluster

    where = {"host": "127.0.0.1"} if processes else {}
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=threads_per_worker,
            processes=processes,
            dashboard_address=None,
            # The scheduler serves /health even without a dashboard, on port 8787
            # unless told otherwise: a free loopback port never clashes.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=40,  # logging.ERROR: no shutdown chatter on stderr
            **where,
        )


class _Connection:
    """A Client to ``scheduler``, or to a LocalCluster started here (and closed by us)."""

    def __init__(
        self, scheduler: str | None, workers: int, processes: bool, threads: int, no_reruns: bool
    ) -> None:
        import dask
        from distributed import Client

        self.cluster: Any = None
        if scheduler is None:
            # on_worker_loss="stop": the scheduler must give up on a task at the first death
            failures = {"distributed.scheduler.allowed-failures": 0} if no_reruns else {}
            with dask.config.set(failures):
                self.cluster = local_cluster(workers, threads, processes)
        try:
            self.client = Client(self.cluster if scheduler is None else scheduler)
            if no_reruns and scheduler is not None and allowed_failures(self.client) > 0:
                raise FlowError(
                    f"on_worker_loss='stop' needs a scheduler that re-runs nothing, but "
                    f"{scheduler} re-runs a task after up to {allowed_failures(self.client)} "
                    "worker deaths: start it with distributed.scheduler.allowed-failures: 0"
                )
        except BaseException:
            self.close(None)
            raise

    def close(self, plugin: str | None) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            if plugin is not None:
                with contextlib.suppress(Exception):
                    client.unregister_worker_plugin(plugin)
            with contextlib.suppress(Exception):
                client.close()
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()


# -- the run ------------------------------------------------------------------------------
class _DaskRun:
    """One run: a thread that submits batches, merges them in input order, and closes
    what it opened."""

    def __init__(
        self,
        flow: Flow,
        connection: _Connection,
        plugin: str,
        source: Iterator[Any],
        stop_on_error: bool,
        total: int | None,
    ) -> None:
        self.run_id = f"{os.getpid():x}d{next(_run_numbers)}"
        self.node_ids = list(flow.nodes)
        self.scopes: dict[str, str] = {}
        self.connection, self.plugin, self.source = connection, plugin, source
        self.stop_on_error, self.total = stop_on_error, total
        self.threads = sum(connection.client.nthreads().values()) or 1
        self.sizer = BatchSizer(None, self.threads, total)
        self.progress: Progress | None = None
        self.collect = True
        self.stream: queue.SimpleQueue[Any] | None = None
        self.stream_errors = False  # stream the failed items only
        self.source_node: str | None = None
        self.state = "running"
        self.stop_reason: str | None = None
        self.results: list[Any] = []
        self.errors: list[ItemError] = []
        self.finished = self.failed = self.item_failed = self.sent = 0
        self.batches_sent = self.batches_delivered = 0  # their difference is bounded
        self.exhausted = False
        self.order = InputOrder()
        self.totals = Totals()
        self.report: RunReport | None = None
        self.done = threading.Event()
        self.t0 = time.perf_counter()
        self.t1: float | None = None
        self.loss: LossWatch | None = None
        self.reruns: list[Rerun] = []
        self.thread = threading.Thread(target=self._main, name=f"aetherflow-dask-{self.run_id}")
        self.thread.daemon = True

    def stop(self, reason: str) -> None:
        """Send no more batches; the ones in flight finish. Lock-free (signal-safe)."""
        if self.stop_reason is None:
            self.stop_reason = reason
        if self.state == "running":
            self.state = "stopping"

    def _main(self) -> None:
        try:
            self._dispatch()
        except BaseException as exc:  # the cluster failed (a worker died, a lost task)
            self.errors.append(item_error(-1, exc))
            self.failed += 1
            self.stop("crash")
        finally:
            self.t1 = time.perf_counter()
            if self.loss is not None:
                self.reruns = self.loss.reruns()
                self.loss.close()
            self.connection.close(self.plugin)
            finish_run(self)

    def _dispatch(self) -> None:
        from distributed import as_completed

        # with_results: each batch's result comes with its completion, gathered on the
        # client's event loop, instead of one blocking round trip per batch from here
        self.pending = as_completed(with_results=True, raise_errors=False)
        self.in_flight: set[Any] = set()
        self._submit_more()
        try:
            for fut, result in self.pending:
                self.in_flight.discard(fut)
                self._outcome(fut, result)
                self._submit_more()
        finally:
            if self.in_flight:
                with contextlib.suppress(Exception):
                    self.connection.client.cancel(list(self.in_flight))

    def _submit_more(self) -> None:
        from .dask_worker import run_batch

        client = self.connection.client
        while (
            not self.exhausted
            and self.stop_reason is None
            and self.batches_sent - self.batches_delivered < IN_FLIGHT_PER_THREAD * self.threads
        ):
            size = self.sizer.next_size(self.sent)
            batch = self._take(size)
            if batch:
                fut = client.submit(run_batch, self.plugin, self.sent, batch, pure=False)
                if self.loss is not None:
                    self.loss.batches[fut] = (self.sent, len(batch))
                self.in_flight.add(fut)
                self.pending.add(fut)
                self.sent += len(batch)
                self.batches_sent += 1
            if len(batch) < size:
                self.exhausted = True

    def _take(self, size: int) -> list[Any]:
        """Up to ``size`` items. An input that raises ends the input; it is reported as
        the thread executor does: an `ItemError` at the index it failed to produce."""
        batch: list[Any] = []
        try:
            for item in itertools.islice(self.source, size):
                batch.append(item)
        except Exception as exc:
            error = item_error(self.sent + len(batch), exc)
            if self.source_node is not None:
                error = ItemError(error.index, self.source_node, error.type, error.message,
                                  error.traceback)  # fmt: skip
            self.errors.append(error)
            self.failed += 1
            self.exhausted = True
        return batch

    def _outcome(self, fut: Any, batch: Any) -> None:
        """A finished future and its result: its batch, or (its workers died) its items
        as errors."""
        start, size = self.loss.batches.pop(fut) if self.loss is not None else (0, 0)
        if fut.status == "error" and self.loss is not None and is_worker_loss(fut.exception()):
            self._lost(start, size)
            return
        if isinstance(batch, BaseException):
            raise batch  # the cluster failed the task itself (not a node: those are errors)
        # Forget the result on the cluster now: a key still held when its worker dies is
        # computed again, so the batch's items would run twice for nothing.
        fut.release()
        if self.loss is not None:
            self.loss.finished[batch.start] = (batch.attempt, batch.done)
        self._merge(batch)

    def _lost(self, start: int, size: int) -> None:
        """A batch Dask will not run again: each of its items is a `WorkerLost` error."""
        from .dask_worker import BatchResult

        assert self.loss is not None
        self.loss.lost += 1
        reason = ("not re-run (on_worker_loss='stop')" if self.loss.stop
                  else "Dask stopped re-running it after repeated worker deaths")  # fmt: skip
        errors = lost_batch_errors(start, size, reason)
        for b in self.order.add(BatchResult(start, [None] * size, errors, "", "", 0.0)):
            self._deliver(b)
        if self.loss.stop:
            self.stop("worker-lost")
        elif self.stop_on_error:
            self.stop("error")

    def _merge(self, batch: BatchResult) -> None:
        self.sizer.observe(batch)
        self.totals.add(batch)
        for b in self.order.add(batch):
            self._deliver(b)
        if self.stop_on_error and batch.errors:
            self.stop("error")

    def _deliver(self, b: BatchResult) -> None:
        """A batch that is next in input order."""
        self.batches_delivered += 1
        self.errors.extend(b.errors)
        self.failed += len(b.errors)
        self.item_failed += len(b.errors)
        self.finished += b.done
        if self.collect:
            self.results.extend(b.results)
        if self.stream is not None and (b.errors or not self.stream_errors):
            self.stream.put((b.start, None if self.stream_errors else b.results, b.errors))
        if self.progress is not None:
            self.progress(self.finished, len(self.errors))

    def elapsed(self) -> float:
        return (self.t1 or time.perf_counter()) - self.t0

    def _report(self) -> RunReport:
        succeeded = self.finished - self.item_failed
        items = succeeded + len(self.errors)  # with input and crash errors, as threads do
        elapsed = self.elapsed()
        stats: dict[str, Any] = {
            "items": items,
            "succeeded": succeeded,
            "failed": len(self.errors),
            "elapsed": elapsed,
            "items_per_s": items / elapsed if elapsed > 0 else 0.0,
            "workers": self.threads,
            "total": self.total,
            "stop_reason": self.stop_reason,
            "close_problems": [],
            "executor": "dask",
            "batches": self.totals.batches,
            "per_worker": self.totals.per_worker,
            "nodes": self.totals.nodes(self.node_ids),
            "reruns": [r.to_dict() for r in self.reruns],
            "items_ran_twice": sum(r.ran_twice for r in self.reruns),
            "batches_lost": self.loss.lost if self.loss is not None else 0,
        }
        return RunReport(
            self.results if self.collect else [], list(self.errors), stats,
            cancelled=self.stop_reason == "cancel", stop_reason=self.stop_reason,
        )  # fmt: skip


class DaskRunHandle(NoDebugging):
    """A Dask run in progress: the `RunHandle` of the Dask executor.

    No pause, no per-worker state (workers live in other processes; the snapshot's
    per-worker totals are in ``extra``), no breakpoints or traces yet.
    """

    supports_pause = False
    supports_worker_state = False

    def __init__(self, run: _DaskRun) -> None:
        self._run = run
        self.run_id = run.run_id
        self._ready: list[Outcome] = []
        self._rates: deque[tuple[float, int]] = deque()

    @property
    def done(self) -> bool:
        return self._run.done.is_set()

    @property
    def state(self) -> str:
        """``"running"``, ``"stopping"`` or ``"finished"``."""
        return self._run.state

    @property
    def paused(self) -> bool:
        return False

    @property
    def scopes(self) -> dict[str, str]:
        """The effective scope map, as each Dask worker applies it (see `RunHandle.scopes`):
        isolated is one instance per worker thread, shared one per Dask worker."""
        return dict(self._run.scopes)

    def pause(self) -> None:
        """Not available on Dask (``supports_pause`` is False): does nothing."""

    def resume(self) -> None:
        """Not available on Dask: does nothing."""

    def stacks(self) -> dict[str, str]:
        """Always ``{}``: the workers' threads are in other processes."""
        return {}

    def request_services(self) -> None:
        """Does nothing: isolated instances live in the worker processes."""

    def timeline(self, **options: Any) -> None:
        """None: no per-thread timeline on Dask."""
        return None

    def hold_workers(self, max_seconds: float = 0.05) -> AbstractContextManager[None]:
        """Nothing to hold: the workers do not share this process's GIL."""
        return contextlib.nullcontext()

    def shared_services(self) -> dict[str, Any]:
        """Always ``{}``: on Dask, shared instances live on the workers (one per worker
        process), not in this process; the same method as `RunHandle.shared_services`."""
        return {}

    def cancel(self) -> None:
        """Send no more batches (those in flight finish); returns at once, signal-safe."""
        self._run.stop("cancel")

    def wait(self, timeout: float | None = None) -> RunReport:
        """Block until the run ends and its cluster is closed; return the report."""
        if not self._run.done.wait(timeout):
            raise TimeoutError(f"run {self.run_id} still running after {timeout} s")
        assert self._run.report is not None
        return self._run.report

    def snapshot(self) -> TelemetrySnapshot:
        """Counts so far, for progress displays (per-worker totals in ``extra``)."""
        run = self._run
        now, items = time.perf_counter(), run.finished
        self._rates.append((now, items))
        while len(self._rates) > 2 and now - self._rates[1][0] >= RATE_WINDOW:
            self._rates.popleft()
        t_old, n_old = self._rates[0]
        elapsed = run.elapsed()
        overall = items / elapsed if elapsed > 0 else 0.0
        rate = (items - n_old) / (now - t_old) if now - t_old >= 0.5 else overall
        eta = max(run.total - items, 0) / rate if run.total is not None and rate > 0 else None
        return TelemetrySnapshot(
            run.run_id, run.state, elapsed, run.total, items, items - run.failed,
            run.failed, rate, overall, eta, version=items + run.failed,
            extra={"executor": "dask", "per_worker": dict(run.totals.per_worker)},
        )  # fmt: skip

    def results(self, on_idle: Callable[[], None] | None = None) -> Iterator[Outcome]:
        """Yield ``(index, result, error)`` in input order as batches finish (runs
        started with ``stream=True``); ``on_idle()`` is called before each wait."""
        stream = self._run.stream
        if stream is None:
            raise RuntimeError("results() needs a run started with stream=True")
        while True:
            while self._ready:
                yield self._ready.pop()
            if on_idle is not None and stream.empty():
                on_idle()
            chunk = stream.get()
            if chunk is END_OF_STREAM:
                stream.put(END_OF_STREAM)  # later iterations end too
                return
            start, results, errors = chunk
            if results is None:  # a run streaming failed items only
                self._ready = [(e.index, None, e) for e in reversed(errors)]
                continue
            failed = {e.index: e for e in errors}
            ready: list[Outcome] = [
                (start + i, None, failed[start + i])
                if start + i in failed
                else (start + i, r, None)
                for i, r in enumerate(results)
            ]
            ready.reverse()
            self._ready = ready


if TYPE_CHECKING:  # mypy checks that the class implements the protocol
    _implements: type[RunHandle] = DaskRunHandle

"""Run a flow over many items on persistent worker threads: `run_flow`, `start_flow`.

Each item runs through the whole flow on one worker thread, so every node of an item
sees that worker's isolated service instances. Items are pulled lazily from the input in
chunks, with a bound on the items in flight; results come back in input order.
`Flow.run` and `Flow.start` delegate here.

An item's result is, by default, its final run state without the private keys
(those starting with ``"__"``); pass ``extract=`` to choose another. A failed item's
result is None and its `ItemError` is in the report.
"""

from __future__ import annotations

import itertools
import os
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from ..bindings import bind
from ..errors import FlowError
from ..graph.model import Flow
from ..telemetry.collector import RunStatus, Telemetry
from ..telemetry.races import RaceCheck
from ..telemetry.snapshot import TelemetrySnapshot
from ..telemetry.timeline import TimelineSampler
from .debugger import DebugMethods, DebugSession
from .feed import Feed
from .flow_context import run_services
from .gate import WorkerGate
from .handle import BREAK_MODES, RunHandle, check_stream
from .program import Program
from .report import END_OF_STREAM, ItemError, RunReport, finish_run
from .source import known_length, open_source, used_services
from .traces import ItemTrace
from .watchdog import start_watchdog
from .workers import Worker, item_error

ON_ERROR = ("continue", "stop")
_run_numbers = itertools.count(1)
_STACK_FRAMES = 30  # at most this many frames per thread in `RunHandle.stacks`
_WORKER_LOOP = ("_main", "_loop")  # the engine's frames that stacks() trims away
_WORKERS_FILE = Worker._main.__code__.co_filename


def _thread_stack(thread: threading.Thread, frames: dict[int, Any]) -> str:
    """The text of ``thread``'s stack from ``frames`` (a `sys._current_frames` result),
    innermost frame last, starting below the worker loop."""
    if thread.ident is None:
        return "not started"
    frame = frames.get(thread.ident)
    if frame is None or not thread.is_alive():
        return "finished"
    summary = traceback.extract_stack(frame)
    del frame
    cut = 0
    for i, entry in enumerate(summary):  # keep the frames below Worker._main / _loop
        if entry.name in _WORKER_LOOP and entry.filename == _WORKERS_FILE:
            cut = i + 1
    entries = list(summary)[cut:] or list(summary)
    entries = entries[-_STACK_FRAMES:]
    return "".join(traceback.format_list(entries))


def discard_result(state: dict[str, Any]) -> None:
    """An ``extract`` that keeps no result (for runs that only count and report errors):
    no per-item copy of the state. Module-level, so it also crosses to a child process."""
    return None


def public_state(state: dict[str, Any]) -> dict[str, Any]:
    """The default result of an item: its state without keys starting with ``"__"``.

    The item's state belongs to nobody else once the item is done, so when it has no such
    key it is the result itself, not a copy. Telling that is one C-level join of the keys
    (a NUL cannot start a key, so ``"\0__"`` is found exactly where a key starts with
    ``"__"``, or inside a key holding a NUL, which then only takes the slow path); copying
    the state took a fifth of a trivial flow's time.
    """
    try:
        if "\0__" not in "\0" + "\0".join(state):
            return state
    except TypeError:  # a key that is not a string
        pass
    return {k: v for k, v in state.items() if not (type(k) is str and k.startswith("__"))}


class Run(RunStatus):
    """The shared state of one run (internal; users hold a `RunHandle`)."""

    def __init__(self, flow: Flow, options: _Options) -> None:
        self.run_id = f"{os.getpid():x}{next(_run_numbers)}"
        self.flow = flow
        self.services = run_services(flow, options.scopes, options.profile_shared)
        self.program = Program(flow, self.services.names, self.services.container)
        self.node_index = {n: i for i, n in enumerate(self.program.node_ids)}
        self.extract = options.extract or public_state
        self.telemetry_on = options.telemetry or options.check_races  # races need `current`
        self.concurrency = options.concurrency
        self.abandoned = 0  # worker threads given up on (a sync node overran its timeout)
        self.stop_on_error = options.on_error == "stop"
        self.collect = options.collect
        self.paused = False
        self.gate = WorkerGate()
        self.resumed = threading.Event()
        self.resumed.set()
        self.stop_reason: str | None = None
        self.state = "running"
        self.total: int | None = None
        self.input_total: int | None = None  # the input's own length, when known
        self.limit: int | None = None
        self.results: list[Any] = []
        self.errors: list[ItemError] = []
        self.succeeded = 0
        self.close_problems: list[str] = []
        self.stream: queue.SimpleQueue[Any] | None = queue.SimpleQueue() if options.stream else None
        self.stream_errors = options.stream == "errors"  # stream failed items only
        self.done = threading.Event()
        self.report: RunReport | None = None
        self._lock = threading.Lock()
        self._t0 = time.perf_counter()
        self._t1: float | None = None
        self._live = options.workers
        self.max_chunk = max(1, min(256, options.max_in_flight // (2 * options.workers)))
        self.source_services = self.services.for_worker()
        self._generator: Any = None
        self.used_isolated: list[str] = []
        self.feed = Feed(iter(()), options.max_in_flight, options.ordered, self._sink,
                         auto_release=not options.stream or self.stream_errors)  # fmt: skip
        order = self.program.straight_order()
        # node id -> position in run order, for counting whole items (see WorkerProbe)
        self.positions = (
            None if order is None else {self.program.node_ids[i]: p for p, i in enumerate(order)}
        )
        self.telemetry = Telemetry(self, self.program.node_ids)
        self.telemetry.order = order
        self.telemetry.shared_profiles = self.services.profiles
        if options.check_races:
            self.services.races = RaceCheck(self.telemetry.probe_of, self.program.node_ids)
        self.workers = [Worker(self, i) for i in range(options.workers)]
        self.break_mode = options.break_mode
        self.debug: DebugSession | None = None
        if options.trace or options.breakpoints or options.on_trace is not None:
            self.debug = DebugSession(self, options.trace, options.breakpoints,
                                      options.break_mode, options.on_trace)  # fmt: skip
        if options.watch_wires and not self.program.is_async:
            if self.debug is None:
                self.debug = DebugSession(self, break_mode=options.break_mode)
            self.debug.wire_values()  # from the first item on

    # -- starting ---------------------------------------------------------------------
    def start(self, items: Iterable[Any] | None, limit: int | None, total: int | None) -> None:
        """Create shared services and the input on this thread, then start the workers."""
        used = used_services(self.flow, self.services.names)
        self.services.create_shared(used)
        self.used_isolated = sorted(n for n in used if self.services.scopes[n] == "isolated")
        if items is None:
            if self.flow.source is None:
                raise FlowError(
                    f"flow '{self.flow.name}' has no source node: give items to run over"
                )
            self._generator, self.input_total = open_source(self.flow, self.source_services)
            it: Iterator[Any] = self._generator
        else:
            it = iter(items)
            known = known_length(items)
            self.input_total = known if known is not None else total
        self.limit = limit
        self.total = self.input_total
        if limit is not None:
            it = itertools.islice(it, limit)
            # A limit caps a known input; it is not a total when the input's length is
            # unknown (a generator source may give fewer items).
            self.total = None if self.total is None else min(self.total, limit)
        self.feed._it = it
        self._t0 = time.perf_counter()
        # A race check holds the workers until all of them run (see WorkerGate).
        together = self.gate.hold(1.0) if self.services.races is not None else nullcontext()
        with together:
            for w in self.workers:
                self.telemetry.register(w.probe, w.thread)
                w.thread.start()
        if self.program.sync_timeouts:
            limits = [c.policy.timeout for c in self.program.call_steps if c.policy.timeout]
            start_watchdog(self, min(limits))

    def elapsed(self) -> float:
        return (self._t1 or time.perf_counter()) - self._t0

    # -- called by the feed and the workers -------------------------------------------
    def _sink(self, start: int, outcomes: list[Any]) -> None:
        """Ordered outcomes (under the feed's lock)."""
        failed = 0
        for o in outcomes:
            if type(o) is ItemError:
                self.errors.append(o)
                failed += 1
        self.succeeded += len(outcomes) - failed
        if self.stream is not None:
            if not self.stream_errors:
                self.stream.put((start, outcomes))
            elif failed:  # already released: the consumer takes only the errors
                self.stream.put(
                    [(start + i, None, o) for i, o in enumerate(outcomes) if type(o) is ItemError]
                )
        if self.collect:
            if failed:
                outcomes = [None if type(o) is ItemError else o for o in outcomes]
            if start == len(self.results):
                self.results.extend(outcomes)
            else:  # unordered delivery: place by index
                end = start + len(outcomes)
                if end > len(self.results):
                    self.results.extend([None] * (end - len(self.results)))
                self.results[start:end] = outcomes

    def stop(self, reason: str) -> None:
        """Hand out no more items; the ones in flight finish. Lock-free (signal-safe)."""
        if self.stop_reason is None:
            self.stop_reason = reason
        if self.state != "finished":
            self.state = "stopping"
        self.feed.stopping = True
        self.resumed.set()

    def cancelled(self) -> bool:
        """The run was cancelled (Stop): awaits are cancelled, retries end."""
        return self.stop_reason == "cancel"

    def crashed(self, exc: BaseException) -> None:
        with self._lock:
            self.errors.append(item_error(-1, exc))
        self.stop("crash")

    def worker_finished(self, problems: list[str]) -> None:
        with self._lock:
            self.close_problems.extend(problems)
            self._live -= 1
            last = self._live == 0
        if last:
            self._finish()

    def _finish(self) -> None:
        """Run by the last worker to end: close what the run created, build the report."""
        self._t1 = time.perf_counter()
        if self.feed.input_error is not None:
            index, exc = self.feed.input_error
            error = item_error(index, exc)
            if self.flow.source is not None and self._generator is not None:
                error = ItemError(index, self.flow.source, error.type, error.message,
                                  error.traceback)  # fmt: skip
            self.errors.append(error)
        try:
            close = getattr(self._generator, "close", None)  # sized sources have none
            if close is not None:
                close()
            self.close_problems.extend(self.source_services.close())
            self.close_problems.extend(self.services.close_shared())
            self.program.close()
        except BaseException as exc:  # a source generator whose cleanup raised
            self.close_problems.append(f"closing the input: {type(exc).__name__}: {exc}")
        finally:  # the report is built and waiters woken whatever closing did
            finish_run(self)

    def _report(self) -> RunReport:
        failed = len(self.errors)
        items = self.succeeded + failed
        elapsed = self.elapsed()
        stats: dict[str, Any] = {
            "items": items,
            "succeeded": self.succeeded,
            "failed": failed,
            "elapsed": elapsed,
            "items_per_s": items / elapsed if elapsed > 0 else 0.0,
            "workers": len(self.workers) - self.abandoned,
            "concurrency": self.concurrency,
            "abandoned_threads": self.abandoned,
            "total": self.total,
            "input_total": self.input_total,
            "limit": self.limit,
            "stop_reason": self.stop_reason,
            "close_problems": list(self.close_problems),
        }
        races = self.services.races
        if races is not None:
            stats["races_watched"] = races.watched_services
            stats["races_unwatched"] = dict(races.unwatched)
            stats["races_writers"] = races.writers()
        return RunReport(
            self.results if self.collect else [],
            list(self.errors),
            stats,
            cancelled=self.stop_reason == "cancel",
            stop_reason=self.stop_reason,
            races=races.findings() if races is not None else [],
        )


class ThreadRunHandle(DebugMethods):
    """A run on worker threads (from `Flow.start`): the `RunHandle` of the thread
    executor. Every method may be called from any thread.

    Attributes
    ----------
    run_id
        Identifies this run in telemetry snapshots.
    telemetry
        The run's `Telemetry`: ``telemetry.snapshot()`` for polling,
        ``telemetry.services()`` for the workers' isolated-state snapshots.
    """

    supports_pause = True
    supports_worker_state = True

    def __init__(self, run: Run) -> None:
        self._run = run
        self.run_id = run.run_id
        self.telemetry = run.telemetry
        self._ready: list[tuple[int, Any, ItemError | None]] = []

    @property
    def done(self) -> bool:
        """True once every worker has ended and the report is ready."""
        return self._run.done.is_set()

    @property
    def paused(self) -> bool:
        return self._run.paused

    @property
    def state(self) -> str:
        """``"running"``, ``"paused"``, ``"stopping"`` or ``"finished"``."""
        return self._run.state

    @property
    def threads(self) -> list[threading.Thread]:
        return [w.thread for w in self._run.workers]

    @property
    def scopes(self) -> dict[str, str]:
        """The effective scope map (see `RunHandle.scopes`); a copy."""
        return dict(self._run.services.scopes)

    def pause(self) -> None:
        """Workers stop taking new chunks (the ones in hand finish)."""
        run = self._run
        if run.state == "running":
            run.paused = True
            run.resumed.clear()
            run.state = "paused"

    def resume(self) -> None:
        run = self._run
        if run.paused:
            run.paused = False
            if run.state == "paused":
                run.state = "running"
            run.resumed.set()

    def shared_services(self) -> dict[str, Any]:
        """The shared service instances this run uses, by service name.

        Returns a new dict each call: ``{name: instance}`` of every shared-scope service the
        run has created (or been given) so far; isolated services are per worker and come
        through ``telemetry.services()`` instead. The values are the LIVE objects the
        workers use, not copies, and may change while you read them: render or inspect
        them, do not mutate them. Locking is the job of the user's code that shares them;
        a reader that takes no lock may see a value half-way through an update.
        Safe to call from any thread, during and after the run.
        """
        return self._run.services.instances()

    def stacks(self) -> dict[str, str]:
        """Where is each worker? ``{thread name: its current Python stack as text}``.

        The stack is formatted like a traceback, innermost frame last, starting below the
        engine's worker loop so the node code in progress comes straight after the
        engine's per-item frames (at most 30 frames). A worker that has ended maps to
        ``"finished"``. Meant for hangs and deadlocks, e.g. two items taking shared
        locks in opposite order. A snapshot: no live frame objects are kept. Safe to
        call from any thread, during and after the run; it never waits for a worker.
        """
        frames = sys._current_frames()
        try:
            return {w.thread.name: _thread_stack(w.thread, frames) for w in self._run.workers}
        finally:
            del frames

    def request_services(self) -> None:
        """Ask every worker for a snapshot of its isolated services (see `Telemetry`)."""
        self._run.telemetry.request_services()

    def timeline(self, **options: Any) -> TimelineSampler:
        """A `TimelineSampler` of this run's workers (not started; options as its own)."""
        return TimelineSampler.for_handle(self, **options)

    def hold_workers(self, max_seconds: float = 0.05) -> AbstractContextManager[None]:
        """``with handle.hold_workers(): ...`` pauses workers between items for the body
        (at most ``max_seconds``), so a GUI thread can redraw without competing for the
        GIL; see `WorkerGate`."""
        return self._run.gate.hold(max_seconds)

    def cancel(self) -> None:
        """Stop cooperatively: the items in flight finish, no new ones start. Returns at
        once (safe in a signal handler); `wait` for the report."""
        self._run.paused = False
        self._run.stop("cancel")

    def wait(self, timeout: float | None = None) -> RunReport:
        """Block until the run ends; return its report.

        Raises
        ------
        TimeoutError
            When the run is still going after ``timeout`` seconds.
        """
        if not self._run.done.wait(timeout):
            raise TimeoutError(f"run {self.run_id} still running after {timeout} s")
        for w in self._run.workers:
            if not w.probe.abandoned:  # an abandoned thread may never return
                w.thread.join()
        assert self._run.report is not None
        return self._run.report

    def snapshot(self) -> TelemetrySnapshot:
        """Shortcut for ``telemetry.snapshot()``."""
        return self._run.telemetry.snapshot()

    def results(
        self, on_idle: Callable[[], None] | None = None
    ) -> Iterator[tuple[int, Any, ItemError | None]]:
        """Yield ``(index, result, error)`` as items finish, in input order when ordered
        (only for runs started with ``stream=True``). Taking an outcome makes room for
        another item, so a slow consumer slows the run instead of filling memory.
        Iterating again after an interruption continues where it stopped.

        ``on_idle()`` is called each time no outcome is ready, before waiting (a writer
        flushes its output there)."""
        run = self._run
        if run.stream is None:
            raise RuntimeError("results() needs a run started with stream=True")
        while True:
            while self._ready:
                yield self._ready.pop()
            if on_idle is not None and run.stream.empty():
                on_idle()
            chunk = run.stream.get()
            if chunk is END_OF_STREAM:
                run.stream.put(END_OF_STREAM)  # later iterations end too
                return
            if type(chunk) is list:  # a run streaming failed items only
                chunk.reverse()
                self._ready = chunk
                continue
            start, outcomes = chunk
            run.feed.release(len(outcomes))
            ready: list[tuple[int, Any, ItemError | None]] = [
                (start + i, None, o) if type(o) is ItemError else (start + i, o, None)
                for i, o in enumerate(outcomes)
            ]
            ready.reverse()
            self._ready = ready


class _Options:
    def __init__(
        self,
        workers: int = 1,
        scopes: Mapping[str, str] | None = None,
        on_error: str = "continue",
        ordered: bool = True,
        limit: int | None = None,
        telemetry: bool = True,
        profile_shared: bool = False,
        collect: bool = True,
        stream: bool | str = False,
        max_in_flight: int | None = None,
        extract: Callable[[dict[str, Any]], Any] | None = None,
        total: int | None = None,
        concurrency: int = 1,
        check_races: bool = False,
        trace: int = 0,
        breakpoints: Mapping[str, str | None] | None = None,
        break_mode: str = "worker",
        on_trace: Callable[[ItemTrace], None] | None = None,
        watch_wires: bool = False,
    ) -> None:
        if not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be a positive integer, got {workers!r}")
        if type(concurrency) is not int or concurrency < 1:
            raise ValueError(f"concurrency must be a positive integer, got {concurrency!r}")
        if on_error not in ON_ERROR:
            raise ValueError(f"on_error must be one of {ON_ERROR}, got {on_error!r}")
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit!r}")
        check_stream(stream)
        self.workers, self.scopes, self.on_error = workers, scopes, on_error
        self.ordered, self.limit, self.telemetry = ordered, limit, telemetry
        self.profile_shared, self.collect, self.stream = profile_shared, collect, stream
        self.concurrency = concurrency
        self.max_in_flight = max_in_flight or max(256, 2 * concurrency) * workers
        self.extract = extract
        self.total = total
        self.check_races = check_races
        if not isinstance(trace, int) or trace < 0:
            raise ValueError(f"trace must be a non-negative integer, got {trace!r}")
        if break_mode not in BREAK_MODES:
            raise ValueError(f"break_mode must be one of {BREAK_MODES}, got {break_mode!r}")
        self.trace, self.breakpoints, self.break_mode = trace, breakpoints, break_mode
        self.on_trace = on_trace
        self.watch_wires = bool(watch_wires)


def start_flow(flow: Flow, items: Iterable[Any] | None = None, **options: Any) -> ThreadRunHandle:
    """Start running ``flow`` over ``items`` on worker threads; return at once.

    Parameters
    ----------
    flow
        The flow. Its nodes are imported now (running is an explicit, trusted action).
    items
        An iterable of items, pulled lazily (a generator of any length is fine); None
        uses the flow's source node. A dict item is the item's initial state; another
        value fills the flow's single input (or the source node's wired outputs).
    workers
        Worker threads (default 1).
    scopes
        ``{service: "shared" | "isolated"}`` merged over the flow's own scope map.
    on_error
        ``"continue"`` (default) or ``"stop"``: hand out no new items after a failure;
        the items in flight finish.
    ordered
        Results in input order (default). False delivers streamed results as they
        finish; the report's ``results`` stay in input order either way.
    limit
        Take at most this many items from the input.
    telemetry
        Time every node call for `Telemetry` (default True); counts of items are
        kept either way.
    profile_shared
        Time calls into shared services and count overlapping calls (`SharedStats`).
    collect
        Keep every result in the report (default True); False keeps only the counts
        and errors, for endless or huge inputs.
    stream
        Make `RunHandle.results` available; items in flight are then released when
        the consumer takes their results. ``"errors"``: `results` yields the failed
        items only (a display that counts successes from snapshots), and items are
        released as they finish.
    max_in_flight
        Items taken from the input but not yet delivered (default 256 per worker).
    extract
        ``extract(state) -> result`` for each successful item (default: `public_state`).
    total
        The number of items, when ``items`` cannot tell (``len``), for the ETA.
    concurrency
        Items each worker keeps in flight at ``await`` points when the flow has async
        nodes (default 1); they share the worker's isolated instances. Sync-only flows
        run one item at a time per worker whatever this says.
    check_races
        Watch the shared services' writes under a hostile thread schedule and report
        unlocked writes from several threads in `RunReport.races` (see
        `aetherflow.telemetry.races`; slower, for finding bugs, not for production).
    trace
        Keep the traces of the last ``trace`` items per worker (`RunHandle.traces`);
        failed items keep theirs always (`ItemError.trace`). Default 0: untraced.
    breakpoints
        ``{node id: condition or None}``: stop a worker before that node (see
        `RunHandle.set_breakpoint`); ValueError for an unknown node or a bad condition.
    break_mode
        ``"worker"`` (default): only the stopped worker waits; ``"all"``: every worker
        waits between items while one is stopped.
    on_trace
        ``on_trace(ItemTrace)`` for every item, called on the worker thread that ran it
        (implies tracing; keep it quick).
    watch_wires
        Keep the values on the wires from the first item on (`RunHandle.wire_values`;
        without it, from its first call). Flows with async nodes keep none.

    Raises
    ------
    FlowError, ReferenceResolutionError, ScopeError
        A flow that cannot run: nothing started.
    """
    opts = _Options(**options)
    run = Run(flow, opts)
    try:
        run.start(items, opts.limit, opts.total)
    except BaseException:
        run.services.close_shared()
        run.program.close()
        raise
    return ThreadRunHandle(run)


def run_flow(flow: Flow, items: Iterable[Any] | None = None, **options: Any) -> RunReport:
    """Run ``flow`` over ``items`` and return the `RunReport` (options as `start_flow`).

    Ctrl-C cancels the run (the items in flight finish) and re-raises.
    """
    handle = start_flow(flow, items, **options)
    try:
        return handle.wait()
    except KeyboardInterrupt:
        handle.cancel()
        handle.wait()
        raise


bind("flow.run", run_flow)
bind("flow.start", start_flow)


if TYPE_CHECKING:  # mypy checks that the class implements the protocol
    _implements: type[RunHandle] = ThreadRunHandle

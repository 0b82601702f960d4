"""The debugging variant of a run's steps, and the worker loop that runs it.

While a run has a `DebugSession`, each worker compiles the flow a second time for
itself (`Program.compile_variant`) with a `DebugCallStep` per node, and runs its chunks
through that variant. Ordinary runs execute exactly the ordinary steps. In the variant a
node's slot in its step list holds either the plain `CallStep.call` (no breakpoint, no
tracing: the same code as an ordinary run) or `DebugCallStep.call`; the worker rewrites
its own slots when breakpoints change, when tracing or watching starts, and while it
steps through an item (`run_steps` reads each slot as it goes, so a rewrite takes effect
at the next node). Everything a reader sees (traces, hits, wire values) is rendered
here, on the worker's own thread.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import deque
from time import perf_counter
from typing import TYPE_CHECKING, Any

from ..compose import LoopControl
from ..telemetry.render import render
from .codegen import compile_straight
from .guarded import GuardedStep, WorkerAbandoned
from .program import (
    _SERVICE,
    BranchStep,
    CallStep,
    ParallelStep,
    RepeatStep,
    Step,
    Wired,
    run_steps,
    step_lists,
)
from .report import ItemError
from .scopes import WorkerServices
from .traces import (
    BreakHit,
    ItemTrace,
    TraceStep,
    error_text,
    render_inputs,
    render_outputs,
    replayable,
)

if TYPE_CHECKING:
    from .debugger import DebugSession
    from .workers import Worker

TIMING_MASK = 7  # as the ordinary loop: time the nodes of one item in 8
_POLL = 0.05  # seconds between checks for cancel while a worker waits at a breakpoint


class SkipItem(Exception):
    """Raised at a breakpoint to abandon the item (reported as an error "Skipped")."""

    def __init__(self, node: str) -> None:
        super().__init__(f"skipped at a breakpoint on node '{node}'")
        self.node = node


class DebugCallStep(CallStep):
    """A node call of one worker's debugging variant: its `Tracer` may stop before it,
    record it or watch its result. ``condition`` is the breakpoint's compiled test
    (None: no breakpoint)."""

    __slots__ = ("condition", "plain", "service_params", "tracer")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.condition: Any = None
        self.tracer: Tracer | None = None
        self.service_params = tuple(n for n, kind, _, _ in self.plan if kind == _SERVICE)
        # the ordinary step: this node's slot when not debugged, and what `call` runs
        # (a `GuardedStep` for a node with retries or a time limit)
        self.plain: Step = CallStep.call.__get__(self)

    def call(self, state: dict[str, Any], wired: Wired, svc: Any, probe: Any) -> Any:
        tracer = self.tracer
        if tracer is None:  # inside a fan-out group: runs on pool threads, not debugged
            return self.plain(state, wired, svc, probe)
        condition = self.condition
        if (  # the common case, kept short (a compiled condition never raises)
            condition is not None
            and not tracer.busy
            and not condition(**self._slow_kwargs(state, wired, svc))
        ):
            return self.plain(state, wired, svc, probe)
        return tracer.call(self, state, wired, svc, probe)


class Tracer:
    """One worker's debugging state and steps. Written by that worker only; readers
    take the plain data it posts (``hit``, ``wires``, ``kept``)."""

    def __init__(self, session: DebugSession, worker: Worker, svc: WorkerServices) -> None:
        self.session = session
        self.worker = worker
        self.name = threading.current_thread().name  # created by the worker itself
        self.ident = threading.get_ident()
        self.svc = svc
        self.steps, made = session.run.program.compile_variant(DebugCallStep)
        self._slots = _slots(self.steps)
        fanned_out = {id(s) for s in _fan_out_steps(self.steps)}
        self._by_node: dict[str, list[DebugCallStep]] = {}
        for step in made:
            assert isinstance(step, DebugCallStep)
            step.tracer = None if id(step) in fanned_out else self
            self._by_node.setdefault(step.node_id, []).append(step)
        self.version = -1
        self.run_steps: Step = functools.partial(run_steps, self.steps)  # one item's run
        self.kept: deque[ItemTrace] = deque(maxlen=max(1, session.keep))
        self.trace: list[TraceStep] = []
        self.index = -1
        self.recording = self.watching = self.stepping = self.stepped = False
        self.busy = False  # recording, watching or stepping: every debug slot takes `call`
        self.last: dict[str, Any] = {}  # node id -> its last raw result (this thread only)
        self.wires: dict[str, Any] = {}  # "node.port" -> rendered value, posted for readers
        self.answered = 0
        self.hit: BreakHit | None = None
        self.counted = False  # counts as stopped for "all" mode (stopped, or stepping)
        self.held = False
        self.command: str | None = None
        self.wake = threading.Event()

    # -- the variant's slots ----------------------------------------------------------
    def sync(self) -> None:
        """Take the session's breakpoints and options (between chunks)."""
        session = self.session
        self.version = session.version
        conditions = session.conditions
        for node, steps in self._by_node.items():
            for step in steps:
                step.condition = conditions.get(node)
        self.recording = session.keep > 0 or session.on_trace is not None
        self.watching = session.watching
        self.busy = self.recording or self.watching
        self._set_slots(self.busy)
        self.run_steps = self._runner()

    def _set_slots(self, every_node: bool) -> None:
        for steps, i, step in self._slots:
            debug = every_node or step.condition is not None
            steps[i] = step.call if debug else step.plain

    def _runner(self) -> Step:
        """How an item runs: for a straight flow with breakpoints or watched wires (no
        tracing, not stepping), the generated code of an ordinary run (`codegen`) with
        each breakpoint's test inlined before its node and, when watching, each node's
        result kept in ``last``, handing over to the steps where a test holds; else the
        steps."""
        program = self.session.run.program
        straight = program.straight
        if (
            self.recording
            or self.stepping
            or straight is None
            or len(self._slots) != len(self.steps)
        ):
            return functools.partial(run_steps, self.steps)
        calls = [step for _, _, step in self._slots]
        stops = {k: c.condition for k, c in enumerate(calls) if c.condition is not None}
        if not stops and not self.watching:
            return straight.run
        code = compile_straight(calls, self._resume, stops, self.last if self.watching else None)
        return code.run if code is not None else functools.partial(run_steps, self.steps)

    def _resume(self, k: int, state: dict[str, Any], wired: Wired, svc: Any, probe: Any) -> Any:
        """The steps from the ``k``-th on, each slot read as it comes (a step command
        rewrites the later ones)."""
        steps = self.steps
        for i in range(k, len(steps)):
            control = steps[i](state, wired, svc, probe)
            if control is LoopControl.BREAK or control is LoopControl.CONTINUE:
                return control
        return None

    # -- per item ---------------------------------------------------------------------
    def run_item(self, item: Any, svc: Any, probe: Any) -> dict[str, Any]:
        """Run one item through this worker's steps (keeping node results while wires
        are watched); its state, as `Program.run_item`."""
        state, wired = self.session.run.program.item_state(item)
        self.run_steps(state, wired, svc, probe)
        return state

    def end(self, item: Any, failed: bool) -> ItemTrace | None:
        if self.counted:
            self.session.uncount(self)
        if self.stepped:  # back to the slots of the session's options
            self.stepping = self.stepped = False
            self.busy = self.recording or self.watching
            self._set_slots(self.busy)
            self.run_steps = self._runner()
        if not self.recording:
            return None
        shown = replayable(item) if failed else render(item)
        trace = ItemTrace(self.index, self.name, shown, tuple(self.trace), failed)
        self.trace = []
        self.kept.append(trace)
        if self.session.on_trace is not None:
            self.session.on_trace(trace)
        return trace

    # -- per node (only for the nodes in debug slots) ---------------------------------
    def call(
        self, step: DebugCallStep, state: dict[str, Any], wired: Wired, svc: Any, probe: Any
    ) -> Any:
        if step.condition is not None or self.stepping:
            self.check(step, state, wired, svc)
        if not self.recording:
            result = step.plain(state, wired, svc, probe)
            if self.watching:
                self.last[step.node_id] = result
            return result
        started, t0 = time.time(), perf_counter()
        inputs: dict[str, Any] = {}
        try:
            inputs = render_inputs(step._slow_kwargs(state, wired, svc), step.service_params)
            result = step.plain(state, wired, svc, probe)
        except Exception as exc:
            seconds = perf_counter() - t0
            attempts = getattr(exc, "attempts", 1)
            self.trace.append(TraceStep(step.node_id, self.name, started, seconds, inputs,
                                        None, error_text(exc), attempts))  # fmt: skip
            raise
        seconds = perf_counter() - t0
        outputs = render_outputs(result, step.out_key)
        self.trace.append(TraceStep(step.node_id, self.name, started, seconds, inputs, outputs))
        self.last[step.node_id] = result
        return result

    def check(self, step: DebugCallStep, state: dict[str, Any], wired: Wired, svc: Any) -> None:
        """Stop here when stepping or when the breakpoint's condition holds."""
        if self.session.run.feed.stopping:  # cancelled: breakpoints no longer stop
            return
        if self.version != self.session.version:  # changed during this chunk
            self.sync()
            if step.condition is None and not self.stepping:
                return  # cleared meanwhile
        kwargs = step._slow_kwargs(state, wired, svc)
        problem = None
        try:
            hit = self.stepping or bool(step.condition.raw(**kwargs))
        except Exception as exc:  # stop, so the user sees the broken condition
            hit, problem = True, f"{type(exc).__name__}: {exc}"
        if hit:
            self._stop(step, kwargs, state, problem)

    def _stop(
        self, step: DebugCallStep, kwargs: dict[str, Any], state: dict[str, Any], problem: Any
    ) -> None:
        self.stepping = False
        hit = BreakHit(self.name, step.node_id, self.index,
                       render_inputs(kwargs, step.service_params), render(state),
                       self.svc.render(), problem)  # fmt: skip
        self.session.stopping(self, hit)
        command = self._wait_command()
        self.session.released(self, keep_counted=command == "step")
        if command == "skip":
            raise SkipItem(step.node_id)
        if command == "step":
            self.stepping = self.stepped = self.busy = True
            self._set_slots(True)  # every later node of this item checks
            self.run_steps = functools.partial(run_steps, self.steps)

    def _wait_command(self) -> str:
        run = self.session.run
        while not self.wake.wait(_POLL):
            if run.feed.stopping:
                return "resume"
            self.answer_requests()
        self.wake.clear()
        return self.command or "resume"

    # -- answering readers between items ----------------------------------------------
    def answer_requests(self) -> None:
        worker, probe = self.worker, self.worker.probe
        if probe.services_wanted != worker._answered:
            worker._answer(self.svc, probe.services_wanted)
        wanted = self.session.wires_wanted
        if wanted != self.answered:
            self.post_wires(wanted)

    def post_wires(self, wanted: int) -> None:
        """Render the last value of every output port seen on this worker."""
        wires: dict[str, Any] = {}
        for node_id, result in list(self.last.items()):
            out_key = self._by_node[node_id][0].out_key
            for port, value in render_outputs(result, out_key).items():
                if port != "__control__":
                    wires[f"{node_id}.{port}"] = value
        self.wires = wires
        self.answered = wanted


def _owner(entry: Step) -> CallStep | None:
    """The node call behind a slot: a bound `CallStep.call` or a `GuardedStep`."""
    owner = entry.call if isinstance(entry, GuardedStep) else getattr(entry, "__self__", None)
    return owner if isinstance(owner, CallStep) else None


def _slots(steps: list[Step]) -> list[tuple[list[Step], int, DebugCallStep]]:
    """Where each node call sits: (its step list, its position, its `DebugCallStep`). A
    guarded node's slot holds its `GuardedStep`, which becomes the step's ``plain``."""
    slots = []
    for nested in step_lists(steps):
        for i, entry in enumerate(nested):
            owner = _owner(entry)
            if isinstance(owner, DebugCallStep):
                if isinstance(entry, GuardedStep):
                    owner.plain = entry
                slots.append((nested, i, owner))
    return slots


def _fan_out_steps(steps: list[Step]) -> list[CallStep]:
    """The call steps inside fan-out groups (their cases run on pool threads)."""
    found: list[CallStep] = []
    for step in steps:
        if isinstance(step, ParallelStep):
            for _, nested in step.cases:
                found.extend(_calls(nested))
        elif isinstance(step, RepeatStep):
            found.extend(_fan_out_steps(step.body))
        elif isinstance(step, BranchStep):
            for _, nested in step.cases:
                found.extend(_fan_out_steps(nested))
    return found


def _calls(steps: list[Step]) -> list[CallStep]:
    calls: list[CallStep] = []
    for nested in step_lists(steps):
        for entry in nested:
            owner = (
                entry.call if isinstance(entry, GuardedStep) else getattr(entry, "__self__", None)
            )
            if isinstance(owner, CallStep):
                calls.append(owner)
            elif isinstance(entry, BranchStep):
                calls.append(entry.condition)
    return calls


def watching_tracer(worker: Worker, svc: WorkerServices) -> Tracer:
    """The worker's tracer, up to date with its session, for a run that only watches
    wires (`DebugSession.watch_only`)."""
    session = worker.run.debug
    assert session is not None
    tracer = session.tracer(worker, svc)
    if tracer.version != session.version:
        tracer.sync()
    return tracer


def run_debug_chunk(
    worker: Worker, start: int, items: list[Any], svc: WorkerServices, outcomes: list | None
) -> list:
    """`Worker._run_chunk` for a run with a `DebugSession`: the same outcomes, through
    this worker's debugging steps, with the session's holds, traces and answers between
    items. ``outcomes`` are those of a salvaged chunk's first items (they are skipped)."""
    run = worker.run
    session = run.debug
    assert session is not None
    tracer = session.tracer(worker, svc)
    if tracer.version != session.version:
        tracer.sync()
    probe = worker.probe
    tprobe = probe if run.telemetry_on else None
    positions = run.positions if tprobe is not None else None
    probe.counting = positions is None  # as the ordinary loop (see WorkerProbe)
    item_state, extract, gate, mask = run.program.item_state, run.extract, run.gate, TIMING_MASK
    if outcomes is None:
        outcomes = []
    worker.chunk_now = (start, items, outcomes)
    for index, item in enumerate(items[len(outcomes) :], start + len(outcomes)):
        if session.stopped_count:
            session.hold(tracer)
        probe.timing = timing = not probe.items & mask
        tracer.index = index
        try:
            state, wired = item_state(item)
            tracer.run_steps(state, wired, svc, tprobe)
            outcomes.append(extract(state))
            if tracer.busy or tracer.counted:
                tracer.end(item, failed=False)
            if positions is not None and not timing:
                probe.passed += 1
        except WorkerAbandoned:
            raise  # the run gave up on this thread: nothing more of it counts
        except BaseException as exc:  # as the ordinary loop: even these fail one item
            if type(exc) is SkipItem:
                outcomes.append(_skipped(tracer, item, exc))
            else:
                outcomes.append(worker._failed(index, exc, item, tracer.end(item, True)))
            if positions is not None and not timing:
                worker._stopped(exc, positions)
        probe.items += 1
        probe.current = -1
        if gate.closed:
            gate.wait_open()
        if probe.services_wanted != worker._answered or session.wires_wanted != tracer.answered:
            tracer.answer_requests()
    if session.wires_wanted:
        tracer.post_wires(session.wires_wanted)
    return outcomes


def _skipped(tracer: Tracer, item: Any, skip: SkipItem) -> ItemError:
    trace = tracer.end(item, failed=True)
    tracer.worker.probe.items_failed += 1
    return ItemError(tracer.index, skip.node, "Skipped", str(skip), "", replayable(item), trace)

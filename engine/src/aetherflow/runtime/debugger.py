"""`DebugSession`: one run's traces, breakpoints and wire values (thread executor).

Created when a run starts with ``trace=``, ``breakpoints=`` or ``on_trace=``, or later
by the first breakpoint or wire-value request on its handle. From then on every worker
runs its next chunk through the debugging steps (`runtime.tracer`). Readers call the
methods here from any thread; they only ever see plain data the workers rendered.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .handle import BREAK_MODES
from .program import CallStep
from .tracer import Tracer
from .traces import BreakHit, ItemTrace

if TYPE_CHECKING:
    from .executor import Run
    from .scopes import WorkerServices
    from .workers import Worker

COMMANDS = ("step", "resume", "skip")
_POLL = 0.05


def _always(*_: Any, **__: Any) -> bool:
    return True


_always.raw = _always  # type: ignore[attr-defined]


def compile_condition(node: str, condition: str | None, params: list[str]) -> Callable[..., Any]:
    """A breakpoint condition compiled once into a function of the node's inputs;
    ValueError naming node and expression when it is not a Python expression."""
    if condition is None or not condition.strip():
        return _always
    where = f"<breakpoint on {node}>"
    try:
        compile(condition, where, "eval")
    except SyntaxError as exc:
        raise ValueError(
            f"breakpoint on node '{node}': condition {condition!r} is not a Python "
            f"expression ({exc.msg})"
        ) from None
    # a function of the node's inputs by name; one that raises counts as true, so the
    # worker stops there and `Tracer.check` shows the error
    source = (
        f"def condition({', '.join(params)}):\n    try:\n        return (\n{condition}\n)\n"
        "    except Exception:\n        return True\n"
    )
    namespace: dict[str, Any] = {"__builtins__": builtins}
    exec(compile(source, where, "exec"), namespace)
    function: Any = namespace["condition"]
    function.raw = eval(  # the bare test, for telling the user why it raised
        compile(f"lambda {', '.join(params)}: (\n{condition}\n)", where, "eval"), namespace
    )
    return function


class DebugSession:
    """The debugging state of one run; see the module docstring. ``version`` changes
    with every breakpoint or option change; workers take it at their next chunk."""

    def __init__(
        self,
        run: Run,
        keep: int = 0,
        breakpoints: Mapping[str, str | None] | None = None,
        break_mode: str = "worker",
        on_trace: Callable[[ItemTrace], None] | None = None,
    ) -> None:
        if not isinstance(keep, int) or keep < 0:
            raise ValueError(f"trace must be a non-negative integer, got {keep!r}")
        self.run = run
        self.keep = keep
        self.on_trace = on_trace
        self.watching = False
        self.wires_wanted = 0
        self.stopped_count = 0
        self.version = 0
        self.break_mode = "worker"
        self.set_break_mode(break_mode)
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._tracers: dict[str, Tracer] = {}
        _, made = run.program.compile_variant(CallStep)
        self._params = {s.node_id: [p[0] for p in s.plan] for s in made}
        self.conditions: dict[str, Callable[..., Any]] = {}
        self.breakpoints: dict[str, str | None] = {}
        for node, condition in (breakpoints or {}).items():
            self.set_breakpoint(node, condition)

    # -- breakpoints ------------------------------------------------------------------
    def set_breakpoint(self, node: str, condition: str | None = None) -> None:
        params = self._params.get(node)
        if params is None:
            known = ", ".join(sorted(self._params)) or "none"
            raise ValueError(
                f"breakpoint: flow '{self.run.flow.name}' runs no node '{node}' per item "
                f"(nodes: {known})"
            )
        self.conditions = {**self.conditions, node: compile_condition(node, condition, params)}
        self.breakpoints[node] = condition
        self.version += 1

    def clear_breakpoint(self, node: str) -> None:
        self.breakpoints.pop(node, None)
        self.conditions = {k: v for k, v in self.conditions.items() if k != node}
        self.version += 1

    def set_break_mode(self, mode: str) -> None:
        if mode not in BREAK_MODES:
            raise ValueError(f"break_mode must be one of {BREAK_MODES}, got {mode!r}")
        self.break_mode = mode

    # -- the workers' side ------------------------------------------------------------
    @property
    def watch_only(self) -> bool:
        """No breakpoint, no trace, no worker stopped: at most wires are watched. The
        workers then run their chunks as any run does and keep the node results of
        each chunk's last item only (a chunk takes a few milliseconds), so watching
        costs almost nothing and the values trail the run by about a chunk."""
        return (
            not self.conditions
            and not self.keep
            and self.on_trace is None
            and not self.stopped_count
        )

    def worker_ended(self, worker: Worker) -> None:
        """Called by a worker as it ends: post its last values for later readers."""
        tracer = self._tracers.get(threading.current_thread().name)
        if tracer is not None and self.watching:
            tracer.post_wires(self.wires_wanted)

    def tracer(self, worker: Worker, svc: WorkerServices) -> Tracer:
        """The calling worker's tracer (made, with its steps, at its first chunk)."""
        name = threading.current_thread().name
        tracer = self._tracers.get(name)
        if tracer is None:
            tracer = Tracer(self, worker, svc)
            with self._lock:
                self._tracers[name] = tracer
        return tracer

    def stopping(self, tracer: Tracer, hit: BreakHit) -> None:
        with self._lock:
            tracer.command = None
            tracer.hit = hit
            if not tracer.counted:
                tracer.counted = True
                self.stopped_count += 1
                self._released.clear()

    def released(self, tracer: Tracer, keep_counted: bool) -> None:
        """The worker goes on; while it steps it still counts as stopped (so "all" mode
        holds the others until its item is done or it continues)."""
        with self._lock:
            tracer.hit = None
            if not keep_counted:
                self._uncount(tracer)

    def uncount(self, tracer: Tracer) -> None:
        with self._lock:
            self._uncount(tracer)

    def _uncount(self, tracer: Tracer) -> None:
        if tracer.counted:
            tracer.counted = False
            self.stopped_count -= 1
            if not self.stopped_count:
                self._released.set()

    def hold(self, tracer: Tracer) -> None:
        """Between items: in "all" mode, wait while another worker is stopped."""
        feed = self.run.feed
        while self.stopped_count and self.break_mode == "all" and not feed.stopping:
            if tracer.counted:
                return
            tracer.held = True
            self._released.wait(_POLL)
            tracer.answer_requests()
        tracer.held = False

    # -- readers (any thread) ---------------------------------------------------------
    def stopped(self) -> list[BreakHit]:
        hits = [t.hit for t in list(self._tracers.values())]
        return sorted((h for h in hits if h is not None), key=lambda h: h.worker)

    def held(self) -> list[str]:
        return sorted(t.name for t in list(self._tracers.values()) if t.held)

    def command(self, worker: str, command: str) -> bool:
        """Send ``command`` to ``worker`` if it is stopped; True when it was."""
        if command not in COMMANDS:
            raise ValueError(f"command must be one of {COMMANDS}, got {command!r}")
        tracer = self._tracers.get(worker)
        if tracer is None or tracer.hit is None:
            return False
        tracer.command = command
        tracer.wake.set()
        return True

    def traces(self) -> list[ItemTrace]:
        """The kept traces of every worker and those of all failed items, by index."""
        found: dict[int, ItemTrace] = {}
        for tracer in list(self._tracers.values()):
            for trace in tuple(tracer.kept):
                found[trace.index] = trace
        return [found[i] for i in sorted(found)]

    def wire_values(self) -> dict[str, dict[str, Any]]:
        """The last posted values per port and worker; asks the workers for fresh ones
        (answered between items, so the next call sees them)."""
        if not self.watching:
            self.watching = True
            self.version += 1
        self.wires_wanted += 1
        out: dict[str, dict[str, Any]] = {}
        for tracer in list(self._tracers.values()):
            for port, value in tracer.wires.items():
                out.setdefault(port, {})[tracer.name] = value
        return dict(sorted(out.items()))


class DebugMethods:
    """The run handle's debugging methods (thread executor). Every method may be called
    from any thread, during and after the run; none waits for a worker."""

    _run: Run

    @property
    def supports_breakpoints(self) -> bool:
        """False for flows with async nodes (their items run on event loops)."""
        return not self._run.program.is_async

    @property
    def supports_traces(self) -> bool:
        """False for flows with async nodes: failed items still keep their input and
        the failing node's inputs, but no other traces or wire values are kept."""
        return not self._run.program.is_async

    def _debug(self) -> DebugSession:
        """The run's session, created on first use (workers switch at their next chunk)."""
        run = self._run
        if run.debug is None:
            with run._lock:
                if run.debug is None:
                    run.debug = DebugSession(run, break_mode=run.break_mode)
        return run.debug

    def traces(self) -> list[ItemTrace]:
        """Item traces by index: the last ``trace=K`` items of each worker and every
        failed item (for an untraced run, the failing node's step only)."""
        run = self._run
        found = {e.trace.index: e.trace for e in list(run.errors) if e.trace is not None}
        if run.debug is not None:
            found.update((t.index, t) for t in run.debug.traces())
        return [found[i] for i in sorted(found)]

    def set_breakpoint(self, node_id: str, condition: str | None = None) -> None:
        """Stop a worker before ``node_id`` (when ``condition``, a Python expression over
        the node's input names, is true). ValueError for an unknown node or a condition
        that does not compile. The condition runs as code: set it only in runs you
        trust."""
        self._debug().set_breakpoint(node_id, condition)

    def clear_breakpoint(self, node_id: str) -> None:
        if self._run.debug is not None:
            self._run.debug.clear_breakpoint(node_id)

    def set_break_mode(self, mode: str) -> None:
        """``"worker"``: only the stopped worker waits; ``"all"``: every worker waits
        between items while one is stopped."""
        if mode not in BREAK_MODES:
            raise ValueError(f"break_mode must be one of {BREAK_MODES}, got {mode!r}")
        self._run.break_mode = mode
        if self._run.debug is not None:
            self._run.debug.set_break_mode(mode)

    def stopped(self) -> list[BreakHit]:
        """The workers stopped at a breakpoint now, by worker name."""
        return [] if self._run.debug is None else self._run.debug.stopped()

    def held(self) -> list[str]:
        """Workers waiting between items because another one is stopped ("all" mode)."""
        return [] if self._run.debug is None else self._run.debug.held()

    def step(self, worker: str) -> bool:
        """Run the node ``worker`` is stopped at, then stop before its item's next node.
        Returns False when that worker is not stopped (any more)."""
        return self._command(worker, "step")

    def resume_worker(self, worker: str) -> bool:
        return self._command(worker, "resume")

    def skip_item(self, worker: str) -> bool:
        """Abandon the stopped worker's item: it is reported as an `ItemError` of type
        ``"Skipped"`` with its input."""
        return self._command(worker, "skip")

    def _command(self, worker: str, command: str) -> bool:
        return self._run.debug is not None and self._run.debug.command(worker, command)

    def wire_values(self) -> dict[str, dict[str, Any]]:
        """``{"node.port": {worker: rendered last value}}``. The first call makes the
        workers keep the results of each chunk's last item (every item's while a
        breakpoint or a trace is on); each call asks them for fresh renderings, answered
        at the end of a chunk, so values trail the run by about a chunk (a few ms)."""
        return self._debug().wire_values()

"""Compile a `Flow` into steps once, then run items through them with no lookups left
but the ones that depend on the item.

Parameter resolution, first match wins: an edge wired into the parameter; a constant
set on the node; a service of that name; the run state key of that name; the Python
default. Otherwise `MissingInputError`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from time import perf_counter
from typing import Any

from ..compose import LoopControl
from ..context import BaseFlowContext
from ..errors import (
    BranchError,
    FlowError,
    InputError,
    MissingInputError,
    NodeExecutionError,
    ServiceError,
)
from ..graph.bulk import bulk
from ..graph.model import Flow
from ..graph.specs import NodeSpec
from ..node import MISSING, Node
from .codegen import StraightCode, compile_straight
from .guarded import GuardedStep
from .jsonl import UnreadableItem
from .services import ContainerServices, NoServices, Services

_STATE, _CONST, _SERVICE, _EDGE = 0, 1, 2, 3
_BREAK = LoopControl.BREAK
_CONTINUE = LoopControl.CONTINUE
PARALLEL_KEY = "__parallel_results"

Wired = dict[tuple[str, str], Any]


class Probe:
    """Receives timing from a running program; the runtime's telemetry implements it.

    ``current`` is written before each node runs (the index into `Program.node_ids`).
    While ``timing`` is true each call is timed and reported with `leave`; while it is
    false the call is only counted, ``counts[index] += 1``, and not even that while
    ``counting`` is false (two clock reads and a method call per node would cost a
    trivial node a third of its time; the telemetry times a sample of the items and
    derives the other counts).
    """

    current: int = -1
    timing: bool = True
    counting: bool = True
    counts: list[int]

    def leave(self, index: int, seconds: float) -> None: ...

    def failed(self, index: int) -> None: ...

    def retried(self, index: int, failed: int, exc: BaseException) -> None:
        """Attempt ``failed`` of the node at ``index`` raised ``exc``; it runs again."""


class CallStep:
    """Call one node: fill its parameters, call it, merge its result."""

    __slots__ = (
        "consts", "edge_items", "func", "index", "is_async", "node_id", "optional", "out_key",
        "plan", "policy", "required", "service_items", "simple", "wire_keys", "wired_outputs",
    )  # fmt: skip

    def __init__(
        self,
        index: int,
        spec: NodeSpec,
        node: Node,
        flow: Flow,
        services: frozenset[str],
        wired_outputs: frozenset[str],
    ) -> None:
        self.index = index
        self.node_id = spec.id
        self.func = node.func
        self.is_async = node.is_async
        self.policy = node.policy.merged(spec.policy, f"node '{spec.id}'")
        self.out_key = node.outputs[0] if len(node.outputs) == 1 else node.name
        self.wired_outputs = tuple(wired_outputs)
        # (port, key in `wired`) per wired output: the keys built once, not per item
        self.wire_keys = tuple((port, (spec.id, port)) for port in self.wired_outputs)
        edges = {e.target_port: (e.source_node, e.source_port) for e in flow.edges_into(spec.id)}
        plan: list[tuple[str, int, Any, Any]] = []
        for p in node.params:
            if p.name in edges:
                plan.append((p.name, _EDGE, edges[p.name], p.default))
            elif p.name in spec.constants:
                plan.append((p.name, _CONST, spec.constants[p.name], MISSING))
            elif p.name in services:
                plan.append((p.name, _SERVICE, p.name, MISSING))
            else:
                key = p.name
                plan.append((p.name, _STATE, key, p.default))
        self.plan = tuple(plan)
        # The same plan split by kind, for the fast path in `call`.
        state_params = [(n, k, d) for n, kind, k, d in plan if kind == _STATE]
        self.required = tuple((n, k) for n, k, d in state_params if d is MISSING)
        self.optional = tuple((n, k, d) for n, k, d in state_params if d is not MISSING)
        self.consts = {n: k for n, kind, k, _ in plan if kind == _CONST}
        self.service_items = tuple((n, k) for n, kind, k, _ in plan if kind == _SERVICE)
        self.edge_items = tuple((n, k) for n, kind, k, _ in plan if kind == _EDGE)
        self.simple = len(self.required) == len(plan)

    def _fallback(self, name: str, default: Any, state: dict[str, Any], svc: Services) -> Any:
        """An edge whose source did not run (another branch): resolve as if unwired."""
        if name in svc.names:
            return svc.get(name)
        value = state.get(name, MISSING)
        if value is MISSING and name == "parallel_results":
            value = state.get(PARALLEL_KEY, MISSING)
        if value is MISSING:
            if default is MISSING:
                raise MissingInputError(self.node_id, name, [*state, *svc.names])
            value = default
        return value

    def _slow_kwargs(self, state: dict[str, Any], wired: Wired, svc: Services) -> dict[str, Any]:
        try:
            return self._resolve_all(state, wired, svc)
        except ServiceError as exc:
            raise exc.at_node(self.node_id) from exc.original

    def _resolve_all(self, state: dict[str, Any], wired: Wired, svc: Services) -> dict[str, Any]:
        kwargs = {}
        for name, kind, key, default in self.plan:
            if kind is _STATE:
                value = state.get(key, MISSING)
                if value is MISSING:
                    value = self._fallback(name, default, state, svc)
            elif kind is _CONST:
                value = key
            elif kind is _SERVICE:
                value = svc.get(key)
            else:
                value = wired.get(key, MISSING)
                if value is MISSING:
                    value = self._fallback(name, default, state, svc)
            kwargs[name] = value
        return kwargs

    def kwargs(self, state: dict[str, Any], wired: Wired, svc: Services) -> dict[str, Any]:
        """The node's arguments for this item (what `call` computes inline)."""
        try:
            kwargs = {name: state[key] for name, key in self.required}
            if not self.simple:
                for name, key, default in self.optional:
                    kwargs[name] = state.get(key, default)
                kwargs.update(self.consts)
                for name, key in self.service_items:
                    kwargs[name] = svc.get(key)
                for name, key in self.edge_items:
                    kwargs[name] = wired[key]
            return kwargs
        except KeyError:
            return self._slow_kwargs(state, wired, svc)

    def merge(self, result: Any, state: dict[str, Any], wired: Wired) -> Any:
        """Merge a node's result into the item's state (what `call` does inline)."""
        if result is None:
            return None
        if isinstance(result, dict):
            state.update(result)
            for port in self.wired_outputs:
                if port in result:
                    wired[self.node_id, port] = result[port]
        elif result is not _BREAK and result is not _CONTINUE:
            state[self.out_key] = result
            for port in self.wired_outputs:
                wired[self.node_id, port] = result
        return result

    def call(self, state: dict[str, Any], wired: Wired, svc: Services, probe: Any) -> Any:
        """Run the node and return its raw result (after merging it).

        The hot path of sync flows: argument filling and merging are inlined here
        (`kwargs` and `merge` are the same steps as methods, for the guarded and async
        paths)."""
        try:
            kwargs = {}
            for name, key in self.required:
                kwargs[name] = state[key]
            if not self.simple:
                for name, key, default in self.optional:
                    kwargs[name] = state.get(key, default)
                if self.consts:
                    kwargs.update(self.consts)
                for name, key in self.service_items:
                    kwargs[name] = svc.get(key)
                for name, key in self.edge_items:
                    kwargs[name] = wired[key]
        except KeyError:  # a missing state key or an edge whose source did not run
            kwargs = self._slow_kwargs(state, wired, svc)
        except ServiceError as exc:  # name the node that asked for the service
            raise exc.at_node(self.node_id) from exc.original
        try:
            if probe is None:
                result = self.func(**kwargs)
            else:
                probe.current = self.index
                if probe.timing:
                    t0 = perf_counter()
                    result = self.func(**kwargs)
                    probe.leave(self.index, perf_counter() - t0)
                else:
                    result = self.func(**kwargs)
                    if probe.counting:
                        probe.counts[self.index] += 1
        except Exception as exc:
            if probe is not None:
                probe.failed(self.index)
            raise NodeExecutionError(self.node_id, exc, inputs=kwargs) from exc
        except BaseException as exc:  # KeyboardInterrupt, SystemExit, GeneratorExit
            if threading.current_thread() is threading.main_thread():
                raise  # `Node.run` on the main thread: a real Ctrl-C must stop it
            if probe is not None:  # on a worker: this item's failure, like any exception
                probe.failed(self.index)
            raise NodeExecutionError(self.node_id, exc, inputs=kwargs) from exc
        if result is None:
            return None
        if type(result) is dict or isinstance(result, dict):
            state.update(result)
            for port, key in self.wire_keys:
                if port in result:
                    wired[key] = result[port]
        elif result is not _BREAK and result is not _CONTINUE:
            state[self.out_key] = result
            for _port, key in self.wire_keys:
                wired[key] = result
        return result


Step = Callable[[dict[str, Any], Wired, Services, Any], Any]


def run_steps(
    steps: Sequence[Step], state: dict[str, Any], wired: Wired, svc: Services, probe: Any
) -> Any:
    """Run steps in order; return a `LoopControl` that stopped them, else None."""
    for step in steps:
        control = step(state, wired, svc, probe)
        if control is _BREAK or control is _CONTINUE:
            return control
    return None


class RepeatStep:
    __slots__ = ("body", "times")

    def __init__(self, body: list[Step], times: int) -> None:
        self.body, self.times = body, times

    def __call__(self, state: dict[str, Any], wired: Wired, svc: Services, probe: Any) -> Any:
        for _ in range(self.times):
            if run_steps(self.body, state, wired, svc, probe) is _BREAK:
                break
        return None


class BranchStep:
    __slots__ = ("cases", "condition")

    def __init__(self, condition: CallStep, cases: list[tuple[Any, list[Step]]]) -> None:
        self.condition = condition
        self.cases = cases

    def __call__(self, state: dict[str, Any], wired: Wired, svc: Services, probe: Any) -> Any:
        value = self.condition.call(state, wired, svc, probe)
        steps = self.cases[case_index(self, value)][1]
        return run_steps(steps, state, wired, svc, probe)


def case_index(branch: BranchStep, value: Any) -> int:
    """The index of the case of ``branch`` that ``value`` selects, else `BranchError`."""
    for i, (case_value, _) in enumerate(branch.cases):
        try:
            hit = case_value == value and type(case_value) is type(value)
        except Exception:  # a value whose == raises
            hit = False
        if hit:
            return i
    raise BranchError(branch.condition.node_id, value, [v for v, _ in branch.cases])


class ParallelStep:
    """Each case on a pool thread with a shallow copy of the state."""

    __slots__ = ("_lock", "_pool", "cases", "context", "executor", "max_workers")

    def __init__(
        self,
        cases: list[tuple[str, list[Step]]],
        executor: str,
        max_workers: int | None,
        context: Any,
    ) -> None:
        self.cases, self.executor, self.max_workers = cases, executor, max_workers
        self.context = context
        self._pool: Executor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> Executor:
        with self._lock:
            if self._pool is None:
                n = self.max_workers or len(self.cases)
                if self.executor == "process":
                    self._pool = ProcessPoolExecutor(max_workers=n)
                else:
                    self._pool = ThreadPoolExecutor(n, thread_name_prefix="aetherflow-fanout")
            return self._pool

    def __call__(self, state: dict[str, Any], wired: Wired, svc: Services, probe: Any) -> Any:
        pool = self._executor()
        if self.executor == "process":
            futures = [
                pool.submit(_case_in_process, steps, dict(state), self.context)
                for _, steps in self.cases
            ]
        else:
            forked = svc.fork()
            futures = [
                pool.submit(_case_on_thread, steps, dict(state), dict(wired), forked)
                for _, steps in self.cases
            ]
        results = {key: f.result() for (key, _), f in zip(self.cases, futures, strict=True)}
        state[PARALLEL_KEY] = results
        return None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def _case_on_thread(steps: list[Step], state: dict[str, Any], wired: Wired, svc: Services) -> Any:
    if len(steps) == 1 and (
        isinstance(steps[0], GuardedStep)
        or isinstance(getattr(steps[0], "__self__", None), CallStep)
    ):
        return steps[0](state, wired, svc, None)  # one node: its own result
    before = dict(state)
    run_steps(steps, state, wired, svc, None)
    return {k: v for k, v in state.items() if k not in before or before[k] is not v}


def _case_in_process(steps: list[Step], state: dict[str, Any], context: Any) -> Any:
    svc = ContainerServices(context) if context is not None else NoServices()
    return _case_on_thread(steps, state, {}, svc)


class Program:
    """A flow compiled for running: steps, node order and the source node."""

    @bulk
    def __init__(self, flow: Flow, services: frozenset[str], context: Any = None) -> None:
        self.flow = flow
        self.node_ids: list[str] = list(flow.nodes)
        self.source: str | None = flow.source
        self._index = {n: i for i, n in enumerate(self.node_ids)}
        self._services = services
        self._context = context
        self.container_services: Services = (
            ContainerServices(context) if context is not None else NoServices()
        )
        wired: dict[str, dict[str, None]] = {}  # the wired outputs of each node (dicts of
        for e in flow.edges:  # strings, which the collector does not track, unlike sets)
            wired.setdefault(e.source_node, {})[e.source_port] = None
        self._wired = wired
        order = [n for n in flow.topological_order() if n != self.source]
        self._order = order
        self._rank = {n: i for i, n in enumerate(order)}
        self._parent = _control_parents(flow)
        self.parallel_steps: list[ParallelStep] = []
        self.call_steps: list[CallStep] = []
        self._step_class: type[CallStep] = CallStep
        self._made: list[CallStep] | None = None
        self._async: Any = None  # aio.AsyncSteps, built on first use (aio.async_steps)
        self.steps: list[Step] = self._compile_level(self._top_level(order))
        self.inputs = _flow_inputs(flow, services)
        # some node is `async def`: items then run on an event loop
        self.is_async = any(c.is_async for c in self.call_steps)
        # some sync node has a time limit: a run then watches its workers
        self.sync_timeouts = any(
            c.policy.timeout is not None and not c.is_async for c in self.call_steps
        )
        # a straight flow runs as one generated function (None: the steps run one by one)
        self.straight: StraightCode | None = None
        if self.straight_order() is not None and not self.is_async:
            calls = [getattr(s, "__self__", None) for s in self.steps]
            self.straight = compile_straight(calls, self._resume)
        self._run = self.straight.run if self.straight is not None else self._run_steps

    # -- compiling ----------------------------------------------------------------------
    def _compile_level(self, members: list[str]) -> list[Step]:
        """Compile direct members (node or group ids) in run order."""
        children = sorted(dict.fromkeys(members), key=self._first_rank)
        return [self._compile_member(m) for m in children if self._first_rank(m) >= 0]

    def _top_level(self, order: list[str]) -> list[str]:
        nodes = [n for n in order if n not in self._parent]
        groups = [
            g
            for g, spec in self.flow.groups.items()
            if spec.kind != "frame" and g not in self._parent
        ]
        return nodes + groups

    def _descendants(self, member: str) -> list[str]:
        group = self.flow.groups.get(member)
        if group is None:
            return [member]
        return [d for m in group.members for d in self._descendants(m)]

    def _first_rank(self, member: str) -> int:
        ranks = [self._rank[d] for d in self._descendants(member) if d in self._rank]
        return min(ranks) if ranks else -1

    def _compile_member(self, member: str) -> Step:
        group = self.flow.groups.get(member)
        if group is None:
            call = self._call_step(member)
            if call.policy.active and not call.is_async:
                return GuardedStep(call)
            return call.call  # a bound method calls faster than __call__
        p = group.params
        if group.kind not in ("repeat", "branch", "parallel"):
            raise FlowError(
                f"group '{member}' has kind '{group.kind}', which this version cannot run "
                "(known: repeat, branch, parallel, frame)"
            )
        if group.kind == "repeat":
            return RepeatStep(self._compile_level(group.members), int(p.get("times", 1)))
        cases = p.get("cases") or []
        if group.kind == "branch":
            cond = p.get("condition")
            if cond not in self.flow.nodes:
                raise FlowError(f"branch group '{member}': condition node '{cond}' not found")
            compiled = [(c.get("value"), self._compile_level(c.get("members", []))) for c in cases]
            return BranchStep(self._call_step(cond), compiled)
        step = ParallelStep(
            [(str(c.get("key")), self._compile_level(c.get("members", []))) for c in cases],
            str(p.get("executor", "thread")),
            p.get("max_workers"),
            self._context,
        )
        self.parallel_steps.append(step)
        return step

    def _call_step(self, node_id: str) -> CallStep:
        spec = self.flow.nodes[node_id]
        node = self.flow.resolve(node_id)
        outs = frozenset(self._wired.get(node_id, ()))
        step = self._step_class(self._index[node_id], spec, node, self.flow, self._services, outs)
        if self._made is None:
            self.call_steps.append(step)
        else:
            self._made.append(step)
        return step

    def compile_variant(self, step_class: type[CallStep]) -> tuple[list[Step], list[CallStep]]:
        """The flow compiled again with ``step_class`` for every node call, and those call
        steps. Debugging runs use such a variant (see `runtime.tracer`); ordinary runs
        never execute its code."""
        made: list[CallStep] = []
        with _variant_lock:  # workers may compile their variants at the same time
            self._step_class, self._made = step_class, made
            try:
                steps = self._compile_level(self._top_level(self._order))
            finally:
                self._step_class, self._made = CallStep, None
        return steps, made

    # -- running ------------------------------------------------------------------------
    def item_state(self, item: Any) -> tuple[dict[str, Any], Wired]:
        """The initial state (and wired values) of one item."""
        wired: Wired = {}
        if isinstance(item, dict):
            state = dict(item)
        elif type(item) is UnreadableItem:  # a bad input line: this item's error
            raise InputError(item.message)
        elif len(self.inputs) == 1:
            state = {self.inputs[0]: item}
        else:
            state = {"item": item}
        if self.source is not None:
            for port in self._wired.get(self.source, ()):
                if isinstance(item, dict) and port in item:
                    wired[self.source, port] = item[port]
                elif not isinstance(item, dict):
                    wired[self.source, port] = item
        return state, wired

    def straight_order(self) -> list[int] | None:
        """Node indexes in run order when every item runs every node once, in order (no
        branch, loop or fan-out), else None."""
        order = []
        for step in self.steps:
            call = getattr(step, "__self__", None)
            if not isinstance(call, CallStep):
                return None
            order.append(call.index)
        return order

    def run_item(self, item: Any, svc: Services, probe: Any = None) -> dict[str, Any]:
        """Run one item through the whole flow on the calling thread; return its state."""
        state, wired = self.item_state(item)
        self._run(state, wired, svc, probe)
        return state

    def run_state(self, state: dict[str, Any], svc: Services, probe: Any = None) -> dict[str, Any]:
        """Run with an existing state dict (changed in place), as `Node.run` does."""
        self._run(state, {}, svc, probe)
        return state

    def _run_steps(self, state: dict[str, Any], wired: Wired, svc: Services, probe: Any) -> Any:
        return run_steps(self.steps, state, wired, svc, probe)

    def _resume(
        self, k: int, state: dict[str, Any], wired: Wired, svc: Services, probe: Any
    ) -> Any:
        """The steps from the ``k``-th on (where generated code hands over)."""
        return run_steps(self.steps[k:], state, wired, svc, probe)

    def close(self) -> None:
        for step in self.parallel_steps:
            step.close()


def step_lists(steps: list[Step]) -> list[list[Step]]:
    """``steps`` and every list of steps nested in its repeat, branch and parallel steps."""
    found = [steps]
    for step in steps:
        if isinstance(step, RepeatStep):
            found.extend(step_lists(step.body))
        elif isinstance(step, BranchStep | ParallelStep):
            for _, nested in step.cases:
                found.extend(step_lists(nested))
    return found


def _control_parents(flow: Flow) -> dict[str, str]:
    parents: dict[str, str] = {}
    for gid, g in flow.groups.items():
        if g.kind == "frame":
            continue
        for m in g.members:
            parents[m] = gid
    return parents


def _flow_inputs(flow: Flow, services: frozenset[str]) -> list[str]:
    """Parameters nothing inside the flow fills: the flow's inputs, read from items."""
    produced = {o.name for s in flow.nodes.values() for o in s.output_view}
    inputs: dict[str, None] = {}
    for spec in flow.nodes.values():
        if spec.id == flow.source:
            continue
        wired = {e.target_port for e in flow.edges_into(spec.id)}
        for p in spec.input_view:
            if (
                p.required
                and p.name not in wired
                and p.name not in spec.constants
                and p.name not in services
                and p.name not in produced
            ):
                inputs[p.name] = None
    return list(inputs)


def default_context() -> Any:
    """The context used when none is given: `BaseFlowContext` itself, shared process-wide,
    so per-thread ``state`` persists across runs on a thread as in AetherFlow 0.1."""
    return BaseFlowContext


_program_cache: dict[tuple[int, int], Program] = {}
_cache_lock = threading.Lock()
_variant_lock = threading.Lock()


def program_for(flow: Flow, context: Any) -> Program:
    """A compiled program for ``flow`` with ``context``'s services, cached for code-built
    flows (which do not change after construction)."""
    key = (id(flow), id(context))
    prog = _program_cache.get(key)
    if prog is None or prog.flow is not flow:
        svc_names = frozenset(context.providers) if context is not None else frozenset()
        prog = Program(flow, svc_names, context)
        with _cache_lock:
            if len(_program_cache) > 512:
                _program_cache.clear()
            _program_cache[key] = prog
    return prog

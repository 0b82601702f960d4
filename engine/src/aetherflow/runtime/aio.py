"""Flows with ``async def`` nodes: the compiled steps lifted onto an event loop.

Only steps that contain an async node become coroutines; sync nodes, and loops or
branches made only of sync nodes, keep their compiled sync step and are called directly
from the coroutine (no await, no task). Sync-only flows never come here.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from time import perf_counter
from typing import Any

from ..compose import LoopControl
from ..errors import FlowError, NodeExecutionError
from ..policy import resolve_retry_on
from .guarded import GuardedStep, node_timeout, record_call
from .program import (
    PARALLEL_KEY,
    BranchStep,
    CallStep,
    ParallelStep,
    Program,
    RepeatStep,
    Step,
    Wired,
    case_index,
)
from .services import Services

CancelledError = asyncio.CancelledError
_BREAK = LoopControl.BREAK
_CONTINUE = LoopControl.CONTINUE
Lifted = list[tuple[Any, bool]]  # (step, is a coroutine function)
_loops = threading.local()


async def run_lifted(
    steps: Lifted, state: dict[str, Any], wired: Wired, svc: Services, probe: Any
) -> Any:
    """`run_steps` for lifted steps: await the async ones, call the others."""
    for step, is_async in steps:
        if is_async:
            control = await step(state, wired, svc, probe)
        else:
            control = step(state, wired, svc, probe)
        if control is _BREAK or control is _CONTINUE:
            return control
    return None


class AsyncSteps:
    """A program's steps for an event loop."""

    def __init__(self, steps: list[Step]) -> None:
        self.steps = lift_all(steps)

    async def run(
        self, state: dict[str, Any], wired: Wired, svc: Services, probe: Any
    ) -> dict[str, Any]:
        """Run every step on ``state`` (changed in place) and return it."""
        for step, is_async in self.steps:  # `run_lifted`, inlined: one coroutine per item
            if is_async:
                control = await step(state, wired, svc, probe)
            else:
                control = step(state, wired, svc, probe)
            if control is _BREAK or control is _CONTINUE:
                break
        return state


def lift_all(steps: list[Step]) -> Lifted:
    return [lift(s) for s in steps]


def _any_async(steps: Lifted) -> bool:
    return any(a for _, a in steps)


def lift(step: Step) -> tuple[Any, bool]:
    """The step as run on an event loop, and whether it must be awaited."""
    call = getattr(step, "__self__", None)
    if isinstance(call, CallStep):
        return (AsyncCall(call), True) if call.is_async else (step, False)
    if isinstance(step, RepeatStep):
        body = lift_all(step.body)
        return (AsyncRepeat(body, step.times), True) if _any_async(body) else (step, False)
    if isinstance(step, BranchStep):
        cases = [lift_all(s) for _, s in step.cases]
        if not step.condition.is_async and not any(_any_async(c) for c in cases):
            return step, False
        return AsyncBranch(step, cases), True
    if isinstance(step, ParallelStep):
        lifted = [(key, lift_all(s)) for key, s in step.cases]
        if not any(_any_async(c) for _, c in lifted):
            return step, False
        if step.executor == "process":
            raise FlowError("a fan-out with executor='process' cannot run async nodes")
        return AsyncParallel(lifted), True
    return step, False  # GuardedStep and any other sync step


class AsyncCall:
    """Await one async node: fill its parameters, await it (under its time limit, with
    its retries), merge its result."""

    __slots__ = ("call", "func", "guarded", "policy", "retry_on")

    def __init__(self, call: CallStep) -> None:
        self.call, self.func, self.policy = call, call.func, call.policy
        self.guarded = call.policy.active
        self.retry_on = resolve_retry_on(call.policy, f"node '{call.node_id}'")

    async def __call__(self, state: dict[str, Any], wired: Wired, svc: Services, probe: Any) -> Any:
        # The hot path of async flows: argument filling, timing and merging are inlined
        # (as in `CallStep.call`); a node with a policy takes `_with_policy`.
        call = self.call
        if call.simple:
            kwargs = {}
            try:
                for name, key in call.required:
                    kwargs[name] = state[key]
            except KeyError:
                kwargs = call.kwargs(state, wired, svc)
        else:
            kwargs = call.kwargs(state, wired, svc)
        if self.guarded:
            result = await self._with_policy(kwargs, probe)
        else:
            try:
                if probe is None:
                    result = await self.func(**kwargs)
                else:
                    probe.current = call.index
                    if probe.timing:
                        t0 = perf_counter()
                        result = await self.func(**kwargs)
                        probe.leave(call.index, perf_counter() - t0)
                    else:
                        result = await self.func(**kwargs)
                        if probe.counting:
                            probe.counts[call.index] += 1
            except Exception as exc:
                if probe is not None:
                    probe.failed(call.index)
                raise NodeExecutionError(call.node_id, exc, inputs=kwargs) from exc
            except CancelledError as exc:
                exc.aetherflow_node = call.node_id  # type: ignore[attr-defined]
                raise
        if result is None:
            return None
        if type(result) is dict:
            state.update(result)
            for port in call.wired_outputs:
                if port in result:
                    wired[call.node_id, port] = result[port]
            return result
        return call.merge(result, state, wired)

    async def _with_policy(self, kwargs: dict[str, Any], probe: Any) -> Any:
        call, policy = self.call, self.policy
        failed = 0
        while True:
            try:
                return await self._attempt(kwargs, probe)
            except Exception as exc:
                failed += 1
                if failed > policy.retries or not isinstance(exc, self.retry_on):
                    if probe is not None:
                        probe.failed(call.index)
                    raise NodeExecutionError(call.node_id, exc, failed, inputs=kwargs) from exc
                if probe is not None:
                    probe.retried(call.index, failed, exc)
                await asyncio.sleep(policy.delay(failed))

    async def _attempt(self, kwargs: dict[str, Any], probe: Any) -> Any:
        call, timeout = self.call, self.policy.timeout
        if probe is not None:
            probe.current = call.index
        t0 = perf_counter()
        try:
            if timeout is None:
                result = await self.func(**kwargs)
            else:
                limit = asyncio.timeout(timeout)
                try:
                    async with limit:
                        result = await self.func(**kwargs)
                except TimeoutError:
                    if limit.expired():
                        raise node_timeout(call.node_id, timeout) from None
                    raise
        except asyncio.CancelledError as exc:
            exc.aetherflow_node = call.node_id  # type: ignore[attr-defined]
            raise
        if probe is not None:
            record_call(probe, call.index, t0)
        return result


class AsyncRepeat:
    __slots__ = ("body", "times")

    def __init__(self, body: Lifted, times: int) -> None:
        self.body, self.times = body, times

    async def __call__(self, state: dict[str, Any], wired: Wired, svc: Services, probe: Any) -> Any:
        for _ in range(self.times):
            if await run_lifted(self.body, state, wired, svc, probe) is _BREAK:
                break
        return None


class AsyncBranch:
    __slots__ = ("cases", "condition", "step")

    def __init__(self, step: BranchStep, cases: list[Lifted]) -> None:
        self.step, self.cases = step, cases
        cond = step.condition
        self.condition: Any = AsyncCall(cond) if cond.is_async else None

    async def __call__(self, state: dict[str, Any], wired: Wired, svc: Services, probe: Any) -> Any:
        if self.condition is not None:
            value = await self.condition(state, wired, svc, probe)
        else:
            value = self.step.condition.call(state, wired, svc, probe)
        index = case_index(self.step, value)
        return await run_lifted(self.cases[index], state, wired, svc, probe)


class AsyncParallel:
    """A fan-out with async targets: every case awaited concurrently on this loop, each
    with a shallow copy of the state."""

    __slots__ = ("cases",)

    def __init__(self, cases: list[tuple[str, Lifted]]) -> None:
        self.cases = cases

    async def __call__(self, state: dict[str, Any], wired: Wired, svc: Services, probe: Any) -> Any:
        runs = [_case(steps, dict(state), dict(wired), svc) for _, steps in self.cases]
        results = await asyncio.gather(*runs)
        state[PARALLEL_KEY] = {key: r for (key, _), r in zip(self.cases, results, strict=True)}
        return None


async def _case(steps: Lifted, state: dict[str, Any], wired: Wired, svc: Services) -> Any:
    if len(steps) == 1:
        step, is_async = steps[0]
        if isinstance(step, AsyncCall | GuardedStep) or isinstance(
            getattr(step, "__self__", None), CallStep
        ):
            return (
                (await step(state, wired, svc, None)) if is_async else step(state, wired, svc, None)
            )
    before = dict(state)
    await run_lifted(steps, state, wired, svc, None)
    return {k: v for k, v in state.items() if k not in before or before[k] is not v}


def run_on_thread_loop(coro: Coroutine[Any, Any, Any], what: str) -> Any:
    """Run ``coro`` to completion on the calling thread's own event loop (made once per
    thread and kept), for `Node.run` from sync code.

    Raises
    ------
    RuntimeError
        When called inside a running event loop (that code should ``await node.arun``).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        coro.close()
        raise RuntimeError(
            f"'{what}' has async nodes and Node.run was called inside a running event loop: "
            "use 'await node.arun(state, context)' there"
        )
    loop = getattr(_loops, "loop", None)
    if loop is None or loop.is_closed():
        loop = _loops.loop = asyncio.new_event_loop()
    return loop.run_until_complete(coro)


def async_steps(prog: Program) -> AsyncSteps:
    """The program's steps for an event loop, built on first use."""
    if prog._async is None:
        prog._async = AsyncSteps(prog.steps)
    steps: AsyncSteps = prog._async
    return steps


def arun_item(
    prog: Program, item: Any, svc: Services, probe: Any = None
) -> Coroutine[Any, Any, dict[str, Any]]:
    """`Program.run_item` on the running event loop (for flows with async nodes): await
    it. A plain function returning the steps' coroutine: one coroutine per item."""
    state, wired = prog.item_state(item)
    return async_steps(prog).run(state, wired, svc, probe)


def arun_state(
    prog: Program, state: dict[str, Any], svc: Services, probe: Any = None
) -> Coroutine[Any, Any, dict[str, Any]]:
    """`Program.run_state` on the running event loop: await it."""
    return async_steps(prog).run(state, {}, svc, probe)

"""`Node.run` and `Node.arun`: one flow run on the calling thread (or event loop), with
a compiled program cached per flow and context."""

from __future__ import annotations

from typing import Any

from ..bindings import bind
from ..context import BaseFlowContext
from ..graph.model import Flow
from .aio import arun_state, run_on_thread_loop
from .program import _program_cache, default_context, program_for


def run_once(flow: Flow, state: dict[str, Any] | None, context: Any) -> dict[str, Any]:
    """`Node.run`: run ``flow`` on the calling thread with ``state`` and ``context``."""
    if context is None:
        context = BaseFlowContext
    prog = _program_cache.get((id(flow), id(context)))  # the hot path: no call
    if prog is None or prog.flow is not flow:
        prog = program_for(flow, context)
    if prog.is_async:
        coro = arun_state(prog, {} if state is None else state, prog.container_services)
        result: dict[str, Any] = run_on_thread_loop(coro, flow.name)
        return result
    return prog.run_state({} if state is None else state, prog.container_services)


async def arun_once(flow: Flow, state: dict[str, Any] | None, context: Any) -> dict[str, Any]:
    """`Node.arun`: run ``flow`` on the running event loop."""
    if context is None:
        context = default_context()
    prog = program_for(flow, context)
    return await arun_state(prog, {} if state is None else state, prog.container_services)


bind("node.run", run_once)
bind("node.arun", arun_once)

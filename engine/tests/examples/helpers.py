"""Shared by the example tests: where the examples are and how to run them."""

from __future__ import annotations

import threading
from typing import Any

import build_examples
from aetherflow import Flow
from aetherflow.context import with_scopes
from aetherflow.runtime.program import Program
from aetherflow.runtime.services import ContainerServices

EXAMPLES_DIR = build_examples.HERE
NAMES = list(build_examples.BUILDERS)
WORKERS = [1, 4]


def quick(flow: Flow, factor: float = 0.0) -> Flow:
    """The example with its simulated I/O latency scaled by ``factor`` (0: none), so a
    test runs in milliseconds instead of the half minute meant for watching."""
    return build_examples.scale_latency(flow, factor)


def source_items(flow: Flow, **constants: Any) -> list[Any]:
    """What the flow's source yields with its constants (``constants`` override them)."""
    assert flow.source is not None
    spec = flow.nodes[flow.source]
    source = flow.resolve(flow.source)
    return list(source.func(**{**spec.constants, **constants}))


def run_flow(flow: Flow, items: list[Any], workers: int) -> list[dict[str, Any]]:
    """Final item states in input order, from the engine's executor (`Flow.run`)."""
    report = flow.run(items, workers=workers)
    assert report.ok, [e.to_dict() for e in report.errors]
    assert not report.stats["close_problems"]
    return report.results


def results_of(states: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s["result"] for s in states]


def run_on_threads(
    flow: Flow, items: list[Any], workers: int
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Run the items on ``workers`` threads of our own, each taking at least one item
    (a barrier holds them until all started), and return the final states with each
    thread's isolated instances, live: ``{thread: {service: instance}}``.

    The executor spreads items by speed, so with a handful of fast items one worker may
    take them all; this runner makes "n workers, n instances" checkable.
    """
    ctx = with_scopes(flow.context_class(), flow.scope_map())
    program = Program(flow, frozenset(ctx.providers), ctx)
    services = ContainerServices(ctx)
    for name, scope in flow.scope_map().items():
        if scope == "shared":
            ctx.providers[name]()  # a Singleton is not thread-safe at creation
    states: list[Any] = [None] * len(items)
    isolated: dict[str, dict[str, Any]] = {}
    isolated_names = [n for n, s in flow.scope_map().items() if s == "isolated"]
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            barrier.wait()
            for i in range(k, len(items), workers):
                states[i] = program.run_item(items[i], services)
            isolated[threading.current_thread().name] = {
                n: ctx.providers[n]() for n in isolated_names
            }
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,), name=f"w{k}") for k in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return states, isolated

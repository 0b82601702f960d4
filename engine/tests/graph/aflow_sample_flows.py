"""Flows built in code for the file format tests."""

from __future__ import annotations

from typing import Any

import aflow_sample_nodes as s
from aetherflow import Flow


def rich_flow() -> Flow:
    """A flow using every part of the format, with unknown fields at every level."""
    flow = Flow(
        "rich",
        context=s.SampleContext,
        description="Every part of the format.",
        metadata={"author": "tests", "tags": ["a", "b"]},
    )
    flow.set_scope("counter", "shared")
    flow.add_service("tally", s.Tally, "shared", start=5)
    d = flow.add(s.double, label="Double", position=(10, 20))
    flow.set_policy(d, timeout=2.5, retries=2, retry_delay=0.1, backoff=2.0,
                    retry_on=[OSError, "builtins:TimeoutError"])  # fmt: skip
    i = flow.add(s.inc, step=10, position=(200.5, 20))
    c = flow.add(s.use_counter, position=(400, 20))
    e = flow.add(s.is_even, position=(0, 200))
    h = flow.add(s.half, position=(200, 200))
    t = flow.add(s.triple, position=(200, 300))
    a = flow.add(s.accumulate, position=(400, 200))
    q = flow.add(s.square, position=(600, 0))
    n = flow.add(s.negate, position=(600, 100))
    flow.add(s.label, id="named", text="héllo ✓", position=(0, 400))
    flow.connect(f"{d}.y", f"{i}.y")
    cases: list[dict[str, Any]] = [{"value": True, "members": [h]}]
    cases.append({"value": False, "members": [t]})
    flow.add_group("branch", [e, h, t], id="choose", condition=e, cases=cases)
    flow.add_group("repeat", [a], id="loop", times=3)
    cases = [{"key": "square", "members": [q]}, {"key": "negate", "members": [n]}]
    flow.add_group("parallel", [q, n], id="fan", executor="thread", max_workers=None, cases=cases)
    flow.add_group("frame", [d, i, c], id="frame", label="Main line")
    # unknown fields at every level, as a newer tool would write them
    flow.extra["x-top"] = {"k": [1, 2]}
    flow.nodes[d].extra["color"] = "#ffcc00"
    flow.nodes[d].inputs[0].extra["hint"] = "a number"
    flow.nodes[d].outputs[0].extra["unit"] = "m"
    flow.edges[0] = type(flow.edges[0])(flow.edges[0].source, flow.edges[0].target, {"bend": 0.5})
    flow.services["counter"].extra["note"] = "per run"
    flow.groups["frame"].extra["color"] = "blue"
    return flow


def big_flow(n_nodes: int = 2000, n_edges: int = 3000) -> Flow:
    """``n_nodes`` nodes of `add3` (inputs a, b, c; output s) and ``n_edges`` edges, acyclic."""
    flow = Flow("big")
    ids = [flow.add(s.add3, id=f"n{k}", position=(k % 50 * 200, k // 50 * 120))
           for k in range(n_nodes)]  # fmt: skip
    made = 0
    ports = ("a", "b", "c")
    for k in range(1, n_nodes):
        for j, port in enumerate(ports):
            if made >= n_edges or (j >= 2 and k % 2):
                break
            src = ids[(k * 7 + j * 13) % k]
            flow.connect(f"{src}.s", f"{ids[k]}.{port}")
            made += 1
    return flow

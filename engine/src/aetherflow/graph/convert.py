"""Turn a code-built composition into the equivalent `Flow`.

Edges are added where a parameter takes the output of the same name from an earlier
node, so the canvas shows the data flow; results are the same with or without them,
because an unwired parameter reads the run state key of its name.
"""

from __future__ import annotations

from ..bindings import bind
from ..compose import Branch, FanIn, FanOut, Repeat, Sequence
from ..node import Node
from .model import Flow

Producers = dict[str, str]  # output name -> "node.output" of its latest producer


def composition_to_flow(root: Node, name: str | None = None) -> Flow:
    """The `Flow` equivalent to ``root`` (a node or a composition)."""
    flow = Flow(name or root.name)
    _emit(root, flow, {})
    return flow


def _emit(n: Node, flow: Flow, producers: Producers) -> list[str]:
    """Add ``n`` to ``flow``; return the ids of the members it added at this level."""
    if isinstance(n, Sequence):
        ids: list[str] = []
        for part in n.parts:
            ids += _emit(part, flow, producers)
        return ids
    if isinstance(n, FanIn):
        return _emit(n.fan_out, flow, producers) + _emit(n.aggregator, flow, producers)
    if isinstance(n, FanOut):
        return _emit_fan_out(n, flow, producers)
    if isinstance(n, Branch):
        return _emit_branch(n, flow, producers)
    if isinstance(n, Repeat):
        members = _emit(n.body, flow, producers)
        return [flow.add_group("repeat", members, times=n.times)]
    return [_add_node(n, flow, producers)]


def _add_node(n: Node, flow: Flow, producers: Producers) -> str:
    node_id = flow.add(n)
    for param in n.inputs:
        if param in producers:
            flow.connect(producers[param], f"{node_id}.{param}")
    for out in n.outputs:
        producers[out] = f"{node_id}.{out}"
    return node_id


def _emit_fan_out(n: FanOut, flow: Flow, producers: Producers) -> list[str]:
    ids = _emit(n.source, flow, producers)
    cases = []
    for key, target in zip(n.result_keys(), n.targets, strict=True):
        members = _emit(target, flow, dict(producers))
        cases.append({"key": key, "members": members})
    members = [m for c in cases for m in c["members"]]
    gid = flow.add_group(
        "parallel", members, cases=cases, executor=n.executor, max_workers=n.max_workers
    )
    return [*ids, gid]


def _emit_branch(n: Branch, flow: Flow, producers: Producers) -> list[str]:
    """A branch on a node, or on a chain's last node (as AetherFlow 0.1 does): the parts
    before it run first, then the case its result selects."""
    *before, condition = _emit(n.condition, flow, producers)
    if condition not in flow.nodes:
        raise TypeError(
            f"branch_on: the condition '{n.condition.name}' must be a node or end with one"
        )
    cases = []
    for value, target in n.cases.items():
        cases.append({"value": value, "members": _emit(target, flow, dict(producers))})
    members = [condition] + [m for c in cases for m in c["members"]]
    return [*before, flow.add_group("branch", members, condition=condition, cases=cases)]


bind("node.to_flow", composition_to_flow)

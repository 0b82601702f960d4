"""The trivial 3-node flow of bench_studio_run.py, in a module of its own so a run in a
separate process can import its nodes."""

from __future__ import annotations

from aetherflow import BaseFlowContext, Flow, node


@node
def parse(i: int, state) -> dict:
    state["n"] = state.get("n", 0) + 1
    return {"x": i}


@node
def double(x: int) -> dict:
    return {"y": 2 * x}


@node
def keep(y: int) -> dict:
    return {"z": y + 1}


def trivial_flow() -> Flow:
    flow = Flow("bench_trivial", context=BaseFlowContext)
    flow.add(parse, "parse", position=(0.0, 0.0))
    flow.add(double, "double", position=(260.0, 0.0))
    flow.add(keep, "keep", position=(520.0, 0.0))
    flow.connect("parse.x", "double.x")
    flow.connect("double.y", "keep.y")
    flow.search_paths = [str(__import__("pathlib").Path(__file__).parent)]
    return flow
